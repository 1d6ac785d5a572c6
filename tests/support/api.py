"""Small helpers for talking to the API in tests."""

from __future__ import annotations

from typing import Final

from lxml import etree
from starlette.testclient import TestClient

__all__ = ["ADMIN", "CLERK", "MANAGER", "OTHER_ADMIN", "SHOW_KEYS", "call", "xml_of"]

# (account_id, user_id, key) of the demo users.
ADMIN: Final = ("greatwidgets", "john1970", "1959caadac9b13dcb3")
MANAGER: Final = ("greatwidgets", "mgr1970", "m4n4g3rm4n4g3rm4n4")
CLERK: Final = ("greatwidgets", "clerk1970", "c1e4c1e4c1e4c1e4c1")
OTHER_ADMIN: Final = ("otherco", "otheradmin", "0th3r0th3r0th3r0th3r")

# The keys `loyalty-api campaign show` prints, in order (issue 2, section 1).
SHOW_KEYS: Final = [
    "id",
    "account_id",
    "type",
    "name",
    "description",
    "points_ratio",
    "reward_ratio",
    "amount_per_event",
    "coalition_opt_out",
    "two_tier_opt_out",
    "active",
    "created_at",
    "updated_at",
]


def call(client: TestClient, fields: dict[str, str], user: tuple[str, str, str] = ADMIN) -> etree._Element:
    """POST ``fields`` (urlencoded) with ``user``'s credentials and return the parsed XML root."""
    account_id, user_id, key = user
    data = {"account_id": account_id, "user_id": user_id, "user_password": key, **fields}
    reply = client.post("/api.php", data=data)
    assert reply.status_code == 200, reply.text
    return xml_of(reply.content)


def xml_of(body: bytes) -> etree._Element:
    return etree.fromstring(body)
