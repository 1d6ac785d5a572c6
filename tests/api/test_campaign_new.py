"""``type=campaign_new``, ``action=campaign``: creating campaigns over HTTP, checked through the API and the CLI."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

import pytest
from starlette.testclient import TestClient

from loyalty_api.campaigns import campaign_new
from loyalty_api.config import Settings
from tests.support.api import call, error_of, status_of, warnings_of
from tests.support.campaigns import update
from tests.support.cli import history, show
from tests.support.demo import BUYX, GIFTCARD, OTHERCO_POINTS
from tests.support.golden import GoldenCase, golden_tests
from tests.support.users import ADMIN, CLERK, MANAGER, OTHER_ADMIN, User

NEW: Final = {"type": "campaign_new", "action": "campaign"}

CASES: Final = [
    GoldenCase(
        "success",
        {**NEW, "campaign_type": "points", "campaign_name": "Spring Points", "points_ratio": "10", "reward_ratio": "5"},
        changes_state=True,
    ),
    GoldenCase(
        "success_with_warnings",
        {**NEW, "campaign_type": "giftcard", "campaign_name": "Other Card", "coalition_opt_out": "Y"},
        user=OTHER_ADMIN,
        changes_state=True,
    ),
    GoldenCase("missing_type", {**NEW, "campaign_name": "No Type"}),
    GoldenCase("missing_name", {**NEW, "campaign_type": "points", "campaign_name": "  "}),
    GoldenCase("unknown_type", {**NEW, "campaign_type": "stamps", "campaign_name": "Stamps"}),
    GoldenCase("manager_denied", {**NEW, "campaign_type": "points", "campaign_name": "Mine"}, user=MANAGER),
    GoldenCase("clerk_denied", {**NEW, "campaign_type": "points", "campaign_name": "Mine"}, user=CLERK),
    GoldenCase("name_too_long", {**NEW, "campaign_type": "events", "campaign_name": "n" * 256}),
    GoldenCase(
        "field_of_another_type", {**NEW, "campaign_type": "giftcard", "campaign_name": "G", "points_ratio": "5"}
    ),
    GoldenCase("latitude_without_longitude", {**NEW, "campaign_type": "events", "campaign_name": "E", "latitude": "1"}),
    GoldenCase(
        "latitude_out_of_range",
        {**NEW, "campaign_type": "events", "campaign_name": "E", "latitude": "90.5", "longitude": "0"},
    ),
]


test_answers_match_golden_files, test_no_stray_golden_files = golden_tests("campaigns/campaign_new", CASES)


def _create(client: TestClient, user: User = ADMIN, **fields: str) -> str:
    root = call(client, {**NEW, **fields}, user)
    assert status_of(root) == "success", root.findtext("error")
    campaign_id = root.findtext("campaign/id")
    assert campaign_id is not None
    return campaign_id


def _listed(client: TestClient, user: User = ADMIN) -> dict[str, dict[str, str]]:
    root = call(client, {"type": "campaigns_list"}, user)
    return {str(c.findtext("id")): {child.tag: child.text or "" for child in c} for c in root.findall("campaigns/")}


def test_new_campaign_gets_a_new_16_digit_id(client: TestClient) -> None:
    ids = {_create(client, campaign_type="events", campaign_name=f"E{n}") for n in range(5)}
    assert len(ids) == 5
    assert all(re.fullmatch(r"[1-9]\d{15}", campaign_id) for campaign_id in ids)


def test_ids_in_use_live_or_archived_are_never_chosen(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    assert status_of(call(client, {"type": "campaign_delete", "campaign_id": BUYX})) == "success"
    # The generator offers a live id, then an archived one, then a free one: the free one is taken.
    offered: Iterator[str] = iter([GIFTCARD, BUYX, OTHERCO_POINTS, "5555555555555555"])
    monkeypatch.setattr(campaign_new, "new_campaign_id", lambda: next(offered))
    assert _create(client, campaign_type="events", campaign_name="Lucky") == "5555555555555555"


def test_points_defaults_and_values(client: TestClient, settings: Settings) -> None:
    default = show(settings, _create(client, campaign_type="points", campaign_name="Default Points"))
    assert (default["points_ratio"], default["reward_ratio"]) == ("100", None)
    blank = show(
        settings, _create(client, campaign_type="points", campaign_name="Blank", points_ratio=" ", reward_ratio="")
    )
    assert (blank["points_ratio"], blank["reward_ratio"]) == ("100", None)
    given = show(
        settings,
        _create(client, campaign_type="POINTS", campaign_name="  Given  ", points_ratio="2,5", reward_ratio="18.0000"),
    )
    assert (given["type"], given["name"], given["points_ratio"], given["reward_ratio"]) == (
        "points",
        "Given",
        "2.5",
        "18",
    )
    assert given["active"] is True


def test_earned_amount_per_event(client: TestClient, settings: Settings) -> None:
    assert show(settings, _create(client, campaign_type="earned", campaign_name="E"))["amount_per_event"] == "0.00"
    created = _create(client, campaign_type="earned", campaign_name="E2", amount_per_event="4,95")
    assert show(settings, created)["amount_per_event"] == "4.95"
    root = call(client, {**NEW, "campaign_type": "earned", "campaign_name": "E3", "amount_per_event": "1.234"})
    assert error_of(root)[0] == "parameter_invalid"


@pytest.mark.parametrize(
    ("campaign_type", "field"),
    [
        ("giftcard", "points_ratio"),
        ("events", "reward_ratio"),
        ("points", "amount_per_event"),
        ("buyx", "points_ratio"),
    ],
)
def test_field_of_another_type(client: TestClient, campaign_type: str, field: str) -> None:
    root = call(client, {**NEW, "campaign_type": campaign_type, "campaign_name": "X", field: "5"})
    code, message = error_of(root)
    assert code == "parameter_mismatch"
    assert field in message and campaign_type in message
    # Sent blank, as HTML forms send every input, it carries nothing.
    assert (
        status_of(call(client, {**NEW, "campaign_type": campaign_type, "campaign_name": "X", field: ""})) == "success"
    )


def test_description(client: TestClient, settings: Settings) -> None:
    created = _create(client, campaign_type="giftcard", campaign_name="D", description="  Ten percent off  ")
    assert show(settings, created)["description"] == "Ten percent off"
    assert (
        show(settings, _create(client, campaign_type="giftcard", campaign_name="D2", description=" "))["description"]
        is None
    )
    root = call(client, {**NEW, "campaign_type": "giftcard", "campaign_name": "D3", "description": "d" * 1001})
    assert error_of(root) == ("string_parameter_too_long", "The field description is longer than 1000 characters.")


@pytest.mark.parametrize(
    ("latitude", "longitude", "expected"),
    [
        ("40.7128", "-74.0060", ("40.7128", "-74.006")),
        ("-90", "180", ("-90", "180")),
        ("+45,5", "-0", ("45.5", "0")),
        ("90.0001", "0", "parameter_invalid"),
        ("0", "-180.5", "parameter_invalid"),
        ("north", "0", "parameter_invalid"),
        ("1.123456789", "0", "parameter_invalid"),
        ("1", "", "parameter_mismatch"),
        ("", "1", "parameter_mismatch"),
    ],
)
def test_coordinates(
    client: TestClient, settings: Settings, latitude: str, longitude: str, expected: tuple[str, str] | str
) -> None:
    root = call(
        client, {**NEW, "campaign_type": "events", "campaign_name": "Geo", "latitude": latitude, "longitude": longitude}
    )
    if isinstance(expected, str):
        assert error_of(root)[0] == expected
        return
    campaign_id = str(root.findtext("campaign/id"))
    created = {c["field"]: c["new"] for c in history(settings, campaign_id)[0]["changes"]}
    assert (created["latitude"], created["longitude"]) == expected


def test_opt_outs_in_a_coalition_account(client: TestClient, settings: Settings) -> None:
    joined = show(settings, _create(client, campaign_type="points", campaign_name="In"))
    assert (joined["coalition_opt_out"], joined["two_tier_opt_out"]) == (False, False)
    root = call(
        client,
        {**NEW, "campaign_type": "points", "campaign_name": "Out", "coalition_opt_out": "yes", "two_tier_opt_out": "y"},
    )
    assert warnings_of(root) == []
    out = show(settings, str(root.findtext("campaign/id")))
    assert (out["coalition_opt_out"], out["two_tier_opt_out"]) == (True, True)
    assert (
        error_of(call(client, {**NEW, "campaign_type": "points", "campaign_name": "?", "coalition_opt_out": "maybe"}))[
            0
        ]
        == "parameter_invalid"
    )


def test_opt_outs_outside_any_program_are_warned_and_ignored(client: TestClient, settings: Settings) -> None:
    root = call(
        client,
        {**NEW, "campaign_type": "points", "campaign_name": "Other", "coalition_opt_out": "Y", "two_tier_opt_out": "N"},
        OTHER_ADMIN,
    )
    assert warnings_of(root) == [
        "coalition_opt_out was ignored: account otherco is not in a coalition.",
        "two_tier_opt_out was ignored: account otherco is not in a two-tier program.",
    ]
    stored = show(settings, str(root.findtext("campaign/id")), "otherco")
    assert (stored["coalition_opt_out"], stored["two_tier_opt_out"]) == (False, False)


def test_rights(client: TestClient, settings: Settings) -> None:
    for user in (MANAGER, CLERK):
        root = call(client, {**NEW, "campaign_type": "points", "campaign_name": "Nope"}, user)
        assert error_of(root) == ("permission_denied", f"The user {user[1]} may not create campaigns.")
    # Role comes before values: a manager's bad request is still refused for the role.
    assert (
        error_of(call(client, {**NEW, "campaign_type": "bad", "campaign_name": "N"}, MANAGER))[0] == "permission_denied"
    )
    # Required fields come before the role.
    assert error_of(call(client, {**NEW, "campaign_name": "N"}, CLERK))[0] == "parameter_missing"
    other = _create(client, OTHER_ADMIN, campaign_type="points", campaign_name="Theirs")
    assert other in _listed(client, OTHER_ADMIN)
    assert other not in _listed(client, ADMIN)
    assert show(settings, other, "otherco")["account_id"] == "otherco"


def test_created_campaign_can_be_updated_and_is_listed(client: TestClient, settings: Settings) -> None:
    campaign_id = _create(client, campaign_type="points", campaign_name="Fresh", description="New")
    listed = _listed(client)[campaign_id]
    assert listed["name"] == "Fresh"
    assert (listed["type"], listed["description"], listed["points_ratio"], listed["reward_ratio"]) == (
        "points",
        "New",
        "100",
        "",
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", listed["created_stamp"])
    assert (
        status_of(update(client, campaign_id, {"new_campaign_name": "Renamed", "new_reward_ratio": "7"})) == "updated"
    )
    listed = _listed(client)[campaign_id]
    assert (listed["name"], listed["reward_ratio"]) == ("Renamed", "7")
    actions = [(record["action"], record["user_id"]) for record in history(settings, campaign_id)]
    assert actions == [("create", "john1970"), ("update", "john1970")]


def test_creation_is_audited_with_every_value(client: TestClient, settings: Settings) -> None:
    campaign_id = _create(
        client, campaign_type="earned", campaign_name="VIP", amount_per_event="5", description="d", two_tier_opt_out="Y"
    )
    (record,) = history(settings, campaign_id)
    assert (record["entity"], record["entity_id"], record["action"]) == ("campaign", campaign_id, "create")
    assert record["changes"] == [
        {"field": "type", "old": None, "new": "earned"},
        {"field": "name", "old": None, "new": "VIP"},
        {"field": "description", "old": None, "new": "d"},
        {"field": "amount_per_event", "old": None, "new": "5.00"},
        {"field": "coalition_opt_out", "old": None, "new": False},
        {"field": "two_tier_opt_out", "old": None, "new": True},
        {"field": "active", "old": None, "new": True},
    ]


def test_refused_creation_writes_nothing(client: TestClient, settings: Settings) -> None:
    before = set(_listed(client))
    call(client, {**NEW, "campaign_type": "points", "campaign_name": "Bad", "points_ratio": "-1"})
    assert set(_listed(client)) == before
