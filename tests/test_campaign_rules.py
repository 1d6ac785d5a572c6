"""The rules of ``campaign_rules``: fields of another campaign type, and the opt-out fields (issue 2, section 5).

Through the HTTP surface, with the stored campaign read back by ``loyalty-api campaign show``.
"""

from __future__ import annotations

from typing import Final

import pytest
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from tests.support.api import OTHER_ADMIN
from tests.support.stored import error_of, history, show, status_of, update, warnings_of

GIFTCARD: Final = "1234567890123450"
POINTS: Final = "1234567890123451"
BUYX: Final = "1234567890123452"
EARNED: Final = "1234567890123453"
EVENTS: Final = "1234567890123454"
LEGACY_POINTS: Final = "1234567890123455"  # transactions already recorded
CLUB: Final = "WidgetClub"
OTHERCO_POINTS: Final = "9999999999999999"  # otherco is in no coalition and no two-tier program

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

# --- fields of another campaign type --------------------------------------------------------------------

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


# --- opt-outs ----------------------------------------------------------------------------------------------


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
    root = update(client, LEGACY_POINTS, {field: "Y", "new_campaign_name": "Legacy Points 2", "new_points_ratio": "60"})
    assert status_of(root) == "updated"
    warnings = warnings_of(root)
    assert len(warnings) == 1
    assert field in warnings[0] and "transactions" in warnings[0]
    shown = show(settings, LEGACY_POINTS)
    assert (shown["name"], shown["points_ratio"], shown[field]) == ("Legacy Points 2", "60", False)
    changed = [change["field"] for change in history(settings, LEGACY_POINTS)[0]["changes"]]
    assert sorted(changed) == ["name", "points_ratio"]


def test_both_opt_outs_after_transactions_warn_twice_in_json(client: TestClient, settings: Settings) -> None:
    data = {
        "account_id": "greatwidgets",
        "user_id": "john1970",
        "user_password": "1959caadac9b13dcb3",
        "type": "campaign_update",
        "action": "campaign",
        "campaign_id": LEGACY_POINTS,
        "coalition_opt_out": "yes",
        "two_tier_opt_out": "Y",
        "output": "JSON",
    }
    answer = client.post("/api.php", data=data).json()
    assert answer["status"] == "updated"
    assert answer["campaign"] == {"id": LEGACY_POINTS}
    assert len(answer["warnings"]) == 2
    assert [w.split(" ")[0] for w in answer["warnings"]] == ["coalition_opt_out", "two_tier_opt_out"]
    assert history(settings, LEGACY_POINTS) == []


def test_opt_in_after_transactions_equal_to_current_warns_nothing(client: TestClient) -> None:
    root = update(client, LEGACY_POINTS, {"coalition_opt_out": "N", "two_tier_opt_out": "no"})
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
