"""Promotions: ``campaign_new`` / ``campaign_update`` / ``campaign_delete`` with ``action=promo``, and
``campaign_promos``, over HTTP on the demo world (both stores)."""

from __future__ import annotations

import json
from typing import Final

import pytest
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from tests.support.api import call, credentials, error_of, status_of
from tests.support.cli import history, restore_campaign
from tests.support.demo import BUYX, EARNED, EVENTS, GIFTCARD, POINTS  # the manager may see POINTS, not EVENTS
from tests.support.golden import GoldenCase, check_golden_case, check_no_stray_files, golden_files, golden_params
from tests.support.users import ADMIN, CLERK, MANAGER, OTHER_ADMIN, User

NEW: Final = {"type": "campaign_new", "action": "promo"}
UPDATE: Final = {"type": "campaign_update", "action": "promo"}
DELETE: Final = {"type": "campaign_delete", "action": "promo"}
LIST: Final = {"type": "campaign_promos"}
DOUBLE: Final = {
    **NEW,
    "campaign_id": POINTS,
    "promo_operation": "x",
    "promo_amount": "2",
    "promo_description": "Double points",
}
BONUS: Final = {
    **NEW,
    "campaign_id": POINTS,
    "promo_operation": "+",
    "promo_amount": "-50",
    "promo_description": "Summer bonus",
    "promo_custom_id": "SUMMER",
    "promo_start_date": "2013-08-01 00:00:00",
    "promo_end_date": "2013-08-31",
}
FOLDER: Final = "campaigns/campaign_promos"


def _add(client: TestClient, campaign_id: str = POINTS, user: User = ADMIN, **fields: str) -> str:
    data = {**DOUBLE, "campaign_id": campaign_id, **fields}
    root = call(client, data, user)
    assert status_of(root) == "success", root.findtext("error")
    promo_id = root.findtext("campaign/promo/id")
    assert promo_id is not None
    return promo_id


def _promos(client: TestClient, user: User = ADMIN, fields: dict[str, str] | None = None) -> list[dict[str, str]]:
    root = call(client, {**LIST, "campaign_id": POINTS, **(fields or {})}, user)
    assert status_of(root) == "success", root.findtext("error")
    return [{child.tag: child.text or "" for child in promo} for promo in root.findall("promotions/promotion")]


def _ids(client: TestClient, **fields: str) -> list[str]:
    return [promo["id"] for promo in _promos(client, fields=fields)]


CASES: Final = [
    GoldenCase("new_success", DOUBLE, changes_state=True),
    GoldenCase("new_missing_operation", {**DOUBLE, "promo_operation": ""}),
    GoldenCase("new_missing_amount", {**DOUBLE, "promo_amount": " "}),
    GoldenCase("new_missing_description", {**NEW, "campaign_id": POINTS, "promo_operation": "x", "promo_amount": "2"}),
    GoldenCase("new_bad_operation", {**DOUBLE, "promo_operation": "/"}),
    GoldenCase("new_zero_amount", {**DOUBLE, "promo_amount": "0"}),
    GoldenCase("new_negative_multiplier", {**DOUBLE, "promo_amount": "-2"}),
    GoldenCase("new_bad_date", {**BONUS, "promo_start_date": "2013-02-30"}),
    GoldenCase("new_ends_before_start", {**BONUS, "promo_start_date": "2013-09-01"}),
    GoldenCase("new_description_too_long", {**DOUBLE, "promo_description": "d" * 256}),
    GoldenCase("new_custom_id_too_long", {**DOUBLE, "promo_custom_id": "c" * 65}),
    GoldenCase("new_on_giftcard", {**DOUBLE, "campaign_id": GIFTCARD}),
    GoldenCase("new_clerk_denied", DOUBLE, user=CLERK),
    GoldenCase("new_other_account", DOUBLE, user=OTHER_ADMIN),
    GoldenCase("update_unknown_promo", {**UPDATE, "campaign_id": POINTS, "promo_id": "99", "new_promo_amount": "3"}),
    GoldenCase("update_nothing_to_change", {**UPDATE, "campaign_id": POINTS, "promo_id": "1"}),
    GoldenCase("delete_unknown_promo", {**DELETE, "campaign_id": POINTS, "promo_id": "abc"}),
    GoldenCase("delete_missing_promo_id", {**DELETE, "campaign_id": POINTS}),
    GoldenCase("list_empty", {**LIST, "campaign_id": POINTS}),
    GoldenCase("list_unknown_campaign", {**LIST, "campaign_id": "0000000000000000"}),
    GoldenCase("list_on_events", {**LIST, "campaign_id": EVENTS}),
    GoldenCase("list_bad_search_field", {**LIST, "campaign_id": POINTS, "searchField": "name", "searchValue": "x"}),
]
# Cases that need promotions: two are added first (ids 1 and 2).
SETUP: Final = (DOUBLE, BONUS)
CASES_WITH_PROMOS: Final = [
    GoldenCase(
        "update_success",
        {**UPDATE, "campaign_id": POINTS, "promo_id": "1", "new_promo_amount": "1.25"},
        changes_state=True,
        setup=SETUP,
    ),
    GoldenCase(
        "update_zero_amount",
        {**UPDATE, "campaign_id": POINTS, "promo_id": "1", "new_promo_amount": "0"},
        changes_state=True,
        setup=SETUP,
    ),
    GoldenCase(
        "update_blank_amount",
        {**UPDATE, "campaign_id": POINTS, "promo_id": "1", "new_promo_amount": ""},
        changes_state=True,
        setup=SETUP,
    ),
    GoldenCase(
        "update_clerk_denied",
        {**UPDATE, "campaign_id": POINTS, "promo_id": "1", "new_promo_amount": "3"},
        CLERK,
        changes_state=True,
        setup=SETUP,
    ),
    GoldenCase("delete_success", {**DELETE, "campaign_id": POINTS, "promo_id": "2"}, changes_state=True, setup=SETUP),
    GoldenCase(
        "delete_clerk_denied",
        {**DELETE, "campaign_id": POINTS, "promo_id": "2"},
        CLERK,
        changes_state=True,
        setup=SETUP,
    ),
    GoldenCase("list_two", {**LIST, "campaign_id": POINTS}, CLERK, changes_state=True, setup=SETUP),
    GoldenCase(
        "list_searched",
        {**LIST, "campaign_id": POINTS, "searchField": "promotion", "searchOper": "cn", "searchValue": "summer"},
        changes_state=True,
        setup=SETUP,
    ),
]


@pytest.mark.parametrize(("case", "forms"), golden_params(CASES))
def test_answers_match_golden_files(client: TestClient, case: GoldenCase, forms: tuple[str, ...]) -> None:
    check_golden_case(client, FOLDER, case, forms)


@pytest.mark.parametrize(("case", "forms"), golden_params(CASES_WITH_PROMOS))
def test_answers_with_promos_match_golden_files(client: TestClient, case: GoldenCase, forms: tuple[str, ...]) -> None:
    check_golden_case(client, FOLDER, case, forms)


def test_no_stray_golden_files() -> None:
    check_no_stray_files(FOLDER, golden_files([*CASES, *CASES_WITH_PROMOS]))


def test_new_promotions_are_listed_with_their_fields(client: TestClient) -> None:
    double = _add(client)
    bonus = _add(
        client,
        promo_operation="+",
        promo_amount="-50",
        promo_description="Summer bonus",
        promo_custom_id="SUMMER",
        promo_start_date="2013-08-01 00:00:00",
        promo_end_date="2013-08-31",
    )
    assert _promos(client) == [
        {
            "id": double,
            "operation": "x",
            "operand": "x",
            "value": "2",
            "description": "Double points",
            "custom_id": "",
            "start_date": "",
            "end_date": "",
        },
        {
            "id": bonus,
            "operation": "+",
            "operand": "+",
            "value": "-50",
            "description": "Summer bonus",
            "custom_id": "SUMMER",
            "start_date": "2013-08-01 00:00:00",
            "end_date": "2013-08-31 23:59:59",
        },
    ]


def test_one_promotion_is_still_an_array_in_json(client: TestClient) -> None:
    promo_id = _add(client, promo_amount="1,5")
    reply = client.post("/api.php", data={**credentials(), **LIST, "campaign_id": POINTS, "output": "json"})
    body = json.loads(reply.content)
    assert body["promotions"] == [
        {
            "id": promo_id,
            "operation": "x",
            "operand": "x",
            "value": "1.5",
            "description": "Double points",
            "custom_id": "",
            "start_date": "",
            "end_date": "",
        }
    ]
    assert body["pagination"] == {"total": "1", "offset": "0", "length": "1"}


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"promo_operation": "*"}, "parameter_invalid"),
        ({"promo_amount": "0"}, "parameter_invalid"),
        ({"promo_amount": "0.00"}, "parameter_invalid"),
        ({"promo_amount": "-1"}, "parameter_invalid"),  # a multiplier is above 0
        ({"promo_amount": "1.23456"}, "parameter_invalid"),  # 4 decimals for x
        ({"promo_operation": "+", "promo_amount": "1.234"}, "parameter_invalid"),  # 2 for +
        ({"promo_operation": "+", "promo_amount": "-0"}, "parameter_invalid"),
        ({"promo_amount": "1e3"}, "parameter_invalid"),
        ({"promo_amount": "1" * 13}, "parameter_invalid"),
        ({"promo_description": " "}, "parameter_missing"),
        ({"promo_description": "d" * 256}, "string_parameter_too_long"),
        ({"promo_custom_id": "c" * 65}, "string_parameter_too_long"),
        ({"promo_start_date": "01/08/2013"}, "parameter_invalid"),
        ({"promo_end_date": "2013-13-01"}, "parameter_invalid"),
        ({"promo_end_date": "2013-08-01 24:00:00"}, "parameter_invalid"),
        ({"promo_start_date": "2013-08-02", "promo_end_date": "2013-08-01"}, "parameter_invalid"),
    ],
)
def test_new_promotion_values(client: TestClient, fields: dict[str, str], code: str) -> None:
    assert error_of(call(client, {**DOUBLE, **fields}))[0] == code
    assert _promos(client) == []


def test_accepted_values_and_limits(client: TestClient) -> None:
    _add(client, promo_operation="X", promo_amount="999999999999.9999", promo_description="d" * 255)
    _add(client, promo_operation="+", promo_amount="-0.5", promo_custom_id="c" * 64)
    _add(client, promo_start_date="2013-08-01 10:30", promo_end_date="2013-08-01 10:30")
    promos = _promos(client)
    assert [(p["operation"], p["value"]) for p in promos] == [("x", "999999999999.9999"), ("+", "-0.5"), ("x", "2")]
    assert len(promos[0]["description"]) == 255
    assert (promos[2]["start_date"], promos[2]["end_date"]) == ("2013-08-01 10:30:00", "2013-08-01 10:30:00")


@pytest.mark.parametrize("campaign_id", [GIFTCARD, BUYX, EARNED, EVENTS])
def test_only_points_campaigns_have_promotions(client: TestClient, campaign_id: str) -> None:
    for data in (
        {**DOUBLE, "campaign_id": campaign_id},
        {**UPDATE, "campaign_id": campaign_id, "promo_id": "1", "new_promo_amount": "3"},
        {**DELETE, "campaign_id": campaign_id, "promo_id": "1"},
        {**LIST, "campaign_id": campaign_id},
    ):
        code, message = error_of(call(client, data))
        assert code == "parameter_mismatch"
        assert campaign_id in message


def test_update_changes_only_what_is_given(client: TestClient, settings: Settings) -> None:
    promo_id = _add(client)
    base = {**UPDATE, "campaign_id": POINTS, "promo_id": promo_id}
    root = call(client, {**base, "new_promo_amount": "3"})
    assert status_of(root) == "success"
    assert root.find("promo").get("status") == "updated"  # type: ignore[union-attr]
    assert root.findtext("promo/id") == promo_id
    root = call(
        client,
        {
            **base,
            "new_promo_operation": "+",
            "new_promo_amount": "25",
            "new_promo_description": "Bonus",
            "new_promo_custom_id": "B1",
            "new_promo_start_date": "2030-01-01",
            "new_promo_end_date": "2030-12-31",
        },
    )
    assert status_of(root) == "success"
    (promo,) = _promos(client)
    assert (promo["operation"], promo["value"], promo["description"], promo["custom_id"]) == ("+", "25", "Bonus", "B1")
    assert (promo["start_date"], promo["end_date"]) == ("2030-01-01 00:00:00", "2030-12-31 23:59:59")
    # Blank optional fields clear; absent ones stay.
    call(client, {**base, "new_promo_description": "Bonus!", "new_promo_custom_id": "", "new_promo_end_date": ""})
    (promo,) = _promos(client)
    assert (promo["description"], promo["custom_id"], promo["start_date"], promo["end_date"]) == (
        "Bonus!",
        "",
        "2030-01-01 00:00:00",
        "",
    )
    records = [r for r in history(settings, POINTS) if r["entity"] == "promo"]
    assert [r["action"] for r in records] == ["create", "update", "update", "update"]
    assert records[1]["changes"] == [{"field": "amount", "old": "2", "new": "3"}]


def test_update_needs_operation_amount_or_description(client: TestClient) -> None:
    promo_id = _add(client)
    base = {**UPDATE, "campaign_id": POINTS, "promo_id": promo_id}
    assert error_of(call(client, {**base, "new_promo_custom_id": "X"})) == (
        "parameter_missing",
        "The field new_promo_operation or new_promo_amount or new_promo_description is required.",
    )
    for name in ("new_promo_operation", "new_promo_amount", "new_promo_description"):
        assert error_of(call(client, {**base, "new_promo_description": "Fine", name: " "}))[0] in ("parameter_invalid")
    assert error_of(call(client, {**base, "new_promo_amount": "0"}))[0] == "parameter_invalid"
    # A multiplier cannot keep a negative amount: changing the operation alone is refused.
    bonus = _add(client, promo_operation="+", promo_amount="-5")
    root = call(client, {**base, "promo_id": bonus, "new_promo_operation": "x"})
    assert error_of(root)[0] == "parameter_invalid"
    # The window stays whole: an end before the kept start is refused.
    call(client, {**base, "new_promo_description": "D", "new_promo_start_date": "2030-06-01"})
    assert error_of(call(client, {**base, "new_promo_amount": "4", "new_promo_end_date": "2030-05-01"}))[0] == (
        "parameter_invalid"
    )
    assert [(p["value"], p["description"]) for p in _promos(client)] == [("2", "D"), ("-5", "Double points")]


def test_delete_archives_the_promotion(client: TestClient, settings: Settings) -> None:
    kept = _add(client)
    gone = _add(client, promo_description="Gone")
    root = call(client, {**DELETE, "campaign_id": POINTS, "promo_id": gone})
    assert status_of(root) == "success"
    assert root.find("promo").get("status") == "deleted"  # type: ignore[union-attr]
    assert _ids(client) == [kept]
    for data in (
        {**DELETE, "campaign_id": POINTS, "promo_id": gone},
        {**UPDATE, "campaign_id": POINTS, "promo_id": gone, "new_promo_amount": "3"},
    ):
        assert error_of(call(client, data)) == (
            "promotion_not_found",
            f"No promotion {gone} in campaign {POINTS} (promo_id is the promotion's <id> from campaign_promos).",
        )
    assert int(_add(client)) > int(gone)  # an id is never given again
    (record,) = [r for r in history(settings, POINTS) if r["action"] == "delete"]
    assert (record["entity"], record["entity_id"]) == ("promo", gone)


def test_promotions_come_back_with_their_campaign(client: TestClient, settings: Settings) -> None:
    promo_id = _add(client)
    assert status_of(call(client, {"type": "campaign_delete", "campaign_id": POINTS})) == "success"
    assert error_of(call(client, {**LIST, "campaign_id": POINTS}))[0] == "campaign_not_found"
    restore_campaign(settings, POINTS, "ops-alice")
    assert _ids(client) == [promo_id]


def test_a_promotion_of_another_campaign_or_account_is_not_found(client: TestClient) -> None:
    promo_id = _add(client)
    root = call(client, {**DOUBLE, "campaign_id": POINTS}, OTHER_ADMIN)
    assert error_of(root)[0] == "campaign_not_found"
    for promo in ("0", "-1", "abc", "1" * 40, str(int(promo_id) + 1)):
        root = call(client, {**DELETE, "campaign_id": POINTS, "promo_id": promo})
        assert error_of(root)[0] == "promotion_not_found"


def test_at_most_100_promotions_per_campaign(client: TestClient) -> None:
    for _ in range(100):
        _add(client)
    assert error_of(call(client, DOUBLE)) == (
        "too_many_promotions",
        f"Campaign {POINTS} already has 100 promotions; delete one before adding another.",
    )
    first = _ids(client, length="1")[0]
    call(client, {**DELETE, "campaign_id": POINTS, "promo_id": first})
    _add(client)


RIGHTS: Final = [
    (ADMIN, "success"),
    (MANAGER, "success"),
    (CLERK, "permission_denied"),
    (OTHER_ADMIN, "campaign_not_found"),
]


@pytest.mark.parametrize(("user", "outcome"), RIGHTS)
def test_rights_to_change_promotions(client: TestClient, user: User, outcome: str) -> None:
    existing = _add(client)
    for data in (
        DOUBLE,
        {**UPDATE, "campaign_id": POINTS, "promo_id": existing, "new_promo_amount": "6"},
        {**DELETE, "campaign_id": POINTS, "promo_id": existing},
    ):
        root = call(client, data, user)
        assert (status_of(root) if outcome == "success" else error_of(root)[0]) == outcome


def test_every_user_of_the_account_may_list(client: TestClient) -> None:
    promo_id = _add(client)
    for user in (ADMIN, MANAGER, CLERK):
        assert [p["id"] for p in _promos(client, user)] == [promo_id]
    assert error_of(call(client, {**LIST, "campaign_id": POINTS}, OTHER_ADMIN)) == (
        "campaign_not_found",
        f"No campaign {POINTS} in this account.",
    )


def test_list_search_sort_and_page(client: TestClient) -> None:
    a = _add(client, promo_operation="x", promo_amount="1.5", promo_description="Alpha", promo_custom_id="Z")
    b = _add(client, promo_operation="+", promo_amount="100", promo_description="beta bonus")
    c = _add(client, promo_operation="+", promo_amount="-20", promo_description="Gamma bonus", promo_custom_id="A")
    assert _ids(client) == [a, b, c]
    assert _ids(client, searchField="promotion", searchOper="cn", searchValue="BONUS") == [b, c]
    assert _ids(client, searchField="promotion", searchValue="alpha") == [a]
    assert _ids(client, searchField="operation", searchValue="+") == [b, c]
    assert _ids(client, searchField="operation", searchOper="ne", searchValue="+") == [a]
    assert _ids(client, searchField="multiplier", searchValue="1,5") == [a]
    assert _ids(client, searchField="multiplier", searchOper="in", searchValue="100, -20") == [b, c]
    assert _ids(client, searchField="multiplier", searchOper="bw", searchValue="-") == [c]
    assert _ids(client, sortField="multiplier") == [c, a, b]
    assert _ids(client, sortField="promotion", sortOrder="desc") == [c, b, a]
    assert _ids(client, sortField="custom_id") == [b, c, a]
    assert _ids(client, sortField="id", sortOrder="DESC") == [c, b, a]
    assert _ids(client, offset="1", length="1") == [b]
    root = call(client, {**LIST, "campaign_id": POINTS, "offset": "2", "length": "5"})
    assert (root.findtext("pagination/total"), root.findtext("pagination/length")) == ("3", "1")


@pytest.mark.parametrize(
    "fields",
    [
        {"searchField": "name", "searchValue": "x"},
        {"searchField": "promotion", "searchOper": "like", "searchValue": "x"},
        {"searchField": "multiplier", "searchValue": "two"},
        {"searchField": "promotion"},
        {"sortField": "level"},
        {"sortOrder": "UP"},
        {"offset": "-1"},
        {"length": "ten"},
    ],
)
def test_list_refuses_bad_search_fields(client: TestClient, fields: dict[str, str]) -> None:
    assert error_of(call(client, {**LIST, "campaign_id": POINTS, **fields}))[0] in (
        "parameter_invalid",
        "parameter_missing",
    )
