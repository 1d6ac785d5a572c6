"""The one shape of the calls that change rewards and buyx items (``campaign_new`` / ``campaign_update`` /
``campaign_delete`` with ``action=reward`` or ``action=item``); ``campaign_rewards.py`` and ``buyx_items.py`` name
them after their calls.

Checks, in the order of ``docs/campaigns.md``: the campaign visible to the caller and of a type that has this kind
(for a change, the reward or item in it), the caller's role (administrators and managers), then the fields' values.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from loyalty_api.campaigns.access import MANAGERS, check_role, check_visible, visible_campaign_for_update
from loyalty_api.campaigns.rewards import (
    RewardKind,
    parse_new_reward,
    plan_reward_update,
    reward_audit,
    reward_changes,
    reward_snapshot,
)
from loyalty_api.errors import ApiError
from loyalty_api.handler.context import CallContext
from loyalty_api.store.interface import WriteTx
from loyalty_api.store.models import Campaign, Principal, Reward, utc_now
from loyalty_api.values import clipped
from renderers import Element, el, node, response

__all__ = ["Finder", "add_reward", "change_reward", "delete_reward"]

# How a call names the reward or item it changes: the campaign's row, the text of the id field -> the row (locked).
Finder = Callable[[WriteTx, Campaign, str], Awaitable[Reward]]


async def add_reward(kind: RewardKind, ctx: CallContext) -> Element:
    fields = ctx.fields
    campaign_id = fields.required("campaign_id")
    fields.required("reward_level")
    fields.required(f"{kind.noun}_description")
    principal = ctx.principal
    check_visible(principal, campaign_id)

    async def work(tx: WriteTx) -> int:
        campaign = await visible_campaign_for_update(tx, principal, campaign_id)
        kind.check_campaign(campaign)
        check_role(principal, MANAGERS, kind.what)
        wanted = parse_new_reward(kind, fields)
        if kind.unique_identifier and wanted.identifier is not None:
            await _check_identifier_free(tx, campaign, wanted.identifier, None)
        now = utc_now()
        reward = await tx.insert_reward(campaign.pk, wanted.level, wanted.description, wanted.identifier, now)
        changes = reward_changes({}, reward_snapshot(reward))
        await tx.append_audit(reward_audit(kind, principal, campaign, reward, "create", changes, now))
        return reward.pk

    reward_pk = await ctx.store.write(work)
    return response("success", [node("campaign", [node(kind.noun, [el("id", reward_pk)])])])


async def change_reward(kind: RewardKind, find: Finder, ctx: CallContext) -> Element:
    fields = ctx.fields
    campaign_id = fields.required("campaign_id")
    text = fields.required(kind.id_field)
    update_fields = kind.update_fields
    if all(fields.value(name) is None for name in update_fields):
        raise ApiError("parameter_missing", field=" or ".join(update_fields))
    principal = ctx.principal
    check_visible(principal, campaign_id)

    async def work(tx: WriteTx) -> int:
        campaign, reward = await _named(tx, principal, campaign_id, find, text)
        check_role(principal, MANAGERS, kind.what)
        values = plan_reward_update(kind, reward, fields)
        identifier = values.get("identifier")
        if kind.unique_identifier and isinstance(identifier, str):
            await _check_identifier_free(tx, campaign, identifier, reward.pk)
        if values:
            now = utc_now()
            await tx.update_reward(reward.pk, values, now)
            before = reward_snapshot(reward)
            after = {**before, **{column: str(value) for column, value in values.items()}}
            changes = reward_changes(before, after)
            await tx.append_audit(reward_audit(kind, principal, campaign, reward, "update", changes, now))
        return reward.pk

    reward_pk = await ctx.store.write(work)
    return response("success", [Element(kind.noun, attrs={"status": "updated"}, children=[el("id", reward_pk)])])


async def delete_reward(kind: RewardKind, find: Finder, ctx: CallContext) -> Element:
    fields = ctx.fields
    campaign_id = fields.required("campaign_id")
    text = fields.required(kind.id_field)
    principal = ctx.principal
    check_visible(principal, campaign_id)

    async def work(tx: WriteTx) -> int:
        campaign, reward = await _named(tx, principal, campaign_id, find, text)
        check_role(principal, MANAGERS, kind.what)
        now = utc_now()
        await tx.archive_reward(reward.pk, principal.user_name, now)
        changes = reward_changes(reward_snapshot(reward), {})
        await tx.append_audit(reward_audit(kind, principal, campaign, reward, "delete", changes, now))
        return reward.pk

    reward_pk = await ctx.store.write(work)
    return response("success", [Element(kind.noun, attrs={"status": "deleted"}, children=[el("id", reward_pk)])])


async def _named(
    tx: WriteTx, principal: Principal, campaign_id: str, find: Finder, text: str
) -> tuple[Campaign, Reward]:
    campaign = await visible_campaign_for_update(tx, principal, campaign_id)
    return campaign, await find(tx, campaign, text)


async def _check_identifier_free(tx: WriteTx, campaign: Campaign, identifier: str, own_pk: int | None) -> None:
    holder = await tx.item_by_identifier(campaign.pk, identifier)
    if holder is not None and holder.pk != own_pk:
        raise ApiError("item_identifier_in_use", identifier=clipped(identifier), campaign_id=campaign.campaign_id)
