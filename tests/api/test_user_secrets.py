"""Users made over the API: their keys and PINs never reach the audit table nor the log, a new user logs in at
once on another node of the same database, and a deleted one is refused there within the login cache's time."""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Final

import pytest
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from loyalty_api.web.app import create_app
from tests.support.api import call, call_json, error_of
from tests.support.balances import run_sql
from tests.support.demo import GIFTCARD
from tests.support.users import ADMIN, OWNER

GIVEN_KEY: Final = "g1v3nk3yg1v3nk3yZZ"
NEW_KEY: Final = "s3c0ndk3ys3c0ndk3yQQ"
OWNER_KEY: Final = "0wn3rsn3wk3y0wn3rsn3wk3y"
PINS: Final = ("73519", "86420", "Pin2468")
CACHE_SECONDS: Final = 1.0


def test_keys_and_pins_never_reach_the_audit_or_the_log(
    client: TestClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    base = {"user_role": "K", "allowed_campaigns": GIFTCARD}
    made = call_json(client, {"type": "user_new", "user_name": "sec1", "user_new_password": GIVEN_KEY, **base})
    generated = call_json(client, {"type": "user_new", "user_name": "sec2", "user_PIN": PINS[0], **base})
    assert made["status"] == generated["status"] == "success"
    generated_key = generated["user"]["user_api_key"]
    updates = [
        {"type": "user_update", "user_name": "sec1", "user_PIN": PINS[1], "user_new_password": NEW_KEY},
        {"type": "user_update", "user_name": "sec2", "user_PIN": PINS[2], "user_first_name": "Sec"},
        {"type": "user_update", "user_name": "sec2", "user_PIN": ""},
        {"type": "campaign_users", "action": "remove", "campaign_id": GIFTCARD, "users": "sec1,sec2"},
        {"type": "user_delete", "user_name": "sec1"},
    ]
    for fields in updates:
        assert call(client, fields).get("status") == "success", fields
    owner_key = {"type": "user_update", "user_name": "greatwidgets", "user_new_password": OWNER_KEY}
    assert call(client, owner_key, OWNER).get("status") == "success"
    refused = call(client, {"type": "user_new", "user_name": "sec3", "user_PIN": PINS[2], **base, "user_role": "Q"})
    assert error_of(refused)[0] == "parameter_invalid"

    audit = "\n".join(repr(row) for row in run_sql(settings, "SELECT * FROM audit"))
    assert "'sec1'" in audit and "'sec2'" in audit and "'greatwidgets'" in audit  # the changes are there
    archive = repr(run_sql(settings, "SELECT * FROM users_archive"))
    log = caplog.text
    for secret in (GIVEN_KEY, NEW_KEY, OWNER_KEY, generated_key, *PINS, ADMIN[2], OWNER[2]):
        assert secret not in audit, secret
        assert secret not in log, secret
        assert secret not in archive, secret
    assert "sha256v1$" not in audit and "sha256v1$" not in log


def _node(settings: Settings) -> TestClient:
    return TestClient(create_app(dataclasses.replace(settings, login_cache_seconds=CACHE_SECONDS)))


def test_a_new_user_logs_in_at_once_on_another_node_and_a_deleted_one_is_refused_in_time(settings: Settings) -> None:
    new = {"type": "user_new", "user_name": "roamer", "user_role": "K", "allowed_campaigns": "all"}
    with _node(settings) as first, _node(settings) as second:
        key = call_json(first, new)["user"]["user_api_key"]
        roamer = ("greatwidgets", "roamer", key)
        assert call(second, {"type": "user_info"}, roamer).findtext("user/user_id") == "roamer"  # at once
        assert call(first, {"type": "user_delete", "user_name": "roamer"}).get("status") == "success"
        deleted_at = time.monotonic()
        assert error_of(call(first, {"type": "user_info"}, roamer))[0] == "no_valid_session"
        # user_info reads the user itself: refused on the second node too, even with the login still kept.
        assert error_of(call(second, {"type": "user_info"}, roamer))[0] == "no_valid_session"
        # The second node may still accept the key it looked up, for the login cache's time at most.
        while call(second, {"type": "campaigns_list"}, roamer).get("status") == "success":
            assert time.monotonic() - deleted_at <= CACHE_SECONDS + 0.5
            time.sleep(0.05)
        assert error_of(call(second, {"type": "campaigns_list"}, roamer))[0] == "no_valid_session"
        assert error_of(call(second, {"type": "user_info"}, roamer))[0] == "no_valid_session"
