"""``user_info``'s permissions are what the calls really allow: for each permission, one call it guards, sent by an
administrator, a manager and a clerk; the call refuses with ``permission_denied`` exactly where ``user_info``
answers ``N``."""

from __future__ import annotations

from typing import Final

import pytest
from starlette.testclient import TestClient

from loyalty_api.accounts.permissions import PERMISSIONS
from tests.support.api import call, call_json
from tests.support.demo import EARNED, JANE, POINTS
from tests.support.users import ADMIN, CLERK, MANAGER, User

# A call each permission guards, on a campaign the demo manager may see.
GUARDED: Final[dict[str, dict[str, str]]] = {
    "campaign_new": {"type": "campaign_new", "action": "campaign", "campaign_type": "events", "campaign_name": "P"},
    "campaign_update": {"type": "campaign_update", "action": "campaign", "campaign_id": POINTS, "campaign_name": "P"},
    "campaign_delete": {"type": "campaign_delete", "action": "campaign", "campaign_id": EARNED},
    "campaign_deactivate": {"type": "campaign_deactivate", "campaign_id": EARNED},
    "campaign_rewards": {
        "type": "campaign_new",
        "action": "reward",
        "campaign_id": POINTS,
        "reward_level": "100",
        "reward_description": "P",
    },
    "campaigns_inactive_list": {"type": "campaigns_inactive_list"},
    "record_customer": {"type": "record_customer", "customer_action": "new", "code": "PERMISSIONS1"},
    "customer_delete": {"type": "customer_delete", "code": "PERMISSIONS2"},  # in no campaign: any manager sees it
    "record_activity": {"type": "record_activity", "campaign_id": POINTS, "code": JANE, "amount": "5"},
    "redeem": {"type": "redeem", "campaign_id": POINTS, "code": JANE, "custom_points_redeem": "1"},
    "transaction_delete": {"type": "transaction_delete", "campaign_id": POINTS, "code": JANE, "transaction_id": "1"},
    "manage_fields": {"type": "manage_fields", "action": "add", "custom_field_30_label": "P"},
    "manage_users": {"type": "users_list"},
}


# What the administrator makes before a permission's call.
SETUP: Final[dict[str, dict[str, str]]] = {
    "customer_delete": {"type": "record_customer", "customer_action": "new", "code": "PERMISSIONS2"},
}


def test_every_permission_has_a_call_here() -> None:
    assert set(GUARDED) == {name for name, _roles in PERMISSIONS}


@pytest.mark.parametrize("user", [ADMIN, MANAGER, CLERK], ids=["admin", "manager", "clerk"])
@pytest.mark.parametrize("permission", list(GUARDED))
def test_user_info_tells_what_the_call_allows(client: TestClient, user: User, permission: str) -> None:
    if permission in SETUP:
        assert call(client, SETUP[permission]).get("status") == "success"
    said = call_json(client, {"type": "user_info", "output": "JSON"}, user)["user"]["user_permissions"][permission]
    answer = call(client, GUARDED[permission], user)
    error = answer.find("error")
    denied = error is not None and error.get("code") == "permission_denied"
    assert said == ("N" if denied else "Y"), (
        permission,
        user[1],
        answer.get("status"),
        error is not None and error.text,
    )
