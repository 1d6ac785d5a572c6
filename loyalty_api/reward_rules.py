"""What a reward may be, and how ``campaign_new`` / ``campaign_update`` (action ``reward``) change rewards.

A reward belongs to a points or events campaign: ``level`` points (or events) buy it.  Pure functions over the
request's fields: no SQL, no HTTP (``docs/campaigns.md``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from loyalty_api.errors import ApiError
from loyalty_api.protocol.fields import Fields
from loyalty_api.store.models import Campaign, Change, NewAudit, Principal, Reward
from loyalty_api.values import parse_text

__all__ = [
    "reward_audit",
    "IDENTIFIER_LIMIT",
    "REWARD_CAMPAIGN_TYPES",
    "REWARD_DESCRIPTION_LIMIT",
    "UPDATE_FIELDS",
    "NewReward",
    "parse_new_reward",
    "parse_reward_id",
    "plan_reward_update",
    "reward_changes",
    "reward_snapshot",
]

REWARD_CAMPAIGN_TYPES: Final = frozenset({"points", "events"})
REWARD_DESCRIPTION_LIMIT: Final = 255
IDENTIFIER_LIMIT: Final = 64
_LEVEL: Final = re.compile(r"\d{1,12}", re.ASCII)
_REWARD_ID: Final = re.compile(r"\d{1,18}", re.ASCII)
# Fields of campaign_update action=reward: field -> reward column.
UPDATE_FIELDS: Final = {
    "new_reward_level": "level",
    "new_reward_description": "description",
    "new_reward_identifier": "identifier",
}


@dataclass(frozen=True, slots=True)
class NewReward:
    level: int
    description: str
    identifier: str | None


def parse_reward_id(text: str) -> int | None:
    """The reward ``<id>`` as a number; None for text that no reward id can be (it then matches no reward)."""
    return int(text) if _REWARD_ID.fullmatch(text) else None


def parse_new_reward(fields: Fields, noun: str = "reward") -> NewReward:
    """A new reward (or, with ``noun="item"``, a buyx item: ``item_description``, ``item_identifier``)."""
    identifier = fields.value(f"{noun}_identifier")
    return NewReward(
        level=_parse_level("reward_level", fields.required("reward_level")),
        description=parse_text(
            f"{noun}_description", fields.required(f"{noun}_description"), limit=REWARD_DESCRIPTION_LIMIT
        ),
        identifier=None if identifier is None else parse_text(f"{noun}_identifier", identifier, limit=IDENTIFIER_LIMIT),
    )


def plan_reward_update(reward: Reward, fields: Fields, noun: str = "reward") -> dict[str, object]:
    """The columns that really change; blank or absent fields leave their column as it is.

    ``noun="item"`` reads a buyx item's fields (``new_item_description``, ``new_item_identifier``); the level is
    ``new_reward_level`` for both.
    """
    values: dict[str, object] = {}
    level = fields.value("new_reward_level")
    if level is not None:
        values["level"] = _parse_level("new_reward_level", level)
    description_field, identifier_field = f"new_{noun}_description", f"new_{noun}_identifier"
    description = fields.value(description_field)
    if description is not None:
        values["description"] = parse_text(description_field, description, limit=REWARD_DESCRIPTION_LIMIT)
    identifier = fields.value(identifier_field)
    if identifier is not None:
        values["identifier"] = parse_text(identifier_field, identifier, limit=IDENTIFIER_LIMIT)
    return {column: value for column, value in values.items() if getattr(reward, column) != value}


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
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise ApiError(
            "parameter_invalid",
            detail=f'The field {field_name} must be a positive whole number of at most 12 digits, not "{shown}".',
        )
    return int(text)


def reward_audit(
    entity: str,
    principal: Principal,
    campaign: Campaign,
    reward: Reward,
    action: str,
    changes: tuple[Change, ...],
    at: datetime,
) -> NewAudit:
    """The audit record of a change to a reward or a buyx item (``entity`` "reward" or "item": the same table)."""
    return NewAudit(
        account_pk=principal.account.pk,
        user_name=principal.user_name,
        entity=entity,
        entity_id=str(reward.pk),
        action=action,
        changes=changes,
        at=at,
        campaign_id=campaign.campaign_id,
    )
