"""Transaction custom fields under the account's definitions (``transaction_fields``): ``record_activity`` and
``redeem`` check each value against its definition, keep fields numbered above 20 when defined, refuse them when
not, and ``customer_balance`` shows them in number order."""

from __future__ import annotations

from typing import Final

import pytest
from starlette.testclient import TestClient

from tests.support.api import call, error_of
from tests.support.demo import EVENTS, JANE, POINTS
from tests.support.ledger import customs, record, send, transactions

DEFINITIONS: Final = {
    "type": "transaction_fields",
    "action": "add",
    "custom_field_2_label": "Size",
    "custom_field_2_type": "Pick",
    "custom_field_2_choices": "S, M, L",
    "custom_field_3_label": "Served on",
    "custom_field_3_type": "Date",
    "custom_field_30_label": "Receipt #",
    "custom_field_31_label": "Extras",
    "custom_field_31_type": "List",
    "custom_field_31_choices": "Milk, Sugar",
}
RECORD: Final = {"type": "record_activity", "code": JANE, "campaign_id": EVENTS}


@pytest.fixture
def defined(client: TestClient) -> TestClient:
    assert call(client, DEFINITIONS).get("status") == "success"
    return client


def test_values_are_checked_normalised_and_shown_in_number_order(defined: TestClient) -> None:
    entry = record(
        defined,
        EVENTS,
        custom_field_31="sugar, milk",
        custom_field_30="R-17",
        custom_field_3="2026.11.23 12:30:00",
        custom_field_2="m",
        custom_field_7="free text",
    )
    shown = transactions(defined, EVENTS)[entry]
    assert customs(shown) == {
        "custom_field_2": "M",
        "custom_field_3": "2026-11-23 12:30:00",
        "custom_field_7": "free text",
        "custom_field_30": "R-17",
        "custom_field_31": "Sugar,Milk",
    }
    assert list(shown)[-5:] == [
        "custom_field_2",
        "custom_field_3",
        "custom_field_7",
        "custom_field_30",
        "custom_field_31",
    ]


@pytest.mark.parametrize(
    ("fields", "code", "message"),
    [
        ({"custom_field_2": "XL"}, "parameter_invalid", "custom_field_2 must be one of S, M, L"),
        ({"custom_field_3": "yesterday"}, "parameter_invalid", "custom_field_3 must be a date"),
        ({"custom_field_31": "Milk, Honey"}, "parameter_invalid", "custom_field_31 must be a comma list"),
        ({"custom_field_30": "x" * 64001}, "string_parameter_too_long", "custom_field_30 is longer than 64000"),
        ({"custom_field_21": "x"}, "parameter_invalid", "(define it with transaction_fields first)"),
        ({"custom_field_4": "x" * 1001}, "string_parameter_too_long", "custom_field_4 is longer than 1000"),
    ],
)
def test_bad_values_record_nothing(defined: TestClient, fields: dict[str, str], code: str, message: str) -> None:
    record(defined, POINTS, amount="1")
    before = transactions(defined, POINTS)
    found_code, found_message = error_of(call(defined, {**RECORD, "campaign_id": POINTS, "amount": "1", **fields}))
    assert (found_code, message in found_message) == (code, True), found_message
    assert transactions(defined, POINTS) == before


def test_redeem_takes_them_the_same_way(defined: TestClient) -> None:
    record(defined, POINTS, amount="10")
    entry = send(defined, "redeem", POINTS, custom_points_redeem="1", custom_field_30="R-18", custom_field_2="L")
    assert customs(transactions(defined, POINTS)[entry]) == {"custom_field_2": "L", "custom_field_30": "R-18"}
    root = call(
        defined,
        {"type": "redeem", "code": JANE, "campaign_id": POINTS, "custom_points_redeem": "1", "custom_field_2": "Q"},
    )
    assert error_of(root)[0] == "parameter_invalid"


def test_without_definitions_the_first_20_stay_free_text_and_21_is_refused(client: TestClient) -> None:
    entry = record(client, EVENTS, custom_field_2="anything", custom_field_21="  ")  # blank: left out
    assert customs(transactions(client, EVENTS)[entry]) == {"custom_field_2": "anything"}
    code, message = error_of(call(client, {**RECORD, "custom_field_21": "x"}))
    assert code == "parameter_invalid" and "custom_field_21 is not defined" in message
