"""The items of buyx campaigns: ``type=buyx_items_list`` and ``campaign_new`` / ``campaign_update`` /
``campaign_delete`` with ``action=item``.

Administrators and managers change the items of the buyx campaigns they may see; every user may list them.  An
item is named by its ``<id>`` or its ``item_identifier`` (unique in its campaign); the id wins.
"""

from __future__ import annotations

from loyalty_api.campaigns._reward_calls import add_reward, change_reward, delete_reward
from loyalty_api.campaigns.access import check_visible
from loyalty_api.campaigns.rewards import ITEM, find_item
from loyalty_api.errors import ApiError
from loyalty_api.handler.context import CallContext
from loyalty_api.store.interface import WriteTx
from loyalty_api.store.models import Campaign, Reward
from renderers import Element, el, node, response

__all__ = ["buyx_items_list", "campaign_delete_item", "campaign_new_item", "campaign_update_item"]


async def campaign_new_item(ctx: CallContext) -> Element:
    return await add_reward(ITEM, ctx)


async def campaign_update_item(ctx: CallContext) -> Element:
    return await change_reward(ITEM, _buyx_item, ctx)


async def campaign_delete_item(ctx: CallContext) -> Element:
    return await delete_reward(ITEM, _buyx_item, ctx)


async def buyx_items_list(ctx: CallContext) -> Element:
    campaign_id = ctx.fields.required("campaign_id")
    principal = ctx.principal
    check_visible(principal, campaign_id)
    campaign = await ctx.store.get_campaign(principal.account.pk, campaign_id)
    if campaign is None:
        raise ApiError("campaign_not_found", campaign_id=campaign_id)
    ITEM.check_campaign(campaign)
    items = await ctx.store.list_rewards(principal.account.pk, campaign_id)
    if items is None:  # deleted between the two reads
        raise ApiError("campaign_not_found", campaign_id=campaign_id)
    shown = [_item_element(item) for item in sorted(items, key=lambda item: item.pk)]
    return response("success", [Element("buyx_items", children=shown, repeated=True)])


async def _buyx_item(tx: WriteTx, campaign: Campaign, text: str) -> Reward:
    ITEM.check_campaign(campaign)
    return await find_item(tx, campaign, text)


def _item_element(item: Reward) -> Element:
    return node(
        "item",
        [
            el("id", item.pk),
            el("description", item.description),
            el("reward_level", item.level),
            el("item_identifier", item.identifier or ""),
        ],
    )
