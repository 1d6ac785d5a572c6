"""What a buyx item may be, and how ``campaign_new`` / ``campaign_update`` (action ``item``) change items.

An item belongs to a buyx campaign: after ``reward_level`` purchases of it, one is free.  Items are kept in the
rewards table (same columns: level, description, identifier), so they are archived and restored with their
campaign exactly as rewards are (``docs/ledger.md``).  Pure functions over the request's fields: no SQL, no HTTP.
"""

from __future__ import annotations

import re
from typing import Final

from loyalty_api.errors import ApiError
from loyalty_api.protocol.fields import Fields
from loyalty_api.reward_rules import IDENTIFIER_LIMIT, REWARD_DESCRIPTION_LIMIT, NewReward
from loyalty_api.store.models import Reward
from loyalty_api.values import parse_text

__all__ = ["ITEM_CAMPAIGN_TYPE", "ITEM_UPDATE_FIELDS", "parse_item_id", "parse_new_item", "plan_item_update"]

ITEM_CAMPAIGN_TYPE: Final = "buyx"
_LEVEL: Final = re.compile(r"\d{1,12}", re.ASCII)
_ITEM_ID: Final = re.compile(r"\d{1,18}", re.ASCII)
# Fields of campaign_update action=item: field -> column.
ITEM_UPDATE_FIELDS: Final = {
    "new_reward_level": "level",
    "new_item_description": "description",
    "new_item_identifier": "identifier",
}


def parse_item_id(text: str) -> int | None:
    """The item ``<id>`` as a number; None for text that no item id can be."""
    return int(text) if _ITEM_ID.fullmatch(text) else None


def parse_new_item(fields: Fields) -> NewReward:
    identifier = fields.value("item_identifier")
    return NewReward(
        level=_parse_level("reward_level", fields.required("reward_level")),
        description=parse_text("item_description", fields.required("item_description"), limit=REWARD_DESCRIPTION_LIMIT),
        identifier=None if identifier is None else parse_text("item_identifier", identifier, limit=IDENTIFIER_LIMIT),
    )


def plan_item_update(item: Reward, fields: Fields) -> dict[str, object]:
    """The columns that really change; blank or absent fields leave their column as it is."""
    values: dict[str, object] = {}
    level = fields.value("new_reward_level")
    if level is not None:
        values["level"] = _parse_level("new_reward_level", level)
    description = fields.value("new_item_description")
    if description is not None:
        values["description"] = parse_text("new_item_description", description, limit=REWARD_DESCRIPTION_LIMIT)
    identifier = fields.value("new_item_identifier")
    if identifier is not None:
        values["identifier"] = parse_text("new_item_identifier", identifier, limit=IDENTIFIER_LIMIT)
    return {column: value for column, value in values.items() if getattr(item, column) != value}


def _parse_level(field_name: str, text: str) -> int:
    if _LEVEL.fullmatch(text) is None or int(text) == 0:
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise ApiError(
            "parameter_invalid",
            detail=f'The field {field_name} must be a positive whole number of at most 12 digits, not "{shown}".',
        )
    return int(text)
