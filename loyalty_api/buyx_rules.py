"""What a buyx item may be, and how ``campaign_new`` / ``campaign_update`` (action ``item``) change items.

An item belongs to a buyx campaign: after ``reward_level`` purchases of it, one is free.  Items are kept in the
rewards table (same columns: level, description, identifier), so they are archived and restored with their
campaign exactly as rewards are (``docs/ledger.md``).  Pure functions over the request's fields: no SQL, no HTTP.
"""

from __future__ import annotations

from typing import Final

from loyalty_api.protocol.fields import Fields
from loyalty_api.reward_rules import NewReward, parse_new_reward, parse_reward_id, plan_reward_update
from loyalty_api.store.models import Reward

__all__ = ["ITEM_CAMPAIGN_TYPE", "ITEM_UPDATE_FIELDS", "parse_item_id", "parse_new_item", "plan_item_update"]

ITEM_CAMPAIGN_TYPE: Final = "buyx"
# Fields of campaign_update action=item: field -> column.
ITEM_UPDATE_FIELDS: Final = {
    "new_reward_level": "level",
    "new_item_description": "description",
    "new_item_identifier": "identifier",
}


def parse_item_id(text: str) -> int | None:
    """The item ``<id>`` as a number; None for text that no item id can be (items and rewards share ids)."""
    return parse_reward_id(text)


def parse_new_item(fields: Fields) -> NewReward:
    return parse_new_reward(fields, noun="item")


def plan_item_update(item: Reward, fields: Fields) -> dict[str, object]:
    """The columns that really change; blank or absent fields leave their column as it is."""
    return plan_reward_update(item, fields, noun="item")
