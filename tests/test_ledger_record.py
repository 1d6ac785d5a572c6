"""``record_activity``: one entry per call in each campaign type, answered by a receipt (both stores)."""

from __future__ import annotations

import json
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Final

import pytest
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from tests.support.api import ADMIN, CLERK, MANAGER, OTHER_ADMIN, call
from tests.support.stored import error_of, show, status_of, warnings_of

GIFTCARD: Final = "1234567890123450"
POINTS: Final = "1234567890123451"
BUYX: Final = "1234567890123452"
EARNED: Final = "1234567890123453"
EVENTS: Final = "1234567890123454"
LEGACY: Final = "1234567890123455"  # points, ratio 50; the demo customer has 500 points in it
JANE: Final = "8000000000000001"  # the demo customer
RECORD: Final = {"type": "record_activity", "code": JANE}
GOLDEN: Final = Path(__file__).parent / "golden" / "ledger" / "record_activity"
_STAMP: Final = re.compile(rb"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def _record(client: TestClient, campaign_id: str, user: tuple[str, str, str] = ADMIN, **fields: str) -> dict[str, str]:
    """Record and return the receipt's transaction as {path: text} (e.g. "balance/points")."""
    root = call(client, {**RECORD, "campaign_id": campaign_id, **fields}, user)
    assert status_of(root) == "success", root.findtext("error")
    transaction = root.find("receipt/transaction")
    assert transaction is not None
    return {
        "/".join(p.tag for p in [*node.iterancestors()][::-1][3:] + [node]): node.text or ""
        for node in transaction.iter()
        if len(node) == 0
    }


def _add_item(client: TestClient, identifier: str = "W", level: str = "10") -> str:
    data = {"type": "campaign_new", "action": "item", "campaign_id": BUYX, "reward_level": level}
    root = call(client, {**data, "item_description": "Widget", "item_identifier": identifier})
    return str(root.findtext("campaign/item/id"))


GOLDEN_CASES: Final = {
    "points": {"campaign_id": POINTS, "amount": "9,95", "authorization": "Till 4"},
    "giftcard": {"campaign_id": GIFTCARD, "amount": "25.00"},
    "events": {"campaign_id": EVENTS},
    "earned": {"campaign_id": EARNED, "custom_field_1": "kept out", "send_transaction_email": "Y"},
    "buyx": {"campaign_id": BUYX, "service_product": "W", "buyx_quantity": "3"},
    "error_inactive": {"campaign_id": GIFTCARD, "amount": "1"},
    "error_mismatch": {"campaign_id": EVENTS, "amount": "1"},
    "error_missing_customer": {"campaign_id": POINTS, "code": "", "amount": "1"},
}


@pytest.mark.parametrize("form", ["xml", "json"])
@pytest.mark.parametrize("case", list(GOLDEN_CASES))
def test_answers_match_golden_files(client: TestClient, case: str, form: str) -> None:
    _add_item(client)
    if case == "error_inactive":
        assert status_of(call(client, {"type": "campaign_deactivate", "campaign_id": GIFTCARD})) == "success"
    account_id, user_id, key = ADMIN
    data = {"account_id": account_id, "user_id": user_id, "user_password": key, **RECORD, **GOLDEN_CASES[case]}
    if form == "json":
        data["output"] = "JSON"
    reply = client.post("/api.php", data=data)
    assert reply.status_code == 200
    body = _STAMP.sub(b"YYYY-MM-DD HH:MM:SS", reply.content)
    path = GOLDEN / f"{case}.{form}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    assert body.decode() == path.read_text()


def test_no_stray_golden_files() -> None:
    assert {p.name for p in GOLDEN.iterdir()} == {f"{c}.{f}" for c in GOLDEN_CASES for f in ("xml", "json")}


def test_points_are_the_amount_times_the_ratio_rounded_down(client: TestClient) -> None:
    first = _record(client, LEGACY, amount="0.01")  # 0.01 x 50 = 0.5 points
    assert (first["recorded/points"], first["purchase/amount"], first["balance/points"]) == ("0.5", "0.01", "500.5")
    update = {"type": "campaign_update", "action": "campaign", "campaign_id": POINTS, "new_points_ratio": "0.3333"}
    assert status_of(call(client, update)) == "updated"
    sale = _record(client, POINTS, amount="1")  # 0.3333 points: 0.33
    assert (sale["recorded/points"], sale["balance/points"], sale["cumulative_balance/points"]) == ("0.33",) * 3
    assert error_of(call(client, {**RECORD, "campaign_id": POINTS, "amount": "0.01"})) == (
        "parameter_invalid",
        "The amount gives nothing to record (it rounds down to 0).",
    )


def test_balances_add_up_in_every_type(client: TestClient) -> None:
    _add_item(client, "A")
    _add_item(client, "B")
    loads = [Decimal("10.50"), Decimal("0.01"), Decimal("7")]
    for amount in loads:
        gift = _record(client, GIFTCARD, amount=str(amount))
    assert (gift["balance/amount"], gift["balance/currency"], gift["balance/glyph"]) == ("17.51", "USD", "$")
    for _ in range(3):
        visit = _record(client, EVENTS)
    assert (visit["add/amount"], visit["balance/events"], visit["cumulative_balance/events"]) == ("1", "3", "3")
    earned = _record(client, EARNED)
    earned = _record(client, EARNED)
    assert (earned["add/amount"], earned["balance/amount"]) == ("5.95", "11.90")
    _record(client, BUYX, service_product="A", buyx_quantity="2")
    item_b = _record(client, BUYX, service_product="B")
    assert (item_b["balance/item/balance"], item_b["add/description"]) == ("1", "Widget")
    item_a = _record(client, BUYX, service_product="1", buyx_quantity="5")  # by id
    assert (item_a["balance/item/id"], item_a["balance/item/balance"]) == ("1", "7")


def test_a_customer_is_enrolled_by_the_first_entry(client: TestClient) -> None:
    info = {"type": "customer_info", "code": JANE}
    before = call(client, info)
    assert GIFTCARD not in [node.text for node in before.findall("campaigns/campaign/id")]
    _record(client, GIFTCARD, amount="1")
    _record(client, GIFTCARD, amount="1")
    after = call(client, info)
    assert status_of(after) == "success"
    assert [node.text for node in after.findall("campaigns/campaign/id")].count(GIFTCARD) == 1


def test_the_card_number_names_the_customer(client: TestClient) -> None:
    edit = {"type": "record_customer", "customer_action": "edit", "code": JANE, "card_number": "4111222233334444"}
    assert status_of(call(client, edit)) == "success"
    root = call(client, {"type": "record_activity", "card_number": "4111222233334444", "campaign_id": EVENTS})
    assert root.findtext("receipt/customer/code") == JANE
    assert root.findtext("receipt/customer/card_number") == "4111222233334444"


def test_the_first_value_entry_freezes_the_opt_outs(client: TestClient, settings: Settings) -> None:
    update = {"type": "campaign_update", "action": "campaign", "campaign_id": EVENTS, "coalition_opt_out": "Y"}
    assert status_of(call(client, update)) == "updated"
    assert show(settings, EVENTS)["coalition_opt_out"] is True
    _record(client, EVENTS)
    root = call(client, {**update, "coalition_opt_out": "N"})
    assert status_of(root) == "updated"
    assert "coalition_opt_out was ignored" in warnings_of(root)[0]
    assert show(settings, EVENTS)["coalition_opt_out"] is True


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"campaign_id": POINTS}, "parameter_missing"),
        ({"campaign_id": POINTS, "amount": "0"}, "parameter_invalid"),
        ({"campaign_id": POINTS, "amount": "-5"}, "parameter_invalid"),
        ({"campaign_id": POINTS, "amount": "1.234"}, "parameter_invalid"),
        ({"campaign_id": POINTS, "amount": "1", "promo_id": "3"}, "parameter_invalid"),
        ({"campaign_id": POINTS, "amount": "1", "service_product": "W"}, "parameter_mismatch"),
        ({"campaign_id": POINTS, "amount": "1", "authorization": "a" * 256}, "string_parameter_too_long"),
        ({"campaign_id": GIFTCARD}, "parameter_missing"),
        ({"campaign_id": EVENTS, "buyx_quantity": "2"}, "parameter_mismatch"),
        ({"campaign_id": BUYX}, "parameter_missing"),
        ({"campaign_id": BUYX, "service_product": "nope"}, "item_not_found"),
        ({"campaign_id": BUYX, "service_product": "W", "buyx_quantity": "0"}, "parameter_invalid"),
        ({"campaign_id": BUYX, "service_product": "W", "amount": "5"}, "parameter_mismatch"),
        ({"campaign_id": "0000000000000000"}, "campaign_not_found"),
        ({"campaign_id": EVENTS, "code": "nobody"}, "customer_not_found"),
        ({"campaign_id": ""}, "parameter_missing"),
    ],
)
def test_refusals_record_nothing(client: TestClient, fields: dict[str, str], code: str) -> None:
    _add_item(client)
    assert error_of(call(client, {**RECORD, **fields}))[0] == code
    # Nothing recorded: the next entry of the campaign starts from zero (or the demo's 500 points).
    assert _record(client, EVENTS)["balance/events"] == "1"
    assert _record(client, GIFTCARD, amount="1")["balance/amount"] == "1.00"
    assert _record(client, BUYX, service_product="W")["balance/item/balance"] == "1"


def test_blank_fields_of_other_types_are_ignored(client: TestClient) -> None:
    assert _record(client, EVENTS, amount=" ", service_product="", buyx_quantity="")["balance/events"] == "1"


def test_a_deactivated_campaign_takes_no_entries_until_reactivated(client: TestClient) -> None:
    assert status_of(call(client, {"type": "campaign_deactivate", "campaign_id": EVENTS})) == "success"
    assert error_of(call(client, {**RECORD, "campaign_id": EVENTS})) == (
        "campaign_inactive",
        f"Campaign {EVENTS} is deactivated: it takes no new transactions.",
    )
    assert status_of(call(client, {"type": "campaign_reactivate", "campaign_id": EVENTS})) == "success"
    assert _record(client, EVENTS)["balance/events"] == "1"


def test_an_archived_item_can_no_longer_be_sold(client: TestClient) -> None:
    item_id = _add_item(client)
    _record(client, BUYX, service_product="W")
    assert (
        status_of(call(client, {"type": "campaign_delete", "action": "item", "campaign_id": BUYX, "item_id": item_id}))
        == "success"
    )
    assert error_of(call(client, {**RECORD, "campaign_id": BUYX, "service_product": item_id}))[0] == "item_not_found"


@pytest.mark.parametrize(
    ("user", "campaign_id", "outcome"),
    [
        (CLERK, EVENTS, "success"),
        (MANAGER, EARNED, "success"),
        (MANAGER, EVENTS, "campaign_not_found"),
        (OTHER_ADMIN, EVENTS, "campaign_not_found"),
    ],
)
def test_every_user_records_in_the_campaigns_they_see(
    client: TestClient, user: tuple[str, str, str], campaign_id: str, outcome: str
) -> None:
    root = call(client, {**RECORD, "campaign_id": campaign_id}, user)
    assert (status_of(root) if outcome == "success" else error_of(root)[0]) == outcome


def test_the_receipt_in_json_names_the_user_account(client: TestClient) -> None:
    account_id, user_id, key = CLERK
    data = {"account_id": account_id, "user_id": user_id, "user_password": key, **RECORD, "campaign_id": EVENTS}
    body = json.loads(client.post("/api.php", data={**data, "output": "json"}).content)
    assert body["status"] == "success"
    assert body["receipt"]["account_name"] == "Great Widgets Company"
    assert body["receipt"]["transaction"]["balance"] == {"events": "1"}
