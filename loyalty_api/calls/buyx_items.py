"""The items of buyx campaigns: ``campaign_new`` / ``campaign_update`` / ``campaign_delete`` with ``action=item``,
and ``type=buyx_items_list``.

Administrators and managers change the items of the buyx campaigns they may see; every user may list them.  An
item is named by its ``<id>`` or its ``item_identifier`` (unique in its campaign); the id wins.
"""

from __future__ import annotations

from loyalty_api.buyx_rules import (
    ITEM_CAMPAIGN_TYPE,
    ITEM_UPDATE_FIELDS,
    parse_item_id,
    parse_new_item,
    plan_item_update,
)
from loyalty_api.calls._campaign_access import MANAGERS, check_role, check_visible, visible_campaign_for_update
from loyalty_api.calls._context import CallContext
from loyalty_api.errors import ApiError
from loyalty_api.reward_rules import reward_audit, reward_changes, reward_snapshot
from loyalty_api.store.interface import WriteTx
from loyalty_api.store.models import Campaign, Principal, Reward, utc_now
from renderers import Element, el, response

__all__ = ["delete_item", "find_item", "list_items", "new_item", "update_item"]

_WHAT = "manage items"


async def new_item(ctx: CallContext) -> Element:
    fields = ctx.fields
    campaign_id = fields.required("campaign_id")
    fields.required("reward_level")
    fields.required("item_description")
    principal = ctx.principal
    check_visible(principal, campaign_id)

    async def work(tx: WriteTx) -> int:
        campaign = await _buyx_campaign(tx, principal, campaign_id)
        check_role(principal, MANAGERS, _WHAT)
        wanted = parse_new_item(fields)
        if wanted.identifier is not None:
            await _check_identifier_free(tx, campaign, wanted.identifier, None)
        now = utc_now()
        item = await tx.insert_reward(campaign.pk, wanted.level, wanted.description, wanted.identifier, now)
        await tx.append_audit(
            reward_audit("item", principal, campaign, item, "create", reward_changes({}, reward_snapshot(item)), now)
        )
        return item.pk

    item_pk = await ctx.store.write(work)
    return response("success", [Element("campaign", children=[Element("item", children=[el("id", item_pk)])])])


async def update_item(ctx: CallContext) -> Element:
    fields = ctx.fields
    campaign_id = fields.required("campaign_id")
    item_text = fields.required("item_id")
    if all(fields.value(name) is None for name in ITEM_UPDATE_FIELDS):
        raise ApiError("parameter_missing", field=" or ".join(ITEM_UPDATE_FIELDS))
    principal = ctx.principal
    check_visible(principal, campaign_id)

    async def work(tx: WriteTx) -> int:
        campaign = await _buyx_campaign(tx, principal, campaign_id)
        item = await find_item(tx, campaign, item_text)
        check_role(principal, MANAGERS, _WHAT)
        values = plan_item_update(item, fields)
        identifier = values.get("identifier")
        if isinstance(identifier, str):
            await _check_identifier_free(tx, campaign, identifier, item.pk)
        if values:
            now = utc_now()
            await tx.update_reward(item.pk, values, now)
            before = reward_snapshot(item)
            after = {**before, **{column: str(value) for column, value in values.items()}}
            await tx.append_audit(
                reward_audit("item", principal, campaign, item, "update", reward_changes(before, after), now)
            )
        return item.pk

    item_pk = await ctx.store.write(work)
    return response("success", [Element("item", attrs={"status": "updated"}, children=[el("id", item_pk)])])


async def delete_item(ctx: CallContext) -> Element:
    fields = ctx.fields
    campaign_id = fields.required("campaign_id")
    item_text = fields.required("item_id")
    principal = ctx.principal
    check_visible(principal, campaign_id)

    async def work(tx: WriteTx) -> int:
        campaign = await _buyx_campaign(tx, principal, campaign_id)
        item = await find_item(tx, campaign, item_text)
        check_role(principal, MANAGERS, _WHAT)
        now = utc_now()
        await tx.archive_reward(item.pk, principal.user_name, now)
        await tx.append_audit(
            reward_audit("item", principal, campaign, item, "delete", reward_changes(reward_snapshot(item), {}), now)
        )
        return item.pk

    item_pk = await ctx.store.write(work)
    return response("success", [Element("item", attrs={"status": "deleted"}, children=[el("id", item_pk)])])


async def list_items(ctx: CallContext) -> Element:
    campaign_id = ctx.fields.required("campaign_id")
    principal = ctx.principal
    check_visible(principal, campaign_id)
    campaign = await ctx.store.get_campaign(principal.account.pk, campaign_id)
    if campaign is None:
        raise ApiError("campaign_not_found", campaign_id=campaign_id)
    _check_buyx(campaign)
    items = await ctx.store.list_rewards(principal.account.pk, campaign_id)
    if items is None:  # deleted between the two reads
        raise ApiError("campaign_not_found", campaign_id=campaign_id)
    shown = [_item_element(item) for item in sorted(items, key=lambda item: item.pk)]
    return response("success", [Element("buyx_items", children=shown, repeated=True)])


async def find_item(tx: WriteTx, campaign: Campaign, text: str) -> Reward:
    """The live item of the campaign whose ``<id>`` is ``text``, else whose identifier is; else ``item_not_found``."""
    item_pk = parse_item_id(text)
    item = None if item_pk is None else await tx.reward_for_update(campaign.pk, item_pk)
    if item is None:
        item = await tx.item_by_identifier(campaign.pk, text)
    if item is None:
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise ApiError("item_not_found", item_id=shown, campaign_id=campaign.campaign_id)
    return item


async def _buyx_campaign(tx: WriteTx, principal: Principal, campaign_id: str) -> Campaign:
    campaign = await visible_campaign_for_update(tx, principal, campaign_id)
    _check_buyx(campaign)
    return campaign


def _check_buyx(campaign: Campaign) -> None:
    if campaign.type != ITEM_CAMPAIGN_TYPE:
        raise ApiError(
            "parameter_mismatch",
            detail=f"Items belong to buyx campaigns; campaign {campaign.campaign_id} is a {campaign.type} campaign.",
        )


async def _check_identifier_free(tx: WriteTx, campaign: Campaign, identifier: str, own_pk: int | None) -> None:
    holder = await tx.item_by_identifier(campaign.pk, identifier)
    if holder is not None and holder.pk != own_pk:
        shown = identifier if len(identifier) <= 40 else identifier[:40] + "..."
        raise ApiError("item_identifier_in_use", identifier=shown, campaign_id=campaign.campaign_id)


def _item_element(item: Reward) -> Element:
    return Element(
        "item",
        children=[
            el("id", item.pk),
            el("description", item.description),
            el("reward_level", item.level),
            el("item_identifier", item.identifier or ""),
        ],
    )
