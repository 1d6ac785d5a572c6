"""Requests of the campaign family used by tests of several calls."""

from __future__ import annotations

from typing import Final

from lxml import etree
from starlette.testclient import TestClient

from tests.support.api import call
from tests.support.demo import BUYX, EVENTS, POINTS
from tests.support.users import ADMIN, CLERK, MANAGER, OTHER_ADMIN, User

__all__ = ["CHANGE_RIGHTS", "add_item", "add_reward", "listed", "update"]

# Who may change a campaign of greatwidgets (deactivate it, manage its rewards): (user, campaign, outcome).  The
# manager may see POINTS, not EVENTS; what a user may not see is not found.
CHANGE_RIGHTS: Final = [
    (ADMIN, POINTS, "success"),
    (ADMIN, EVENTS, "success"),
    (MANAGER, POINTS, "success"),
    (MANAGER, EVENTS, "campaign_not_found"),
    (CLERK, POINTS, "permission_denied"),
    (OTHER_ADMIN, POINTS, "campaign_not_found"),
]


def update(
    client: TestClient, campaign_id: str, fields: dict[str, str] | None = None, user: User = ADMIN
) -> etree._Element:
    """``type=campaign_update&action=campaign`` for ``campaign_id`` with ``fields``; the parsed XML answer."""
    data = {"type": "campaign_update", "action": "campaign", "campaign_id": campaign_id, **(fields or {})}
    return call(client, data, user)


def listed(client: TestClient, call_type: str = "campaigns_list") -> list[str]:
    """The ids ``campaigns_list`` (or ``campaigns_inactive_list``) answers the demo administrator."""
    root = call(client, {"type": call_type})
    return [str(c.findtext("id")) for c in root.findall("campaigns/campaign")]


def add_reward(client: TestClient, campaign_id: str, level: str, description: str) -> str:
    """``campaign_new`` with ``action=reward``: the new reward's id."""
    data = {"type": "campaign_new", "action": "reward", "campaign_id": campaign_id}
    root = call(client, {**data, "reward_level": level, "reward_description": description})
    return str(root.findtext("campaign/reward/id"))


def add_item(client: TestClient, level: str, description: str) -> str:
    """``campaign_new`` with ``action=item`` in BUYX: the new item's id."""
    data = {"type": "campaign_new", "action": "item", "campaign_id": BUYX, "reward_level": level}
    return str(call(client, {**data, "item_description": description}).findtext("campaign/item/id"))
