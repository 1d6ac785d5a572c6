"""Failed logins are throttled by client address and by user, without locking a real integration out and without
telling known users from unknown ones: through HTTP, on both stores (``loyalty_api/accounts/throttle.py``)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

import pytest
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from loyalty_api.accounts.throttle import LoginThrottle
from loyalty_api.config import Settings
from loyalty_api.web.app import create_app
from tests.support.api import error_of, status_of, xml_of

POINTS: Final = "1234567890123451"
KEY: Final = "1959caadac9b13dcb3"


@contextmanager
def _clients(settings: Settings) -> Iterator[TestClient]:
    """A client of one app whose requests come from the address in their ``X-Address`` header."""
    app = create_app(settings)

    async def from_address(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            address = dict(scope["headers"]).get(b"x-address")
            if address is not None:
                scope = {**scope, "client": (address.decode(), 40000)}
        await app(scope, receive, send)

    with TestClient(from_address) as client:
        yield client


def _rewards(client: TestClient, address: str, key: str, user: str = "john1970") -> str:
    fields = {"account_id": "greatwidgets", "user_id": user, "user_password": key, "type": "campaign_rewards"}
    reply = client.post("/api.php", data={**fields, "campaign_id": POINTS}, headers={"X-Address": address})
    root = xml_of(reply.content)
    return status_of(root) if status_of(root) != "error" else error_of(root)[0]


def test_an_address_that_keeps_failing_is_refused_for_a_while(settings: Settings) -> None:
    with _clients(dataclasses.replace(settings, login_failure_window_seconds=2)) as client:
        answers = [_rewards(client, "10.0.0.1", f"guess{n:04d}") for n in range(100)]
        assert answers == ["no_valid_session"] * 20 + ["too_many_attempts"] * 80  # 20 checked, not 100
        assert _rewards(client, "10.0.0.1", KEY) == "too_many_attempts"  # whatever it sends
        assert _rewards(client, "10.0.0.2", KEY) == "success"  # another address is not concerned
        time.sleep(2.1)  # the failures age out of the window
        assert _rewards(client, "10.0.0.1", KEY) == "success"


def test_a_user_under_attack_keeps_working_from_addresses_that_never_failed(settings: Settings) -> None:
    with _clients(settings) as client:
        for n in range(20):  # twenty addresses, one failure each: the user is at the limit
            assert _rewards(client, f"10.1.0.{n}", f"guess{n}") == "no_valid_session"
        assert _rewards(client, "10.2.0.1", KEY) == "success"  # the real integration
        assert _rewards(client, "10.1.0.99", "guess-new") == "no_valid_session"  # one try from a new address...
        assert _rewards(client, "10.1.0.99", KEY) == "too_many_attempts"  # ...then it failed for the user: refused
        assert _rewards(client, "10.2.0.1", KEY) == "success"
        assert _rewards(client, "10.1.0.3", KEY) == "too_many_attempts"  # it failed for this user in the window


@pytest.mark.parametrize("user", ["john1970", "nobody1970"])
def test_known_and_unknown_users_are_throttled_alike(settings: Settings, user: str) -> None:
    with _clients(settings) as client:
        answers = [_rewards(client, "10.3.0.1", f"guess{n}", user) for n in range(22)]
    assert answers == ["no_valid_session"] * 20 + ["too_many_attempts"] * 2


def test_the_throttle_forgets_the_oldest_keys_when_it_tracks_too_many() -> None:
    throttle = LoginThrottle(limit=2, window=60, max_tracked=30)
    for n in range(100):
        throttle.failed("acct", f"user{n}", f"10.0.{n}.1")
    assert len(throttle._failures) <= 30
    throttle.failed("acct", "user99", "10.0.99.1")
    assert not throttle.allows("acct", "user99", "10.0.99.1")  # the newest are still known
