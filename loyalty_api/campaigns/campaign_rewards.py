"""The rewards of points and events campaigns: ``type=campaign_rewards`` (list) and ``campaign_new`` /
``campaign_update`` / ``campaign_delete`` with ``action=reward``.

Administrators and managers change the rewards of the campaigns they may see; every user may list them.
"""

from __future__ import annotations

from loyalty_api.campaigns._reward_calls import add_reward, change_reward, delete_reward
from loyalty_api.campaigns.access import check_visible
from loyalty_api.campaigns.rewards import REWARD, find_reward
from loyalty_api.errors import ApiError
from loyalty_api.handler.context import CallContext
from loyalty_api.store.models import Reward
from renderers import Element, el, node, response

__all__ = ["campaign_delete_reward", "campaign_new_reward", "campaign_rewards", "campaign_update_reward"]


async def campaign_new_reward(ctx: CallContext) -> Element:
    return await add_reward(REWARD, ctx)


async def campaign_update_reward(ctx: CallContext) -> Element:
    return await change_reward(REWARD, find_reward, ctx)


async def campaign_delete_reward(ctx: CallContext) -> Element:
    return await delete_reward(REWARD, find_reward, ctx)


async def campaign_rewards(ctx: CallContext) -> Element:
    campaign_id = ctx.fields.required("campaign_id")
    principal = ctx.principal
    check_visible(principal, campaign_id)
    rewards = await ctx.store.list_rewards(principal.account.pk, campaign_id)
    if rewards is None:
        raise ApiError("campaign_not_found", campaign_id=campaign_id)
    campaign = await ctx.store.get_campaign(principal.account.pk, campaign_id)
    if campaign is None or campaign.type not in REWARD.campaign_types:
        rewards = []  # a buyx campaign's items share the table; they are listed by buyx_items_list
    items = [_reward_element(reward) for reward in rewards]
    return response(
        "success", [node("campaign", [el("id", campaign_id)]), Element("rewards", children=items, repeated=True)]
    )


def _reward_element(reward: Reward) -> Element:
    children = [el("id", reward.pk), el("level", reward.level), el("description", reward.description)]
    if reward.identifier is not None:
        children.append(el("reward_id", reward.identifier))
    return node("reward", children)
