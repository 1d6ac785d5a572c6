"""The rewards of points and events campaigns: ``campaign_new`` / ``campaign_update`` / ``campaign_delete`` with
``action=reward``, and ``type=campaign_rewards``.

Administrators and managers change the rewards of the campaigns they may see; every user may list them.
"""

from __future__ import annotations

from loyalty_api.calls._campaign_access import MANAGERS, check_role, check_visible, visible_campaign_for_update
from loyalty_api.calls._context import CallContext
from loyalty_api.errors import ApiError
from loyalty_api.reward_rules import (
    REWARD_CAMPAIGN_TYPES,
    UPDATE_FIELDS,
    parse_new_reward,
    parse_reward_id,
    plan_reward_update,
    reward_audit,
    reward_changes,
    reward_snapshot,
)
from loyalty_api.store.interface import WriteTx
from loyalty_api.store.models import Campaign, Principal, Reward, utc_now
from renderers import Element, el, response

__all__ = ["delete_reward", "list_rewards", "new_reward", "update_reward"]

_WHAT = "manage rewards"


async def new_reward(ctx: CallContext) -> Element:
    fields = ctx.fields
    campaign_id = fields.required("campaign_id")
    fields.required("reward_level")
    fields.required("reward_description")
    principal = ctx.principal
    check_visible(principal, campaign_id)

    async def work(tx: WriteTx) -> int:
        campaign = await visible_campaign_for_update(tx, principal, campaign_id)
        check_role(principal, MANAGERS, _WHAT)
        if campaign.type not in REWARD_CAMPAIGN_TYPES:
            raise ApiError(
                "parameter_mismatch",
                detail=f"Rewards belong to points and events campaigns; campaign {campaign_id} is a"
                f" {campaign.type} campaign.",
            )
        wanted = parse_new_reward(fields)
        now = utc_now()
        reward = await tx.insert_reward(campaign.pk, wanted.level, wanted.description, wanted.identifier, now)
        await tx.append_audit(
            reward_audit(
                "reward", principal, campaign, reward, "create", reward_changes({}, reward_snapshot(reward)), now
            )
        )
        return reward.pk

    reward_pk = await ctx.store.write(work)
    reward = Element("reward", children=[el("id", reward_pk)])
    return response("success", [Element("campaign", children=[reward])])


async def update_reward(ctx: CallContext) -> Element:
    fields = ctx.fields
    campaign_id = fields.required("campaign_id")
    reward_text = fields.required("reward_id")
    if all(fields.value(name) is None for name in UPDATE_FIELDS):
        raise ApiError("parameter_missing", field=" or ".join(UPDATE_FIELDS))
    principal = ctx.principal
    check_visible(principal, campaign_id)

    async def work(tx: WriteTx) -> int:
        campaign, reward = await _visible_reward(tx, principal, campaign_id, reward_text)
        check_role(principal, MANAGERS, _WHAT)
        values = plan_reward_update(reward, fields)
        if values:
            now = utc_now()
            await tx.update_reward(reward.pk, values, now)
            before = reward_snapshot(reward)
            after = {**before, **{column: _shown(value) for column, value in values.items()}}
            await tx.append_audit(
                reward_audit("reward", principal, campaign, reward, "update", reward_changes(before, after), now)
            )
        return reward.pk

    reward_pk = await ctx.store.write(work)
    return response("success", [Element("reward", attrs={"status": "updated"}, children=[el("id", reward_pk)])])


async def delete_reward(ctx: CallContext) -> Element:
    fields = ctx.fields
    campaign_id = fields.required("campaign_id")
    reward_text = fields.required("reward_id")
    principal = ctx.principal
    check_visible(principal, campaign_id)

    async def work(tx: WriteTx) -> int:
        campaign, reward = await _visible_reward(tx, principal, campaign_id, reward_text)
        check_role(principal, MANAGERS, _WHAT)
        now = utc_now()
        await tx.archive_reward(reward.pk, principal.user_name, now)
        await tx.append_audit(
            reward_audit(
                "reward", principal, campaign, reward, "delete", reward_changes(reward_snapshot(reward), {}), now
            )
        )
        return reward.pk

    reward_pk = await ctx.store.write(work)
    return response("success", [Element("reward", attrs={"status": "deleted"}, children=[el("id", reward_pk)])])


async def list_rewards(ctx: CallContext) -> Element:
    campaign_id = ctx.fields.required("campaign_id")
    principal = ctx.principal
    check_visible(principal, campaign_id)
    rewards = await ctx.store.list_rewards(principal.account.pk, campaign_id)
    if rewards is None:
        raise ApiError("campaign_not_found", campaign_id=campaign_id)
    campaign = await ctx.store.get_campaign(principal.account.pk, campaign_id)
    if campaign is None or campaign.type not in REWARD_CAMPAIGN_TYPES:
        rewards = []  # a buyx campaign's items share the table; they are listed by buyx_items_list
    items = [_reward_element(reward) for reward in rewards]
    return response(
        "success",
        [Element("campaign", children=[el("id", campaign_id)]), Element("rewards", children=items, repeated=True)],
    )


def _reward_element(reward: Reward) -> Element:
    children = [el("id", reward.pk), el("level", reward.level), el("description", reward.description)]
    if reward.identifier is not None:
        children.append(el("reward_id", reward.identifier))
    return Element("reward", children=children)


async def _visible_reward(
    tx: WriteTx, principal: Principal, campaign_id: str, reward_text: str
) -> tuple[Campaign, Reward]:
    campaign = await visible_campaign_for_update(tx, principal, campaign_id)
    reward_pk = parse_reward_id(reward_text)
    # Only points and events campaigns have rewards (a buyx campaign's items share the table: not rewards).
    has_rewards = campaign.type in REWARD_CAMPAIGN_TYPES
    reward = None if reward_pk is None or not has_rewards else await tx.reward_for_update(campaign.pk, reward_pk)
    if reward is None:
        shown = reward_text if len(reward_text) <= 40 else reward_text[:40] + "..."
        raise ApiError("reward_not_found", reward_id=shown, campaign_id=campaign_id)
    return campaign, reward


def _shown(value: object) -> str | None:
    return None if value is None else str(value)
