"""Rewards and buyx items: what they may be, how the calls change them, and how a call names one.

Both are rows of the rewards table (level, description, identifier), so they are archived and restored with their
campaign alike.  A **reward** belongs to a points or events campaign: ``level`` points (or events) buy it.  An
**item** belongs to a buyx campaign: after ``reward_level`` purchases of it, one is free; it is named by its ``<id>``
or by its ``item_identifier`` (unique in its campaign), the id winning.  A :class:`RewardKind` holds what differs
between the two; the calls of both have one shape (``campaigns/_reward_calls.py``).  ``docs/campaigns.md`` and
``docs/ledger.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from loyalty_api.errors import ApiError
from loyalty_api.handler.fields import Fields
from loyalty_api.store.interface import WriteTx
from loyalty_api.store.models import Campaign, Change, NewAudit, Principal, Reward
from loyalty_api.values import clipped, parse_text

__all__ = [
    "IDENTIFIER_LIMIT",
    "ITEM",
    "REWARD",
    "REWARD_DESCRIPTION_LIMIT",
    "NewReward",
    "RewardKind",
    "find_item",
    "find_reward",
    "parse_reward_id",
    "reward_audit",
    "reward_changes",
    "reward_snapshot",
]

REWARD_DESCRIPTION_LIMIT: Final = 255
IDENTIFIER_LIMIT: Final = 64
_LEVEL: Final = re.compile(r"\d{1,12}", re.ASCII)
_REWARD_ID: Final = re.compile(r"\d{1,18}", re.ASCII)


@dataclass(frozen=True, slots=True)
class RewardKind:
    """What differs between rewards and buyx items."""

    noun: str  # "reward" or "item": the audit's entity, the answer's element, the fields' names
    campaign_types: frozenset[str]  # the campaigns that have them
    belong_to: str  # "Rewards belong to points and events campaigns"
    unique_identifier: bool  # an item's identifier names it: unique in its campaign

    @property
    def what(self) -> str:
        """What a role may or may not do (``permission_denied``): ``manage rewards``."""
        return f"manage {self.noun}s"

    @property
    def id_field(self) -> str:
        return f"{self.noun}_id"

    @property
    def update_fields(self) -> Mapping[str, str]:
        """Fields of ``campaign_update`` -> the column each changes (the level is ``new_reward_level`` for both)."""
        return {
            "new_reward_level": "level",
            f"new_{self.noun}_description": "description",
            f"new_{self.noun}_identifier": "identifier",
        }

    def check_campaign(self, campaign: Campaign) -> None:
        """``parameter_mismatch`` unless the campaign is of a type that has this kind."""
        if campaign.type not in self.campaign_types:
            raise ApiError(
                "parameter_mismatch",
                detail=f"{self.belong_to}; campaign {campaign.campaign_id} is a {campaign.type} campaign.",
            )


REWARD: Final = RewardKind(
    "reward", frozenset({"points", "events"}), "Rewards belong to points and events campaigns", unique_identifier=False
)
ITEM: Final = RewardKind("item", frozenset({"buyx"}), "Items belong to buyx campaigns", unique_identifier=True)


@dataclass(frozen=True, slots=True)
class NewReward:
    level: int
    description: str
    identifier: str | None


def parse_reward_id(text: str) -> int | None:
    """The reward (or item) ``<id>`` as a number; None for text that no id can be (it then matches no row)."""
    return int(text) if _REWARD_ID.fullmatch(text) else None


def parse_new_reward(kind: RewardKind, fields: Fields) -> NewReward:
    """A new reward (``reward_description``, ``reward_identifier``) or item (``item_description``, ...)."""
    noun = kind.noun
    identifier = fields.value(f"{noun}_identifier")
    return NewReward(
        level=_parse_level("reward_level", fields.required("reward_level")),
        description=parse_text(
            f"{noun}_description", fields.required(f"{noun}_description"), limit=REWARD_DESCRIPTION_LIMIT
        ),
        identifier=None if identifier is None else parse_text(f"{noun}_identifier", identifier, limit=IDENTIFIER_LIMIT),
    )


def plan_reward_update(kind: RewardKind, reward: Reward, fields: Fields) -> dict[str, object]:
    """The columns that really change; blank or absent fields leave their column as it is."""
    values: dict[str, object] = {}
    for field_name, column in kind.update_fields.items():
        text = fields.value(field_name)
        if text is None:
            continue
        if column == "level":
            values[column] = _parse_level(field_name, text)
        else:
            limit = REWARD_DESCRIPTION_LIMIT if column == "description" else IDENTIFIER_LIMIT
            values[column] = parse_text(field_name, text, limit=limit)
    return {column: value for column, value in values.items() if getattr(reward, column) != value}


async def find_reward(tx: WriteTx, campaign: Campaign, text: str) -> Reward:
    """The live reward of the campaign whose ``<id>`` is ``text`` (locked), else ``reward_not_found``; a campaign
    that has no rewards has none to find."""
    reward_pk = parse_reward_id(text)
    has_rewards = campaign.type in REWARD.campaign_types
    reward = None if reward_pk is None or not has_rewards else await tx.reward_for_update(campaign.pk, reward_pk)
    if reward is None:
        raise ApiError("reward_not_found", reward_id=clipped(text), campaign_id=campaign.campaign_id)
    return reward


async def find_item(tx: WriteTx, campaign: Campaign, text: str) -> Reward:
    """The live item of the campaign whose ``<id>`` is ``text``, else whose identifier is; else ``item_not_found``."""
    item_pk = parse_reward_id(text)
    item = None if item_pk is None else await tx.reward_for_update(campaign.pk, item_pk)
    if item is None:
        item = await tx.item_by_identifier(campaign.pk, text)
    if item is None:
        raise ApiError("item_not_found", item_id=clipped(text), campaign_id=campaign.campaign_id)
    return item


def reward_snapshot(reward: Reward | NewReward) -> dict[str, str | None]:
    """The reward's columns as the audit trail shows them."""
    return {"level": str(reward.level), "description": reward.description, "identifier": reward.identifier}


def reward_changes(before: dict[str, str | None], after: dict[str, str | None]) -> tuple[Change, ...]:
    """One change per column whose value differs (a missing column counts as None)."""
    columns = [*before, *(c for c in after if c not in before)]
    return tuple(
        Change(column, before.get(column), after.get(column))
        for column in columns
        if before.get(column) != after.get(column)
    )


def _parse_level(field_name: str, text: str) -> int:
    if _LEVEL.fullmatch(text) is None or int(text) == 0:
        shown = clipped(text)
        raise ApiError(
            "parameter_invalid",
            detail=f'The field {field_name} must be a positive whole number of at most 12 digits, not "{shown}".',
        )
    return int(text)


def reward_audit(
    kind: RewardKind,
    principal: Principal,
    campaign: Campaign,
    reward: Reward,
    action: str,
    changes: tuple[Change, ...],
    at: datetime,
) -> NewAudit:
    """The audit record of a change to a reward or a buyx item (the entity is the kind's noun)."""
    return NewAudit(
        account_pk=principal.account.pk,
        user_name=principal.user_name,
        entity=kind.noun,
        entity_id=str(reward.pk),
        action=action,
        changes=changes,
        at=at,
        campaign_id=campaign.campaign_id,
    )
