"""The audit trail of campaign changes (issue 2, section 6) and the CLI that shows it (section 1).

Every successful update that changes something appends one record: when, which user, which account
and campaign, and each changed field with its old and new value.  ``loyalty-api campaign history``
prints the records one JSON object per line, oldest first; ``loyalty-api campaign show`` prints the
stored campaign.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Final

from starlette.testclient import TestClient

from loyalty_api.config import Settings
from tests.support.api import CLERK, MANAGER, OTHER_ADMIN, SHOW_KEYS
from tests.support.stored import error_of, history, run_cli, show, status_of, update

POINTS: Final = "1234567890123451"
EARNED: Final = "1234567890123453"
EVENTS: Final = "1234567890123454"
LEGACY_POINTS: Final = "1234567890123455"


def _changes(record: dict[str, object]) -> dict[str, tuple[object, object]]:
    changes = record["changes"]
    assert isinstance(changes, list)
    return {c["field"]: (c["old"], c["new"]) for c in changes}


def test_an_update_appends_one_record_with_old_and_new_values(client: TestClient, settings: Settings) -> None:
    fields = {
        "new_campaign_name": "Points!",
        "description": "About",
        "new_points_ratio": "12,5",
        "new_reward_ratio": "",
        "coalition_opt_out": "Y",
    }
    assert status_of(update(client, POINTS, fields)) == "updated"
    [record] = history(settings, POINTS)
    assert (record["account_id"], record["user_id"]) == ("greatwidgets", "john1970")
    assert (record["entity"], record["entity_id"], record["action"]) == ("campaign", POINTS, "update")
    assert _changes(record) == {
        "name": ("Widget Rewards", "Points!"),
        "description": (None, "About"),
        "points_ratio": ("100", "12.5"),
        "reward_ratio": ("18", None),
        "coalition_opt_out": (False, True),
    }
    assert record["at"] == show(settings, POINTS)["updated_at"]


def test_only_the_fields_that_change_are_recorded(client: TestClient, settings: Settings) -> None:
    update(
        client, POINTS, {"new_campaign_name": "Widget Rewards", "new_points_ratio": "100.00", "new_reward_ratio": "9"}
    )
    [record] = history(settings, POINTS)
    assert _changes(record) == {"reward_ratio": ("18", "9")}


def test_money_is_recorded_with_two_decimals(client: TestClient, settings: Settings) -> None:
    update(client, EARNED, {"new_amount_per_event": ""}, MANAGER)
    update(client, EARNED, {"new_amount_per_event": "6"}, MANAGER)
    first, second = history(settings, EARNED)
    assert _changes(first) == {"amount_per_event": ("5.95", "0.00")}
    assert _changes(second) == {"amount_per_event": ("0.00", "6.00")}
    assert first["user_id"] == second["user_id"] == "mgr1970"


def test_history_is_in_order_one_object_per_line(client: TestClient, settings: Settings) -> None:
    for name in ("One", "Two", "Three"):
        assert status_of(update(client, EVENTS, {"new_campaign_name": name})) == "updated"
    out = run_cli(settings, "campaign", "history", EVENTS, "--account", "greatwidgets")
    lines = out.splitlines()
    assert len(lines) == 3
    records = [json.loads(line) for line in lines]
    assert [_changes(r)["name"] for r in records] == [("Widget Check-ins", "One"), ("One", "Two"), ("Two", "Three")]
    ids = [r["id"] for r in records]
    assert ids == sorted(ids) and len(set(ids)) == 3
    times = [datetime.fromisoformat(r["at"]) for r in records]
    assert times == sorted(times)


def test_no_change_appends_nothing(client: TestClient, settings: Settings) -> None:
    before = show(settings, EVENTS)
    same = {"new_campaign_name": "Widget Check-ins", "coalition_opt_out": "n", "two_tier_opt_out": ""}
    assert status_of(update(client, EVENTS, same)) == "updated"
    assert history(settings, EVENTS) == []
    assert show(settings, EVENTS)["updated_at"] == before["updated_at"]


def test_refused_requests_append_nothing(client: TestClient, settings: Settings) -> None:
    assert error_of(update(client, POINTS, {"new_campaign_name": "X"}, CLERK))[0] == "permission_denied"
    assert error_of(update(client, POINTS, {"new_campaign_name": "X"}, OTHER_ADMIN))[0] == "campaign_not_found"
    assert error_of(update(client, POINTS, {"new_campaign_name": "X", "new_points_ratio": "0"}))[0] == (
        "parameter_invalid"
    )
    assert history(settings, POINTS) == []


def test_ignored_opt_outs_alone_append_nothing(client: TestClient, settings: Settings) -> None:
    update(client, LEGACY_POINTS, {"coalition_opt_out": "Y", "two_tier_opt_out": "Y"})
    assert history(settings, LEGACY_POINTS) == []


def test_history_is_per_campaign_and_per_account(client: TestClient, settings: Settings) -> None:
    update(client, POINTS, {"new_campaign_name": "A"})
    update(client, EVENTS, {"new_campaign_name": "B"})
    assert [_changes(r)["name"][1] for r in history(settings, POINTS)] == ["A"]
    assert history(settings, POINTS, "otherco") == []


# --- campaign show -----------------------------------------------------------------------------------------


def test_show_prints_exactly_the_keys_of_issue_2(settings: Settings) -> None:
    out = run_cli(settings, "campaign", "show", POINTS, "--account", "greatwidgets")
    assert len(out.splitlines()) == 1
    shown = json.loads(out)
    assert list(shown) == SHOW_KEYS
    assert {k: shown[k] for k in SHOW_KEYS[:11]} == {
        "id": POINTS,
        "account_id": "greatwidgets",
        "type": "points",
        "name": "Widget Rewards",
        "description": None,
        "points_ratio": "100",
        "reward_ratio": "18",
        "amount_per_event": None,
        "coalition_opt_out": False,
        "two_tier_opt_out": False,
        "active": True,
    }
    created = datetime.fromisoformat(shown["created_at"])
    assert created.utcoffset() == timedelta(0)
    assert shown["updated_at"] == shown["created_at"]


def test_show_after_an_update(client: TestClient, settings: Settings) -> None:
    update(client, EARNED, {"new_amount_per_event": "0,5", "two_tier_opt_out": "Y"})
    shown = show(settings, EARNED)
    assert (shown["type"], shown["amount_per_event"], shown["points_ratio"], shown["reward_ratio"]) == (
        "earned",
        "0.50",
        None,
        None,
    )
    assert shown["two_tier_opt_out"] is True and shown["coalition_opt_out"] is False
    assert shown["updated_at"] > shown["created_at"]
