"""Customers' custom field values under the account's definitions (``manage_fields``): checked and normalised by
type on every ``record_customer``, unique where marked, and fields numbered above 20 stored, shown after
``custom_field_20`` by ``customer_info`` and ``customer_search``, and searched like the first 20."""

from __future__ import annotations

from typing import Final

import pytest
from starlette.testclient import TestClient

from tests.support.api import call, error_of
from tests.support.customers import codes, customer_fields, info, new, search
from tests.support.golden import GoldenCase, customer_normalized, golden_tests
from tests.support.users import OTHER_ADMIN

DEFINITIONS: Final = {
    "type": "manage_fields",
    "action": "add",
    "custom_field_2_label": "Marital Status",
    "custom_field_2_type": "Pick",
    "custom_field_2_choices": "Single, Married, Other",
    "custom_field_3_label": "Birthday",
    "custom_field_3_type": "Date",
    "custom_field_4_label": "Cheeses",
    "custom_field_4_type": "List",
    "custom_field_4_choices": "Gouda, Emental, Swiss",
    "custom_field_5_label": "Badge",
    "custom_field_5_unique": "Y",
    "custom_field_22_label": "Notes",
    "custom_field_25_label": "Member #",
    "custom_field_25_unique": "Y",
    "custom_field_25_searchable": "Y",
}
NEW: Final = {"type": "record_customer", "customer_action": "new"}
EDIT: Final = {"type": "record_customer", "customer_action": "edit"}

CASES: Final = [
    GoldenCase(
        "customer_info_beyond_20",
        {"type": "customer_info", "code": "CF1"},
        changes_state=True,
        setup=(DEFINITIONS, {**NEW, "code": "CF1", "custom_field_25": "M-1", "custom_field_3": "2012.07.28"}),
    ),
    GoldenCase(
        "customer_search_beyond_20",
        {"type": "customer_search", "custom_field_25": "m-"},
        changes_state=True,
        setup=(DEFINITIONS, {**NEW, "code": "CF1", "custom_field_25": "M-1", "custom_field_22": "Likes cheese"}),
    ),
    GoldenCase(
        "customer_unique_value_in_use",
        {**NEW, "code": "CF2", "custom_field_25": "M-1"},
        changes_state=True,
        setup=(DEFINITIONS, {**NEW, "code": "CF1", "custom_field_25": "M-1"}),
    ),
]

test_answers_match_golden_files, test_no_stray_golden_files = golden_tests(
    "fields", CASES, customer_normalized, owns=lambda name: name.startswith("customer_")
)


@pytest.fixture
def defined(client: TestClient) -> TestClient:
    """The demo with the definitions above."""
    assert call(client, DEFINITIONS).get("status") == "success"
    return client


def _stored(client: TestClient, code: str, name: str) -> str:
    return customer_fields(info(client, code))[name]


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("2012-07-28", "2012-07-28"),
        ("2012-07-28 22:59:59", "2012-07-28 22:59:59"),
        ("2012.07.28 22:59:59", "2012-07-28 22:59:59"),
        ("2012.07.28", "2012-07-28"),
        ("2012-07-28T08:05", "2012-07-28 08:05:00"),
        ("0000-00-00", ""),
        ("--", ""),
    ],
)
def test_a_date_field_takes_dates_and_keeps_them_normalised(defined: TestClient, sent: str, stored: str) -> None:
    assert new(defined, code="D1", custom_field_3=sent).get("status") == "success"
    assert _stored(defined, "D1", "custom_field_3") == stored


@pytest.mark.parametrize("sent", ["2012-02-30", "28/07/2012", "tomorrow", "2012-07-28 25:00:00"])
def test_a_date_field_refuses_anything_else(defined: TestClient, sent: str) -> None:
    code, message = error_of(new(defined, code="D1", custom_field_3=sent))
    assert code == "parameter_invalid" and "custom_field_3 must be a date" in message
    assert error_of(info(defined, "D1"))[0] == "customer_not_found"


@pytest.mark.parametrize(
    ("name", "sent", "stored"),
    [
        ("custom_field_4", "gouda, Swiss ,Gouda", "Gouda,Swiss"),
        ("custom_field_4", "Emental", "Emental"),
        ("custom_field_2", "married", "Married"),
        ("custom_field_2", " Other ", "Other"),
    ],
)
def test_list_and_pick_values_are_their_choices(defined: TestClient, name: str, sent: str, stored: str) -> None:
    assert call(defined, {**NEW, "code": "L1", name: sent}).get("status") == "success"
    assert _stored(defined, "L1", name) == stored


@pytest.mark.parametrize(
    ("name", "sent", "message"),
    [
        ("custom_field_4", "Gouda,Brie", "custom_field_4 must be a comma list of Gouda, Emental, Swiss"),
        ("custom_field_4", ",", "comma list"),
        ("custom_field_2", "Single,Married", "custom_field_2 must be one of Single, Married, Other"),
        ("custom_field_2", "Widowed", "must be one of"),
    ],
)
def test_other_list_and_pick_values_are_refused(defined: TestClient, name: str, sent: str, message: str) -> None:
    code, found = error_of(call(defined, {**NEW, "code": "L1", name: sent}))
    assert (code, message in found) == ("parameter_invalid", True), found


def test_text_lengths_follow_the_definition(defined: TestClient) -> None:
    call(defined, {"type": "manage_fields", "action": "add", "custom_field_6_label": "Long"})
    assert new(defined, code="T1", custom_field_6="x" * 64000).get("status") == "success"
    assert len(_stored(defined, "T1", "custom_field_6")) == 64000
    assert error_of(new(defined, code="T2", custom_field_6="x" * 64001)) == (
        "string_parameter_too_long",
        "The field custom_field_6 is longer than 64000 characters.",
    )
    assert error_of(new(defined, code="T2", custom_field_25="x" * 256))[0] == "string_parameter_too_long"
    assert error_of(new(defined, code="T2", custom_field_7="x" * 1001)) == (  # no definition: 1,000 as before
        "string_parameter_too_long",
        "The field custom_field_7 is longer than 1000 characters.",
    )


def test_a_unique_field_is_unique_among_the_accounts_customers(defined: TestClient) -> None:
    assert new(defined, code="U1", custom_field_25="M-1", custom_field_5="B-1").get("status") == "success"
    assert error_of(new(defined, code="U2", custom_field_25="M-1")) == (
        "customer_exists",
        'The custom_field_25 "M-1" is in use by another customer of this account.',
    )
    assert error_of(new(defined, code="U2", custom_field_5="B-1")) == (
        "customer_exists",
        'The custom_field_5 "B-1" is in use by another customer of this account.',
    )
    assert error_of(info(defined, "U2"))[0] == "customer_not_found"
    assert new(defined, code="U2", custom_field_25="m-1", custom_field_5="B-2").get("status") == "success"  # case
    # An edit may send the customer's own value again, not another's.
    assert call(defined, {**EDIT, "code": "U1", "custom_field_25": "M-1", "custom_field_5": "B-1"}).get("status") == (
        "success"
    )
    assert error_of(call(defined, {**EDIT, "code": "U1", "custom_field_25": "m-1"}))[0] == "customer_exists"
    assert error_of(call(defined, {**EDIT, "code": "U1", "custom_field_5": "B-2"}))[0] == "customer_exists"
    # Another account's customers are not in the way.
    assert call(defined, DEFINITIONS, OTHER_ADMIN).get("status") == "success"
    assert new(defined, OTHER_ADMIN, code="U1", custom_field_25="M-1").get("status") == "success"


def test_a_field_above_20_needs_a_definition(defined: TestClient) -> None:
    for request in ({**NEW, "code": "N1"}, {**EDIT, "code": "N1"}):
        code, message = error_of(call(defined, {**request, "custom_field_30": "x"}))
        assert code == "parameter_invalid"
        assert "custom_field_30 is not defined in this account (define it with manage_fields first)" in message
    code, message = error_of(search(defined, custom_field_30="x"))
    assert code == "parameter_invalid" and "custom_field_30 is not defined" in message


def test_fields_above_20_are_stored_shown_after_the_20th_and_edited(defined: TestClient) -> None:
    new(defined, code="B1", custom_field_25="M-1", custom_field_20="twenty", custom_field_30="")
    fields = customer_fields(info(defined, "B1"))
    names = list(fields)
    assert names[names.index("custom_field_20") :] == [
        "custom_field_20",
        "custom_field_22",
        "custom_field_25",
        "registered",
        "created",
    ]
    assert (fields["custom_field_22"], fields["custom_field_25"]) == ("", "M-1")
    assert "custom_field_25" not in customer_fields(info(defined, "B1", hide_custom_field="Y"))
    call(defined, {**EDIT, "code": "B1", "custom_field_22": "Notes"})
    assert (_stored(defined, "B1", "custom_field_22"), _stored(defined, "B1", "custom_field_25")) == ("Notes", "M-1")
    call(defined, {**EDIT, "code": "B1", "custom_field_25": "", "custom_field_3": "--"})
    assert (_stored(defined, "B1", "custom_field_22"), _stored(defined, "B1", "custom_field_25")) == ("Notes", "")
    call(defined, {**EDIT, "code": "B1", "custom_field_22": "Notes"})  # nothing changes: nothing written


def test_fields_above_20_are_search_criteria_and_in_every_result(defined: TestClient) -> None:
    new(defined, code="S1", custom_field_25="M-100", custom_field_22="cheese")
    new(defined, code="S2", custom_field_25="M-200")
    new(defined, code="S3")
    assert codes(search(defined, custom_field_25="m-")) == ["S1", "S2"]
    assert codes(search(defined, custom_field_25="M-100", exact_match="sensitive")) == ["S1"]
    assert codes(search(defined, custom_field_25="m-", custom_field_22="CHEESE")) == ["S1"]
    assert codes(search(defined, custom_field_25="M-3")) == []
    assert codes(search(defined, custom_field_25="   ", code="S3")) == ["S3"]  # blank: no criterion
    found = search(defined, custom_field_25="m-")
    assert [customer.findtext("custom_field_25/data") for customer in found.findall("customer")] == ["M-100", "M-200"]
    listed = call(defined, {"type": "customer_find", "find_customer": "S3"})
    assert [customer.findtext("custom_field_25/data") for customer in listed.findall("customer")] == [""]


def test_a_deleted_definition_hides_the_values_and_a_new_one_shows_them_again(defined: TestClient) -> None:
    new(defined, code="X1", custom_field_25="M-1")
    call(defined, {"type": "manage_fields", "action": "delete", "field_list": "custom_field_25"})
    assert "custom_field_25" not in customer_fields(info(defined, "X1"))
    assert error_of(new(defined, code="X2", custom_field_25="M-1"))[0] == "parameter_invalid"
    call(defined, {"type": "manage_fields", "action": "add", "custom_field_25_label": "Member again"})
    assert _stored(defined, "X1", "custom_field_25") == "M-1"
