"""``type=campaign_update&action=campaign`` through the real HTTP surface.

Each test sends requests to the app and reads the stored campaign back with ``loyalty-api campaign show``:
absent and blank for every field, every campaign type, the number and length rules, all or nothing, the order in
which the checks answer, fields of another campaign type, the opt-outs, and the audit trail every change
appends (``loyalty-api campaign history`` prints its records one JSON object per line, oldest first).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Final

import pytest
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from tests.support.api import call, credentials, error_of, status_of, warnings_of, xml_of
from tests.support.campaigns import update
from tests.support.cli import history, run_cli, show
from tests.support.demo import BUYX, CLUB, EARNED, EVENTS, GIFTCARD, LEGACY, OTHERCO_POINTS, POINTS, SPEC_GIFTCARD
from tests.support.users import ADMIN, CLERK, MANAGER, OTHER_ADMIN, User

UNKNOWN: Final = "1234567890123999"
TYPES: Final = {
    GIFTCARD: "giftcard",
    POINTS: "points",
    BUYX: "buyx",
    EARNED: "earned",
    EVENTS: "events",
    CLUB: "events",
}


OWNER: Final = {"new_points_ratio": "points", "new_reward_ratio": "points", "new_amount_per_event": "earned"}
OPT_OUTS: Final = ("coalition_opt_out", "two_tier_opt_out")


def _updated(client: TestClient, campaign_id: str, fields: dict[str, str]) -> None:
    root = update(client, campaign_id, fields)
    assert status_of(root) == "updated", error_of(root)
    assert root.findtext("campaign/id") == campaign_id


def _refused(client: TestClient, campaign_id: str, fields: dict[str, str], user: User = ADMIN) -> str:
    """Send an update that must fail; its error code."""
    code, _message = error_of(update(client, campaign_id, fields, user))
    return code


# --- the specification's examples, one per campaign type -------------------------------------------------------------


@pytest.mark.parametrize("campaign_id", [GIFTCARD, BUYX, EVENTS, CLUB])
def test_name_and_description_of_every_type(client: TestClient, settings: Settings, campaign_id: str) -> None:
    before = show(settings, campaign_id)
    _updated(client, campaign_id, {"new_campaign_name": "New Widget Card Name", "description": "New Description"})
    after = show(settings, campaign_id)
    assert (after["name"], after["description"]) == ("New Widget Card Name", "New Description")
    assert after["id"] == campaign_id  # ids never change
    unchanged = {k: v for k, v in after.items() if k not in ("name", "description", "updated_at")}
    assert unchanged == {k: v for k, v in before.items() if k not in ("name", "description", "updated_at")}


def test_points_campaign_as_in_the_specification(client: TestClient, settings: Settings) -> None:
    fields = {"new_campaign_name": "New Widget Rewards Name", "description": "New Campaign Description Here"}
    _updated(client, POINTS, {**fields, "new_points_ratio": "120", "new_reward_ratio": "20"})
    shown = show(settings, POINTS)
    assert (shown["name"], shown["points_ratio"], shown["reward_ratio"]) == ("New Widget Rewards Name", "120", "20")


def test_earned_campaign_as_in_the_specification(client: TestClient, settings: Settings) -> None:
    _updated(client, EARNED, {"new_campaign_name": "New Widget VIP Name", "new_amount_per_event": "6.5"})
    shown = show(settings, EARNED)
    assert (shown["name"], shown["amount_per_event"]) == ("New Widget VIP Name", "6.50")


def test_the_specification_s_success_document(client: TestClient) -> None:
    reply = client.post("/api.php", data=SPEC_GIFTCARD)
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "text/xml; charset=utf-8"
    assert (
        reply.content.replace(b"\n", b"")
        .replace(b"  ", b"")
        .endswith(b'<response status="updated"><campaign><id>1234567890123450</id></campaign></response>')
    )


def test_json_success_document(client: TestClient) -> None:
    data = {**credentials(), "type": "campaign_update"}
    reply = client.post("/", data={**data, "action": "campaign", "campaign_id": POINTS, "output": "json"})
    assert reply.json() == {"status": "updated", "campaign": {"id": POINTS}}


# --- absent versus blank, field by field ---------------------------------------------------------------------------


def test_nothing_to_change_still_answers_updated(client: TestClient, settings: Settings) -> None:
    before = show(settings, POINTS)
    _updated(client, POINTS, {})
    assert show(settings, POINTS) == before


def test_name_absent_or_blank_leaves_it(client: TestClient, settings: Settings) -> None:
    _updated(client, GIFTCARD, {"description": "d"})
    _updated(client, GIFTCARD, {"new_campaign_name": ""})
    _updated(client, GIFTCARD, {"new_campaign_name": "   "})
    assert show(settings, GIFTCARD)["name"] == "Widget Card"


def test_name_is_trimmed_and_limited_to_255_characters(client: TestClient, settings: Settings) -> None:
    _updated(client, GIFTCARD, {"new_campaign_name": "  " + "é" * 255 + "\t"})
    assert show(settings, GIFTCARD)["name"] == "é" * 255
    code, message = error_of(update(client, GIFTCARD, {"new_campaign_name": "x" * 256}))
    assert code == "string_parameter_too_long"
    assert "new_campaign_name" in message and "255" in message
    assert show(settings, GIFTCARD)["name"] == "é" * 255


def test_one_character_name(client: TestClient, settings: Settings) -> None:
    _updated(client, GIFTCARD, {"new_campaign_name": " Z "})
    assert show(settings, GIFTCARD)["name"] == "Z"


def test_description_absent_leaves_it_and_blank_clears_it(client: TestClient, settings: Settings) -> None:
    _updated(client, EVENTS, {"description": "  You can check-in at 3rd and 5th.  "})
    assert show(settings, EVENTS)["description"] == "You can check-in at 3rd and 5th."
    _updated(client, EVENTS, {"new_campaign_name": "Check-ins"})
    assert show(settings, EVENTS)["description"] == "You can check-in at 3rd and 5th."
    _updated(client, EVENTS, {"description": ""})
    assert show(settings, EVENTS)["description"] is None


def test_description_up_to_1000_characters(client: TestClient, settings: Settings) -> None:
    _updated(client, EVENTS, {"description": "d" * 1000})
    assert show(settings, EVENTS)["description"] == "d" * 1000
    code, message = error_of(update(client, EVENTS, {"description": "e" * 1001}))
    assert code == "string_parameter_too_long"
    assert "description" in message and "1000" in message
    assert show(settings, EVENTS)["description"] == "d" * 1000


def test_points_ratio_absent_or_blank_leaves_it(client: TestClient, settings: Settings) -> None:
    _updated(client, POINTS, {"new_points_ratio": ""})
    _updated(client, POINTS, {"new_points_ratio": " "})
    _updated(client, POINTS, {"new_reward_ratio": "19"})
    shown = show(settings, POINTS)
    assert (shown["points_ratio"], shown["reward_ratio"]) == ("100", "19")


def test_reward_ratio_absent_leaves_it_and_blank_clears_it(client: TestClient, settings: Settings) -> None:
    _updated(client, POINTS, {"new_points_ratio": "90"})
    assert show(settings, POINTS)["reward_ratio"] == "18"
    _updated(client, POINTS, {"new_reward_ratio": ""})
    shown = show(settings, POINTS)
    assert (shown["points_ratio"], shown["reward_ratio"]) == ("90", None)
    _updated(client, POINTS, {"new_reward_ratio": "17,5"})
    assert show(settings, POINTS)["reward_ratio"] == "17.5"


def test_amount_per_event_absent_leaves_it_and_blank_sets_zero(client: TestClient, settings: Settings) -> None:
    _updated(client, EARNED, {"new_campaign_name": "VIP"})
    assert show(settings, EARNED)["amount_per_event"] == "5.95"
    _updated(client, EARNED, {"new_amount_per_event": ""})
    assert show(settings, EARNED)["amount_per_event"] == "0.00"
    _updated(client, EARNED, {"new_amount_per_event": "9,95"})
    assert show(settings, EARNED)["amount_per_event"] == "9.95"
    _updated(client, EARNED, {"new_amount_per_event": "0"})
    assert show(settings, EARNED)["amount_per_event"] == "0.00"


# --- numbers -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("9,95", "9.95"),
        ("9.95", "9.95"),
        ("0.0001", "0.0001"),
        ("1.2345", "1.2345"),
        ("100.50000", "100.5"),
        ("007", "7"),
        (".5", "0.5"),
        ("5.", "5"),
        ("123456789012", "123456789012"),
        ("123456789012.9999", "123456789012.9999"),
        (" 42 ", "42"),
        ("1,000", "1"),  # "," is the decimal separator: one, not a thousand (docs/campaign_update.md)
    ],
)
def test_ratio_accepted(client: TestClient, settings: Settings, text: str, stored: str) -> None:
    _updated(client, POINTS, {"new_points_ratio": text})
    assert show(settings, POINTS)["points_ratio"] == stored


@pytest.mark.parametrize(
    "text",
    [
        "1e2",
        "1E2",
        "+5",
        "-5",
        "1,000.50",
        "1.000,50",
        "1 000",
        "1_000",
        "1'000",
        "NaN",
        "nan",
        "Infinity",
        "inf",
        "-Infinity",
        "sNaN",
        "1234567890123",
        "0.00001",
        "1.23456",
        "0",
        "0.0",
        "0,0000",
        "000",
        ".0",
        ",0000",
        ".",
        ",",
        "1.2.3",
        "12abc",
        "٥",  # an Arabic-Indic digit: Decimal() would take it
        "５",  # a full-width digit
        "0x10",
        "$5",
        "5%",
    ],
)
@pytest.mark.parametrize("field", ["new_points_ratio", "new_reward_ratio"])
def test_ratio_refused(client: TestClient, settings: Settings, field: str, text: str) -> None:
    before = show(settings, POINTS)
    code, message = error_of(update(client, POINTS, {field: text}))
    assert code == "parameter_invalid"
    assert field in message
    assert show(settings, POINTS) == before


@pytest.mark.parametrize(
    ("text", "stored"), [("5.950", "5.95"), ("0,5", "0.50"), ("0.00", "0.00"), (".00", "0.00"), ("12", "12.00")]
)
def test_money_accepted(client: TestClient, settings: Settings, text: str, stored: str) -> None:
    _updated(client, EARNED, {"new_amount_per_event": text})
    assert show(settings, EARNED)["amount_per_event"] == stored


@pytest.mark.parametrize(
    "text", ["5.951", "0.001", "-1", "-0.01", "+1", "1e1", "NaN", "Infinity", "1,000.00", "1" * 13]
)
def test_money_refused(client: TestClient, settings: Settings, text: str) -> None:
    code, message = error_of(update(client, EARNED, {"new_amount_per_event": text}))
    assert code == "parameter_invalid"
    assert "new_amount_per_event" in message
    assert show(settings, EARNED)["amount_per_event"] == "5.95"


def test_refusal_says_why(client: TestClient) -> None:
    assert "12 digits" in error_of(update(client, POINTS, {"new_points_ratio": "1234567890123"}))[1]
    assert "4 decimals" in error_of(update(client, POINTS, {"new_points_ratio": "0.12345"}))[1]
    assert "2 decimals" in error_of(update(client, EARNED, {"new_amount_per_event": "0.125"}))[1]
    assert "positive" in error_of(update(client, POINTS, {"new_points_ratio": "0"}))[1]


# --- all or nothing ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        {"new_points_ratio": "abc"},
        {"new_reward_ratio": "-1"},
        {"description": "x" * 1001},
        {"new_campaign_name": "y" * 256},
        {"coalition_opt_out": "maybe"},
        {"new_amount_per_event": "5"},
    ],
)
def test_one_bad_field_changes_nothing(client: TestClient, settings: Settings, bad: dict[str, str]) -> None:
    before = show(settings, POINTS)
    good = {
        "new_campaign_name": "Renamed",
        "description": "Described",
        "new_points_ratio": "3",
        "new_reward_ratio": "4",
    }
    root = update(client, POINTS, {**good, "two_tier_opt_out": "Y", **bad})
    assert status_of(root) == "error"
    assert show(settings, POINTS) == before
    assert history(settings, POINTS) == []


# --- which check answers first -------------------------------------------------------------------------------------


def _wrong_key(fields: dict[str, str]) -> dict[str, str]:
    return {**credentials(), "user_password": "not-the-key", **fields}


def test_credentials_before_unknown_call(client: TestClient) -> None:
    reply = client.post("/api.php", data=_wrong_key({"type": "no_such_call", "action": "x"}))
    assert error_of(xml_of(reply.content))[0] == "no_valid_session"


def test_missing_credential_field_before_unknown_call(client: TestClient) -> None:
    reply = client.post("/api.php", data={"account_id": "greatwidgets", "user_password": "x", "type": "nope"})
    code, message = error_of(xml_of(reply.content))
    assert (code, "user_id" in message) == ("parameter_missing", True)


def test_unknown_call_before_missing_campaign_id(client: TestClient) -> None:
    root = call(client, {"type": "campaign_update", "action": "no_such_action"})
    assert error_of(root)[0] == "unsupported_call"
    root = call(client, {"type": "campaign_updates", "action": "campaign"})
    assert error_of(root)[0] == "unsupported_call"


def test_missing_action_is_a_missing_field(client: TestClient) -> None:
    code, message = error_of(call(client, {"type": "campaign_update", "campaign_id": POINTS}))
    assert (code, "action" in message) == ("parameter_missing", True)


@pytest.mark.parametrize("campaign_id", [None, "", "   "])
def test_missing_campaign_id_before_field_values(client: TestClient, campaign_id: str | None) -> None:
    fields = {"type": "campaign_update", "action": "campaign", "new_points_ratio": "abc"}
    if campaign_id is not None:
        fields["campaign_id"] = campaign_id
    code, message = error_of(call(client, fields))
    assert (code, "campaign_id" in message) == ("parameter_missing", True)


def test_missing_campaign_id_before_permission(client: TestClient) -> None:
    root = call(client, {"type": "campaign_update", "action": "campaign"}, CLERK)
    assert error_of(root)[0] == "parameter_missing"


def test_not_found_before_permission_and_values(client: TestClient) -> None:
    assert _refused(client, UNKNOWN, {"new_points_ratio": "abc"}, CLERK) == "campaign_not_found"
    assert _refused(client, UNKNOWN, {"new_points_ratio": "abc"}, ADMIN) == "campaign_not_found"
    assert _refused(client, GIFTCARD, {"new_points_ratio": "abc"}, MANAGER) == "campaign_not_found"


def test_permission_before_values(client: TestClient, settings: Settings) -> None:
    assert _refused(client, POINTS, {"new_points_ratio": "abc", "description": "x" * 2000}, CLERK) == (
        "permission_denied"
    )
    assert _refused(client, GIFTCARD, {"new_points_ratio": "7"}, CLERK) == "permission_denied"
    assert show(settings, POINTS)["points_ratio"] == "100"


def test_transport_before_credentials(client: TestClient) -> None:
    reply = client.post("/api.php", data=_wrong_key({"callback": "1nvalid", "type": "campaign_update"}))
    assert reply.status_code == 400
    assert reply.json()["error_code"] == "invalid_callback"
    reply = client.put("/api.php", data=_wrong_key({}))
    assert reply.status_code == 405
    assert error_of(xml_of(reply.content))[0] == "method_not_allowed"


# --- fields of another campaign type -------------------------------------------------------------------------------


_MISMATCHES = [
    (campaign_id, field) for campaign_id, type_ in TYPES.items() for field, owner in OWNER.items() if owner != type_
]


@pytest.mark.parametrize(("campaign_id", "field"), _MISMATCHES)
def test_field_of_another_type_with_a_value_is_refused(
    client: TestClient, settings: Settings, campaign_id: str, field: str
) -> None:
    before = show(settings, campaign_id)
    code, message = error_of(update(client, campaign_id, {"new_campaign_name": "Renamed", field: "5"}))
    assert code == "parameter_mismatch"
    assert field in message
    assert f"a {TYPES[campaign_id]} campaign" in message
    assert f"{OWNER[field]} campaigns only" in message
    assert show(settings, campaign_id) == before


@pytest.mark.parametrize(("campaign_id", "field"), _MISMATCHES)
@pytest.mark.parametrize("blank", ["", "  "])
def test_field_of_another_type_sent_blank_is_ignored(
    client: TestClient, settings: Settings, campaign_id: str, field: str, blank: str
) -> None:
    before = show(settings, campaign_id)
    root = update(client, campaign_id, {"new_campaign_name": "Renamed", field: blank})
    assert status_of(root) == "updated"
    assert warnings_of(root) == []
    after = show(settings, campaign_id)
    assert after["name"] == "Renamed"
    assert {k: after[k] for k in ("points_ratio", "reward_ratio", "amount_per_event")} == {
        k: before[k] for k in ("points_ratio", "reward_ratio", "amount_per_event")
    }


def test_html_form_sending_every_input(client: TestClient, settings: Settings) -> None:
    """A form with one input per field of every type: the blank ones carry nothing."""
    fields = {
        "new_campaign_name": "Widget VIP",
        "description": "",
        "new_points_ratio": "",
        "new_reward_ratio": "",
        "new_amount_per_event": "7.25",
        "coalition_opt_out": "",
        "two_tier_opt_out": "",
    }
    root = update(client, EARNED, fields)
    assert (status_of(root), warnings_of(root)) == ("updated", [])
    shown = show(settings, EARNED)
    assert (shown["amount_per_event"], shown["points_ratio"], shown["coalition_opt_out"]) == ("7.25", None, False)


# --- opt-outs ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", OPT_OUTS)
@pytest.mark.parametrize(("out_word", "in_word"), [("Y", "N"), ("y", "n"), ("yes", "no"), ("YES", "No"), (" Y ", "n ")])
def test_opt_out_and_back_in(client: TestClient, settings: Settings, field: str, out_word: str, in_word: str) -> None:
    other = next(f for f in OPT_OUTS if f != field)
    root = update(client, POINTS, {field: out_word})
    assert (status_of(root), warnings_of(root)) == ("updated", [])
    shown = show(settings, POINTS)
    assert (shown[field], shown[other]) == (True, False)
    update(client, POINTS, {field: in_word})
    assert show(settings, POINTS)[field] is False


@pytest.mark.parametrize("field", OPT_OUTS)
def test_opt_out_absent_or_blank_leaves_it(client: TestClient, settings: Settings, field: str) -> None:
    update(client, GIFTCARD, {field: "Y"})
    for fields in ({}, {field: ""}, {field: "   "}, {"new_campaign_name": "Renamed Card"}):
        root = update(client, GIFTCARD, fields)
        assert (status_of(root), warnings_of(root)) == ("updated", [])
        assert show(settings, GIFTCARD)[field] is True


@pytest.mark.parametrize("field", OPT_OUTS)
@pytest.mark.parametrize("word", ["maybe", "1", "0", "true", "O", "yess", "Y N"])
def test_opt_out_other_words_are_refused(client: TestClient, settings: Settings, field: str, word: str) -> None:
    code, message = error_of(update(client, POINTS, {field: word}))
    assert code == "parameter_invalid"
    assert field in message
    assert show(settings, POINTS)[field] is False


@pytest.mark.parametrize("field", OPT_OUTS)
def test_opt_out_equal_to_the_current_state_changes_nothing(client: TestClient, settings: Settings, field: str) -> None:
    before = show(settings, EVENTS)
    root = update(client, EVENTS, {field: "N"})
    assert (status_of(root), warnings_of(root)) == ("updated", [])
    assert show(settings, EVENTS) == before
    assert history(settings, EVENTS) == []


@pytest.mark.parametrize("field", OPT_OUTS)
def test_opt_out_after_transactions_is_ignored_with_a_warning(
    client: TestClient, settings: Settings, field: str
) -> None:
    root = update(client, LEGACY, {field: "Y", "new_campaign_name": "Legacy Points 2", "new_points_ratio": "60"})
    assert status_of(root) == "updated"
    warnings = warnings_of(root)
    assert len(warnings) == 1
    assert field in warnings[0] and "transactions" in warnings[0]
    shown = show(settings, LEGACY)
    assert (shown["name"], shown["points_ratio"], shown[field]) == ("Legacy Points 2", "60", False)
    changed = [change["field"] for change in history(settings, LEGACY)[0]["changes"]]
    assert sorted(changed) == ["name", "points_ratio"]


def test_both_opt_outs_after_transactions_warn_twice_in_json(client: TestClient, settings: Settings) -> None:
    data = {
        **credentials(),
        "type": "campaign_update",
        "action": "campaign",
        "campaign_id": LEGACY,
        "coalition_opt_out": "yes",
        "two_tier_opt_out": "Y",
        "output": "JSON",
    }
    answer = client.post("/api.php", data=data).json()
    assert answer["status"] == "updated"
    assert answer["campaign"] == {"id": LEGACY}
    assert len(answer["warnings"]) == 2
    assert [w.split(" ")[0] for w in answer["warnings"]] == ["coalition_opt_out", "two_tier_opt_out"]
    assert history(settings, LEGACY) == []


def test_opt_in_after_transactions_equal_to_current_warns_nothing(client: TestClient) -> None:
    root = update(client, LEGACY, {"coalition_opt_out": "N", "two_tier_opt_out": "no"})
    assert (status_of(root), warnings_of(root)) == ("updated", [])


@pytest.mark.parametrize(("field", "program"), [("coalition_opt_out", "coalition"), ("two_tier_opt_out", "two-tier")])
def test_opt_out_for_an_account_in_no_program_is_ignored_with_a_warning(
    client: TestClient, settings: Settings, field: str, program: str
) -> None:
    root = update(client, OTHERCO_POINTS, {field: "Y", "new_points_ratio": "80"}, OTHER_ADMIN)
    assert status_of(root) == "updated"
    warnings = warnings_of(root)
    assert len(warnings) == 1
    assert field in warnings[0] and program in warnings[0] and "otherco" in warnings[0]
    shown = show(settings, OTHERCO_POINTS, "otherco")
    assert (shown["points_ratio"], shown[field]) == ("80", False)


def test_opt_out_of_an_account_in_no_program_is_still_checked(client: TestClient) -> None:
    code, message = error_of(update(client, OTHERCO_POINTS, {"coalition_opt_out": "perhaps"}, OTHER_ADMIN))
    assert (code, "coalition_opt_out" in message) == ("parameter_invalid", True)


# --- the audit trail -----------------------------------------------------------------------------------------------


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
    update(client, LEGACY, {"coalition_opt_out": "Y", "two_tier_opt_out": "Y"})
    assert history(settings, LEGACY) == []


def test_history_is_per_campaign_and_per_account(client: TestClient, settings: Settings) -> None:
    update(client, POINTS, {"new_campaign_name": "A"})
    update(client, EVENTS, {"new_campaign_name": "B"})
    assert [_changes(r)["name"][1] for r in history(settings, POINTS)] == ["A"]
    assert history(settings, POINTS, "otherco") == []
