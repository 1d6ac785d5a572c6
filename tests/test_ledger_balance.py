"""``customer_balance`` (and its alias ``balance``): balances and transactions of one customer in one campaign."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Final

import pytest
from starlette.testclient import TestClient

from tests.support.api import ADMIN, CLERK, MANAGER, call
from tests.support.stored import error_of, status_of, warnings_of

GIFTCARD: Final = "1234567890123450"
POINTS: Final = "1234567890123451"
BUYX: Final = "1234567890123452"
EVENTS: Final = "1234567890123454"
LEGACY: Final = "1234567890123455"  # the demo customer: activation + a 500-point purchase
JANE: Final = "8000000000000001"
BALANCE: Final = {"type": "customer_balance", "code": JANE}
GOLDEN: Final = Path(__file__).parent / "golden" / "ledger" / "customer_balance"
_DATE: Final = re.compile(rb"(?<!\d)(?!0000-00-00)\d{4}-\d\d-\d\d(?!\d)")  # not the 0000-00-00 of no date


def _record(client: TestClient, campaign_id: str, **fields: str) -> str:
    root = call(client, {"type": "record_activity", "code": JANE, "campaign_id": campaign_id, **fields})
    assert status_of(root) == "success", root.findtext("error")
    return str(root.findtext("receipt/transaction/id"))


def _balance(client: TestClient, campaign_id: str, **fields: str) -> dict[str, object]:
    account_id, user_id, key = ADMIN
    data = {"account_id": account_id, "user_id": user_id, "user_password": key, **BALANCE, "campaign_id": campaign_id}
    body = json.loads(client.post("/api.php", data={**data, **fields, "output": "json"}).content)
    assert body["status"] == "success", body
    assert isinstance(body, dict)
    return body


def _prepare_golden(client: TestClient) -> None:
    item = {"type": "campaign_new", "action": "item", "campaign_id": BUYX, "reward_level": "10"}
    assert status_of(call(client, {**item, "item_description": "Widget", "item_identifier": "W"})) == "success"
    assert status_of(call(client, {**item, "item_description": "Gadget"})) == "success"
    _record(client, BUYX, service_product="W", buyx_quantity="2")
    _record(client, BUYX, service_product="2", authorization="Till 2")
    _record(client, GIFTCARD, amount="12.5")
    _record(
        client, POINTS, amount="9.95", custom_field_12="Table 4", custom_field_3="Ann & <Bob>", authorization="Till 1"
    )
    _record(client, POINTS, amount="2")


GOLDEN_CASES: Final = {
    "legacy_points": {"campaign_id": LEGACY},
    "alias_balance_one": {"type": "balance", "campaign_id": LEGACY, "transactions_number": "1"},
    "none_listed": {"campaign_id": LEGACY, "transactions_number": "0"},
    "giftcard": {"campaign_id": GIFTCARD},
    "buyx": {"campaign_id": BUYX},
    "custom_fields": {"campaign_id": POINTS},
    "not_in_campaign": {"campaign_id": EVENTS},
    "bad_number": {"campaign_id": LEGACY, "transactions_number": "-1"},
}


@pytest.mark.parametrize("case", list(GOLDEN_CASES))
def test_answers_match_golden_files(client: TestClient, case: str) -> None:
    _prepare_golden(client)
    account_id, user_id, key = ADMIN
    for form in ("xml", "json"):
        data = {"account_id": account_id, "user_id": user_id, "user_password": key, **BALANCE, **GOLDEN_CASES[case]}
        if form == "json":
            data["output"] = "JSON"
        reply = client.post("/api.php", data=data)
        assert reply.status_code == 200
        body = _DATE.sub(b"YYYY-MM-DD", reply.content)
        path = GOLDEN / f"{case}.{form}"
        if os.environ.get("UPDATE_GOLDEN") == "1":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
        assert body.decode() == path.read_text()


def test_no_stray_golden_files() -> None:
    assert {p.name for p in GOLDEN.iterdir()} == {f"{c}.{f}" for c in GOLDEN_CASES for f in ("xml", "json")}


def test_a_customer_enrolled_without_value_has_zero_and_no_last_transaction(client: TestClient) -> None:
    edit = {"type": "record_customer", "customer_action": "new", "code": "NEW1", "campaign_id": EVENTS}
    assert status_of(call(client, edit)) == "success"
    body = _balance(client, EVENTS, code="NEW1")
    customer = body["campaign"]["customer"]  # type: ignore[index]
    assert (customer["balance"], customer["cumulative"]) == ("0", "0")
    assert (customer["last_transaction"], customer["last_redemption"]) == ("0000-00-00", "0000-00-00")
    # The enrolment entry is listed.
    assert [t["service_product"] for t in customer["transactions"]] == ["Activation"]


def test_transactions_are_newest_first_and_balances_sum_them(client: TestClient) -> None:
    ids = [_record(client, POINTS, amount=amount) for amount in ("1", "2.5", "0,07")]
    customer = _balance(client, POINTS)["campaign"]["customer"]  # type: ignore[index]
    listed = customer["transactions"]
    assert [t["id"] for t in listed][:3] == ids[::-1]
    assert [t["amount"] for t in listed] == ["7", "250", "100", "0"]
    assert customer["balance"] == customer["cumulative"] == "357"
    assert customer["balance"] == str(sum(int(t["amount"]) for t in listed))
    assert customer["last_redemption"] == "0000-00-00"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", customer["last_transaction"])
    assert [t["redeemed"] for t in listed] == ["N"] * 4
    newest = _balance(client, POINTS, transactions_number="2")["campaign"]["customer"]  # type: ignore[index]
    assert [t["id"] for t in newest["transactions"]] == ids[:0:-1]
    assert newest["balance"] == "357"


def test_a_cut_list_warns_only_when_the_server_cut_it(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("loyalty_api.ledger.customer_balance.MAX_TRANSACTIONS", 2)
    for _ in range(3):
        _record(client, EVENTS)
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
