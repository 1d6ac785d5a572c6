"""``customer_balance`` (and its alias ``balance``): balances and transactions of one customer in one campaign."""

from __future__ import annotations

import re
from typing import Any, Final

import pytest
from starlette.testclient import TestClient

from tests.support.api import call, call_json, error_of, status_of, warnings_of
from tests.support.demo import BUYX, EVENTS, GIFTCARD, JANE, LEGACY, POINTS
from tests.support.golden import GoldenCase, golden_tests, without_dates, without_stamps
from tests.support.ledger import delete_entry, record, send, transactions
from tests.support.users import CLERK, MANAGER

BALANCE: Final = {"type": "customer_balance", "code": JANE}
GOLDEN_DIR: Final = "ledger/customer_balance"


def _case(name: str, **fields: str) -> GoldenCase:
    """A golden case of customer_balance for Jane, both forms on one database (after :func:`_prepare_golden`)."""
    return GoldenCase(name, {**BALANCE, **fields})


CASES: Final = [
    _case("legacy_points", campaign_id=LEGACY),
    _case("alias_balance_one", type="balance", campaign_id=LEGACY, transactions_number="1"),
    _case("none_listed", campaign_id=LEGACY, transactions_number="0"),
    _case("giftcard", campaign_id=GIFTCARD),
    _case("buyx", campaign_id=BUYX),
    _case("custom_fields", campaign_id=POINTS),
    _case("not_in_campaign", campaign_id=EVENTS),
    _case("bad_number", campaign_id=LEGACY, transactions_number="-1"),
]


def _balance(client: TestClient, campaign_id: str, **fields: str) -> dict[str, Any]:
    body = call_json(client, {**BALANCE, "campaign_id": campaign_id, **fields})
    assert body["status"] == "success", body
    return body


def _prepare_golden(client: TestClient, _case: GoldenCase) -> None:
    item = {"type": "campaign_new", "action": "item", "campaign_id": BUYX, "reward_level": "10"}
    assert status_of(call(client, {**item, "item_description": "Widget", "item_identifier": "W"})) == "success"
    assert status_of(call(client, {**item, "item_description": "Gadget"})) == "success"
    record(client, BUYX, service_product="W", buyx_quantity="2")
    record(client, BUYX, service_product="2", authorization="Till 2")
    record(client, GIFTCARD, amount="12.5")
    record(
        client, POINTS, amount="9.95", custom_field_12="Table 4", custom_field_3="Ann & <Bob>", authorization="Till 1"
    )
    record(client, POINTS, amount="2")


def _normalized(body: bytes) -> bytes:
    """The transactions' stamps (``record_timestamp``) and dates replaced."""
    return without_dates(without_stamps(body))


test_answers_match_golden_files, test_no_stray_golden_files = golden_tests(
    GOLDEN_DIR, CASES, _normalized, prepare=_prepare_golden
)


def test_a_customer_enrolled_without_value_has_zero_and_no_last_transaction(client: TestClient) -> None:
    edit = {"type": "record_customer", "customer_action": "new", "code": "NEW1", "campaign_id": EVENTS}
    assert status_of(call(client, edit)) == "success"
    body = _balance(client, EVENTS, code="NEW1")
    customer = body["campaign"]["customer"]
    assert (customer["balance"], customer["cumulative"]) == ("0", "0")
    assert (customer["last_transaction"], customer["last_redemption"]) == ("0000-00-00", "0000-00-00")
    # The enrolment entry is listed.
    assert [t["service_product"] for t in customer["transactions"]] == ["Activation"]


def test_transactions_are_newest_first_and_balances_sum_them(client: TestClient) -> None:
    ids = [record(client, POINTS, amount=amount) for amount in ("1", "2.5", "0,07")]
    customer = _balance(client, POINTS)["campaign"]["customer"]
    listed = customer["transactions"]
    assert [t["id"] for t in listed][:3] == ids[::-1]
    assert [t["amount"] for t in listed] == ["7", "250", "100", "0"]
    assert customer["balance"] == customer["cumulative"] == "357"
    assert customer["balance"] == str(sum(int(t["amount"]) for t in listed))
    assert customer["last_redemption"] == "0000-00-00"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", customer["last_transaction"])
    assert [t["redeemed"] for t in listed] == ["N"] * 4
    newest = _balance(client, POINTS, transactions_number="2")["campaign"]["customer"]
    assert [t["id"] for t in newest["transactions"]] == ids[:0:-1]
    assert newest["balance"] == "357"


def test_a_cut_list_warns_only_when_the_server_cut_it(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("loyalty_api.ledger.customer_balance.MAX_TRANSACTIONS", 2)
    for _ in range(3):
        record(client, EVENTS)
    root = call(client, {**BALANCE, "campaign_id": EVENTS})
    assert len(root.findall("campaign/customer/transactions/transaction")) == 2
    assert warnings_of(root) == ["Only the newest 2 of 4 transactions are listed (at most 2)."]
    asked = call(client, {**BALANCE, "campaign_id": EVENTS, "transactions_number": "1"})
    assert len(asked.findall("campaign/customer/transactions/transaction")) == 1
    assert warnings_of(asked) == []


def test_the_card_number_names_the_customer_and_others_are_refused(client: TestClient) -> None:
    edit = {"type": "record_customer", "customer_action": "edit", "code": JANE, "card_number": "4111"}
    assert status_of(call(client, edit)) == "success"
    root = call(client, {"type": "customer_balance", "card_number": "4111", "campaign_id": LEGACY}, CLERK)
    assert root.findtext("campaign/customer/balance") == "500"
    assert error_of(call(client, {**BALANCE, "campaign_id": LEGACY}, MANAGER))[0] == "campaign_not_found"
    assert error_of(call(client, {**BALANCE, "campaign_id": LEGACY, "code": "nobody"}))[0] == "customer_not_found"
    assert error_of(call(client, {"type": "customer_balance", "campaign_id": LEGACY}))[0] == "parameter_missing"
    assert error_of(call(client, {**BALANCE, "campaign_id": "0000000000000000"}))[0] == "campaign_not_found"


def test_the_elements_legacy_clients_read(client: TestClient) -> None:
    """account_name, the last transaction's and redemption's points, and per transaction its campaign, real and
    record_timestamp: what the legacy answer had and clients read."""
    sale = record(client, LEGACY, amount="1")
    redemption = send(client, "redeem", LEGACY, custom_points_redeem="120,5")
    body = _balance(client, LEGACY)
    assert body["account_name"] == "Great Widgets Company"
    customer = body["campaign"]["customer"]
    listed = customer["transactions"]
    assert [t["id"] for t in listed[:2]] == [redemption, sale]
    # The redemption is the newest entry: the last transaction and the last redemption, its amount as listed.
    assert customer["last_transaction_points"] == customer["last_redemption_points"] == listed[0]["amount"] == "-120.5"
    assert customer["last_transaction"] == customer["last_redemption"] == listed[0]["date"]
    for transaction in listed:
        assert (transaction["campaign"], transaction["real"]) == (LEGACY, "Y")
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", transaction["record_timestamp"])
        assert transaction["record_timestamp"].startswith(transaction["date"])
    keys = ["id", "date", "authorization", "service_product", "redeemed", "amount", "campaign", "user_name", "real"]
    assert list(listed[0])[: len(keys) + 1] == [*keys, "record_timestamp"]
    # A newer sale is the last transaction; the last redemption stays; none listed changes none of them.
    newer = record(client, LEGACY, amount="2")
    points = transactions(client, LEGACY)[newer]["amount"]
    customer = _balance(client, LEGACY, transactions_number="0")["campaign"]["customer"]
    assert customer["transactions"] == []
    assert (customer["last_transaction_points"], customer["last_redemption_points"]) == (points, "-120.5")
    assert points != "0"
    # A reversed redemption is no longer the last one.
    delete_entry(client, LEGACY, redemption)
    customer = _balance(client, LEGACY)["campaign"]["customer"]
    assert (customer["last_redemption"], customer["last_redemption_points"]) == ("0000-00-00", "0")


def test_no_transaction_and_no_redemption_answer_zero_points_in_the_campaigns_unit(client: TestClient) -> None:
    edit = {"type": "record_customer", "customer_action": "new", "code": "NEW2", "campaign_id": GIFTCARD}
    assert status_of(call(client, edit)) == "success"
    customer = _balance(client, GIFTCARD, code="NEW2")["campaign"]["customer"]
    assert (customer["last_transaction"], customer["last_transaction_points"]) == ("0000-00-00", "0.00")
    assert (customer["last_redemption"], customer["last_redemption_points"]) == ("0000-00-00", "0.00")
