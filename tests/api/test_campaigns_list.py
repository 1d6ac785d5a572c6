"""``campaigns_list`` and ``campaigns_inactive_list``: rights, search, sort and pages, over HTTP on the demo world.

The demo account ``greatwidgets`` has, oldest first: 450 giftcard "Widget Card", 451 points "Widget Rewards"
(ratios 100 and 18), 452 buyx "Buy 10 Widgets", 453 earned "Widget VIP" (5.95), 454 events "Widget Check-ins",
455 points "Legacy Points" (ratio 50), and the events campaign "WidgetClub" (id WidgetClub).
"""

from __future__ import annotations

import json
from typing import Final

import pytest
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from tests.support.api import call, credentials, error_of, status_of
from tests.support.campaigns import update
from tests.support.cli import run_cli
from tests.support.demo import GREATWIDGETS_CAMPAIGNS, OTHERCO_POINTS
from tests.support.golden import GoldenCase, golden_tests
from tests.support.users import ADMIN, CLERK, MANAGER, OTHER_ADMIN, User

LIST: Final = {"type": "campaigns_list"}
INACTIVE: Final = {"type": "campaigns_inactive_list"}
ALL: Final = list(GREATWIDGETS_CAMPAIGNS)
C450, C451, C452, C453, C454, C455, CLUB = ALL

CASES: Final = [
    GoldenCase("all", LIST),
    GoldenCase("one_is_still_an_array", {**LIST, "type_restrict": "giftcard"}),
    GoldenCase("manager_sees_allowed_only", LIST, user=MANAGER),
    GoldenCase("other_account", LIST, user=OTHER_ADMIN),
    GoldenCase("none_found", {**LIST, "searchField": "name", "searchValue": "No such campaign"}),
    GoldenCase(
        "searched_sorted_paged",
        {
            **LIST,
            "API": "1.5",
            "searchField": "campaign_name",
            "searchOper": "bw",
            "searchValue": "widget",
            "sortField": "name",
            "sortOrder": "DESC",
            "offset": "1",
            "length": "2",
        },
    ),
    GoldenCase("inactive_empty", INACTIVE, user=MANAGER),
    GoldenCase("unknown_type_restrict", {**LIST, "type_restrict": "points,stamps"}),
    GoldenCase("unknown_search_field", {**LIST, "searchField": "balance", "searchValue": "1"}),
    GoldenCase("unknown_search_operator", {**LIST, "searchField": "name", "searchOper": "gt", "searchValue": "a"}),
    GoldenCase("missing_search_value", {**LIST, "searchField": "name", "searchOper": "cn"}),
    GoldenCase("not_a_number", {**LIST, "searchField": "points_ratio", "searchValue": "lots"}),
    GoldenCase("bad_sort_field", {**LIST, "sortField": "balance"}),
    GoldenCase("bad_sort_order", {**LIST, "sortField": "name", "sortOrder": "up"}),
    GoldenCase("bad_offset", {**LIST, "offset": "-1"}),
    GoldenCase("bad_length", {**LIST, "length": "ten"}),
    GoldenCase("inactive_clerk_denied", INACTIVE, user=CLERK),
]


test_answers_match_golden_files, test_no_stray_golden_files = golden_tests("campaigns/campaigns_list", CASES)


def _ids(client: TestClient, user: User = ADMIN, **fields: str) -> list[str]:
    root = call(client, {**LIST, **fields}, user)
    assert status_of(root) == "success", root.findtext("error")
    return [str(c.findtext("id")) for c in root.findall("campaigns/campaign")]


def _search(client: TestClient, field: str, op: str, value: str) -> list[str]:
    return _ids(client, searchField=field, searchOper=op, searchValue=value)


def _pagination(client: TestClient, **fields: str) -> tuple[list[str], dict[str, str]]:
    root = call(client, {**LIST, **fields})
    pagination = {child.tag: str(child.text) for child in root.findall("pagination/")}
    return [str(c.findtext("id")) for c in root.findall("campaigns/campaign")], pagination


def _create(client: TestClient, **fields: str) -> str:
    root = call(client, {"type": "campaign_new", "action": "campaign", **fields})
    assert status_of(root) == "success", root.findtext("error")
    return str(root.findtext("campaign/id"))


@pytest.mark.parametrize(
    ("user", "expected"),
    [(ADMIN, ALL), (MANAGER, [C451, C453]), (CLERK, ALL), (OTHER_ADMIN, [OTHERCO_POINTS])],
)
def test_each_user_lists_the_campaigns_it_may_see(client: TestClient, user: User, expected: list[str]) -> None:
    assert _ids(client, user) == expected


def test_campaign_fields(client: TestClient) -> None:
    root = call(client, {**LIST, "type_restrict": "points, earned"})
    campaigns = {c.findtext("id"): {child.tag: child.text or "" for child in c} for c in root.findall("campaigns/")}
    assert list(campaigns) == [C451, C453, C455]
    points = campaigns[C451]
    assert points == {
        "id": C451,
        "name": "Widget Rewards",
        "type": "points",
        "description": "",
        "points_ratio": "100",
        "reward_ratio": "18",
        "currency": "USD",
        "glyph": "$",
        "created_stamp": points["created_stamp"],
        "in_coalition": "Y",
        "coalition_opt_out": "N",
        "two_tier_opt_out": "N",
    }
    assert list(campaigns[C453])[6:8] == ["earned_per_event", "currency"]
    assert campaigns[C453]["earned_per_event"] == "5.95"
    assert (campaigns[C453]["points_ratio"], campaigns[C453]["reward_ratio"]) == ("", "")


def test_in_coalition_follows_the_account_and_the_opt_out(client: TestClient) -> None:
    assert status_of(update(client, C450, {"coalition_opt_out": "Y", "two_tier_opt_out": "Y"})) == "updated"
    root = call(client, {**LIST, "type_restrict": "giftcard"})
    shown = {child.tag: child.text for child in root.findall("campaigns/campaign/")}
    assert (shown["in_coalition"], shown["coalition_opt_out"], shown["two_tier_opt_out"]) == ("N", "Y", "Y")
    other = call(client, LIST, OTHER_ADMIN)
    assert other.findtext("campaigns/campaign/in_coalition") == "N"


def test_type_restrict(client: TestClient) -> None:
    assert _ids(client, type_restrict="events") == [C454, CLUB]
    assert _ids(client, type_restrict=" Points ,,EVENTS") == [C451, C454, C455, CLUB]
    assert _ids(client, type_restrict="") == ALL
    assert _ids(client, type_restrict="giftcard", searchField="type", searchValue="points") == []
    assert error_of(call(client, {**LIST, "type_restrict": "points,bogus"}))[0] == "parameter_invalid"


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("eq", "WIDGET CARD", [C450]),
        ("ne", "widget card", [C451, C452, C453, C454, C455, CLUB]),
        ("bw", "widget", [C450, C451, C453, C454, CLUB]),
        ("bn", "widget", [C452, C455]),
        ("ew", "POINTS", [C455]),
        ("en", "s", [C450, C453, CLUB]),
        ("cn", "10", [C452]),
        ("nc", "widget", [C455]),
        ("in", "widget vip, WidgetClub,", [C453, CLUB]),
        ("ni", "widget vip,widgetclub", [C450, C451, C452, C454, C455]),
    ],
)
def test_each_operator_on_text(client: TestClient, op: str, value: str, expected: list[str]) -> None:
    assert _search(client, "name", op, value) == expected
    assert _search(client, "campaign_name", op.upper(), value) == expected


@pytest.mark.parametrize(
    ("field", "op", "value", "expected"),
    [
        ("points_ratio", "eq", "100.00", [C451]),
        ("points_ratio", "eq", "50", [C455]),
        ("points_ratio", "ne", "100", [C450, C452, C453, C454, C455, CLUB]),
        ("points_ratio", "in", "50, 100", [C451, C455]),
        ("points_ratio", "ni", "50", [C450, C451, C452, C453, C454, CLUB]),
        ("points_ratio", "bw", "5", [C455]),
        ("points_ratio", "bn", "1", [C450, C452, C453, C454, C455, CLUB]),
        ("points_ratio", "ew", "00", [C451]),
        ("points_ratio", "en", "0", [C450, C452, C453, C454, CLUB]),
        ("points_ratio", "cn", "0", [C451, C455]),
        ("points_ratio", "nc", "5", [C450, C451, C452, C453, C454, CLUB]),
        ("reward_ratio", "eq", "18", [C451]),
        ("earned_per_event", "eq", "5,95", [C453]),
        ("earned_per_event", "eq", "5.9500", [C453]),
        ("earned_per_event", "eq", "5.9", []),
    ],
)
def test_each_operator_on_numbers(client: TestClient, field: str, op: str, value: str, expected: list[str]) -> None:
    assert _search(client, field, op, value) == expected


def test_numbers_compare_numerically(client: TestClient) -> None:
    big = _create(client, campaign_type="points", campaign_name="Nine", points_ratio="9")
    assert _search(client, "points_ratio", "eq", "9.0") == [big]
    assert _search(client, "points_ratio", "in", "9,50") == [C455, big]
    assert _ids(client, type_restrict="points", sortField="points_ratio") == [big, C455, C451]
    assert _ids(client, type_restrict="points", sortField="points_ratio", sortOrder="desc") == [C451, C455, big]
    for value in ("lots", "1e3", "", "5..0"):
        root = call(client, {**LIST, "searchField": "points_ratio", "searchValue": value})
        assert error_of(root)[0] in ("parameter_invalid", "parameter_missing")


@pytest.mark.parametrize(
    ("field", "op", "value", "expected"),
    [
        ("type", "eq", "Points", [C451, C455]),
        ("campaign_type", "in", "events,earned", [C453, C454, CLUB]),
        ("type", "bw", "e", [C453, C454, CLUB]),
        ("type", "nc", "t", [C452, C453]),
        ("id", "cn", "club", [CLUB]),
        ("campaign_id", "eq", C452, [C452]),
        ("campaign_id", "ew", "5", [C455]),
        ("currency", "eq", "usd", ALL),
        ("currency", "eq", "EUR", []),
        ("glyph", "eq", "$", ALL),
        ("glyph", "ne", "$", []),
        ("in_coalition", "eq", "Y", ALL),
        ("in_coalition", "eq", "n", []),
        ("coalition_opt_out", "eq", "N", ALL),
        ("two_tier_opt_out", "ne", "N", []),
        ("two_tier_opt_out", "in", "Y,N", ALL),
        ("created_stamp", "bw", "20", ALL),
        ("created_stamp", "eq", "1999-01-01 00:00:00", []),
        ("description", "cn", "x", []),
        ("description", "nc", "x", ALL),
    ],
)
def test_every_field_can_be_searched(client: TestClient, field: str, op: str, value: str, expected: list[str]) -> None:
    assert _search(client, field, op, value) == expected


def test_flags_after_opt_out(client: TestClient) -> None:
    update(client, C450, {"coalition_opt_out": "Y"})
    update(client, C451, {"two_tier_opt_out": "Y"})
    assert _search(client, "coalition_opt_out", "eq", "Y") == [C450]
    assert _search(client, "in_coalition", "eq", "N") == [C450]
    assert _search(client, "in_coalition", "ne", "N") == [C451, C452, C453, C454, C455, CLUB]
    assert _search(client, "two_tier_opt_out", "bw", "y") == [C451]
    assert _ids(client, sortField="in_coalition")[0] == C450
    assert _ids(client, sortField="coalition_opt_out", sortOrder="DESC")[0] == C450
    assert _ids(client, sortField="two_tier_opt_out")[-1] == C451


def test_text_compares_case_insensitively_in_all_of_unicode(client: TestClient) -> None:
    cafe = _create(client, campaign_type="events", campaign_name="Café Élan", description="Über Kaffee")
    assert _search(client, "name", "eq", "CAFÉ ÉLAN") == [cafe]
    assert _search(client, "name", "cn", "éla") == [cafe]
    assert _search(client, "description", "bw", "über") == [cafe]


def test_wildcards_in_the_search_value_are_plain_text(client: TestClient) -> None:
    juice = _create(client, campaign_type="events", campaign_name="100% Juice")
    bar = _create(client, campaign_type="events", campaign_name="100 Juice_Bar")
    assert _search(client, "name", "cn", "%") == [juice]
    assert _search(client, "name", "bw", "100%") == [juice]
    assert _search(client, "name", "cn", "e_b") == [bar]
    assert _search(client, "name", "cn", "0_j") == []  # as a LIKE wildcard, _ would match "0 J"
    assert _search(client, "name", "cn", "\\") == []
    assert _search(client, "name", "eq", "' OR 1=1 --") == []


def test_sorting(client: TestClient) -> None:
    assert _ids(client, sortOrder="DESC") == ALL[::-1]
    assert _ids(client, sortField="name") == [C452, C455, C450, C454, C451, C453, CLUB]
    assert _ids(client, sortField="campaign_name", sortOrder="desc") == [CLUB, C453, C451, C454, C450, C455, C452]
    assert _ids(client, sortField="type") == [C452, C453, C454, CLUB, C450, C451, C455]
    assert _ids(client, sortField="created_stamp", sortOrder="DESC") == ALL[::-1]
    assert _ids(client, sortField="currency") == ALL


def test_pagination(client: TestClient) -> None:
    assert _pagination(client) == (ALL, {"total": "7", "offset": "0", "length": "7"})
    assert _pagination(client, length="3") == (ALL[:3], {"total": "7", "offset": "0", "length": "3"})
    assert _pagination(client, offset="6", length="3") == ([CLUB], {"total": "7", "offset": "6", "length": "1"})
    assert _pagination(client, offset="10") == ([], {"total": "7", "offset": "10", "length": "0"})
    assert _pagination(client, offset="2", length="0") == (ALL[2:], {"total": "7", "offset": "2", "length": "5"})
    assert _pagination(client, offset=" ", length="") == (ALL, {"total": "7", "offset": "0", "length": "7"})
    searched = _pagination(client, searchField="name", searchOper="bw", searchValue="widget", offset="4", length="2")
    assert searched == ([CLUB], {"total": "5", "offset": "4", "length": "1"})
    for name, value in (("offset", "-1"), ("offset", "1.5"), ("length", "x"), ("length", "9999999999")):
        assert error_of(call(client, {**LIST, name: value}))[0] == "parameter_invalid"


def test_one_answer_holds_at_most_the_page_limit(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Absent, 0 or too large, ``length`` gives at most the limit (1,000; 3 here): ``total`` tells the rest."""
    monkeypatch.setattr("loyalty_api.campaigns.lists.MAX_LENGTH", 3)
    for length in ("", "0", "4", "999999999"):
        assert _pagination(client, length=length) == (ALL[:3], {"total": "7", "offset": "0", "length": "3"})
    assert _pagination(client, offset="3") == (ALL[3:6], {"total": "7", "offset": "3", "length": "3"})


def test_inactive_list(client: TestClient) -> None:
    for campaign_id in (C451, C453, C454):
        assert status_of(call(client, {"type": "campaign_deactivate", "campaign_id": campaign_id})) == "success"
    assert _ids(client) == [C450, C452, C455, CLUB]
    inactive = call(client, {**INACTIVE, "sortField": "name"})
    assert [c.findtext("id") for c in inactive.findall("campaigns/campaign")] == [C454, C451, C453]
    manager = call(client, {**INACTIVE, "searchField": "type", "searchValue": "points"}, MANAGER)
    assert [c.findtext("id") for c in manager.findall("campaigns/campaign")] == [C451]
    assert error_of(call(client, INACTIVE, CLERK)) == (
        "permission_denied",
        "The user clerk1970 may not list inactive campaigns.",
    )
    assert error_of(call(client, {**INACTIVE, "offset": "x"}, CLERK))[0] == "permission_denied"


def test_json_lists(client: TestClient) -> None:
    fields = {**credentials(MANAGER), "output": "json"}
    body = json.loads(client.post("/api.php", data={**fields, **LIST, "type_restrict": "earned"}).content)
    assert [c["id"] for c in body["campaigns"]] == [C453]
    assert body["pagination"] == {"total": "1", "offset": "0", "length": "1"}
    assert body["account_name"] == "Great Widgets Company"
    empty = json.loads(client.post("/api.php", data={**fields, **INACTIVE}).content)
    assert empty["campaigns"] == []


@pytest.mark.parametrize(("currency", "glyph"), [("EUR", "€"), ("GBP", "£"), ("JPY", "¥"), ("XAF", "")])
def test_glyph_follows_the_account_currency(client: TestClient, settings: Settings, currency: str, glyph: str) -> None:
    key = "k3yk3yk3yk3yk3y"
    run_cli(settings, "account", "add", "shop", "--name", "Shop", "--currency", currency)
    run_cli(settings, "user", "add", "owner", "--account", "shop", "--role", "A", "--password", key)
    owner = ("shop", "owner", key)
    root = call(
        client, {"type": "campaign_new", "action": "campaign", "campaign_type": "giftcard", "campaign_name": "G"}, owner
    )
    assert status_of(root) == "success"
    listed = call(client, LIST, owner)
    assert listed.findtext("campaigns/campaign/currency") == currency
    assert listed.findtext("campaigns/campaign/glyph") == glyph
    assert _ids(client, owner, searchField="glyph", searchValue=glyph or "?") == (
        [] if not glyph else [root.findtext("campaign/id")]
    )
