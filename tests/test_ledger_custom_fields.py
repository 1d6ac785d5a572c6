"""Transaction custom fields: ``custom_field_N`` sent with ``record_activity`` or ``redeem`` are kept with the
ledger entry, shown by ``customer_balance`` and carried through the archive (``docs/ledger.md``)."""

from __future__ import annotations

import json
from typing import Any, Final

from click.testing import CliRunner
from lxml import etree
from starlette.testclient import TestClient

from loyalty_api.cli import cli
from loyalty_api.config import Settings
from tests.support.api import ADMIN, CLERK, call
from tests.support.customers import restore as restore_customer
from tests.support.stored import error_of, status_of

POINTS: Final = "1234567890123451"
EVENTS: Final = "1234567890123454"
JANE: Final = "8000000000000001"
RECORD: Final = {"type": "record_activity", "code": JANE}


def _record(client: TestClient, campaign_id: str, **fields: str) -> str:
    root = call(client, {**RECORD, "campaign_id": campaign_id, **fields})
    assert status_of(root) == "success", etree.tostring(root)
    return str(root.findtext("receipt/transaction/id"))


def _transactions(client: TestClient, campaign_id: str, code: str = JANE) -> dict[str, dict[str, Any]]:
    """customer_balance in JSON: the listed transactions by id."""
    account_id, user_id, key = ADMIN
    data = {"account_id": account_id, "user_id": user_id, "user_password": key, "output": "JSON"}
    body = json.loads(
        client.post(
            "/api.php", data={**data, "type": "customer_balance", "code": code, "campaign_id": campaign_id}
        ).content
    )
    assert body["status"] == "success", body
    return {str(t["id"]): t for t in body["campaign"]["customer"]["transactions"]}


def _customs(transaction: dict[str, Any]) -> dict[str, str]:
    return {name: value for name, value in transaction.items() if name.startswith("custom_field")}


def test_sent_fields_are_kept_and_shown_after_the_known_elements(client: TestClient) -> None:
    sent = {
        "custom_field_10": "  Table 4 ",
        "custom_field_2": "Ünïcode & <markup>",
        "custom_field_1": "   ",  # blank: no value, not kept
        "custom_field_21": "beyond the numbers customers have",  # unknown: ignored
        "custom_field": "the unnumbered customer field",  # not a transaction field: ignored
        "send_transaction_email": "Y",  # accepted; no email is sent
    }
    receipt = call(client, {**RECORD, "campaign_id": POINTS, "amount": "9.95", **sent}, CLERK)
    assert status_of(receipt) == "success", etree.tostring(receipt)
    # The receipt keeps its legacy shape.
    assert b"custom_field" not in etree.tostring(receipt)
    entry_id = str(receipt.findtext("receipt/transaction/id"))
    plain_id = _record(client, POINTS, amount="1")

    listed = _transactions(client, POINTS)
    assert _customs(listed[entry_id]) == {"custom_field_2": "Ünïcode & <markup>", "custom_field_10": "Table 4"}
    assert list(listed[entry_id])[-3:] == ["user_name", "custom_field_2", "custom_field_10"]
    assert _customs(listed[plain_id]) == {}

    root = call(client, {"type": "customer_balance", "code": JANE, "campaign_id": POINTS})
    (shown,) = [t for t in root.findall("campaign/customer/transactions/transaction") if t.findtext("id") == entry_id]
    assert [child.tag for child in shown] == [
        "id",
        "date",
        "authorization",
        "service_product",
        "redeemed",
        "amount",
        "user_name",
        "custom_field_2",
        "custom_field_10",
    ]
    assert shown.findtext("custom_field_2") == "Ünïcode & <markup>"


def test_values_are_checked_as_customers_custom_fields_are(client: TestClient) -> None:
    longest = "x" * 1000
    entry_id = _record(client, EVENTS, custom_field_20=longest)
    assert _customs(_transactions(client, EVENTS)[entry_id]) == {"custom_field_20": longest}

    before = _transactions(client, EVENTS)
    too_long = call(client, {**RECORD, "campaign_id": EVENTS, "custom_field_3": "x" * 1001})
    assert error_of(too_long)[0] == "string_parameter_too_long"
    assert "custom_field_3" in error_of(too_long)[1]
    assert _transactions(client, EVENTS) == before  # nothing recorded


def test_redeem_keeps_them_too_and_a_deletion_hides_the_pair(client: TestClient) -> None:
    sale = _record(client, POINTS, amount="10", custom_field_1="sale")
    root = call(
        client,
        {
            "type": "redeem",
            "code": JANE,
            "campaign_id": POINTS,
            "custom_points_redeem": "100",
            "custom_field_5": "voucher 17",
        },
    )
    assert status_of(root) == "success", etree.tostring(root)
    assert b"custom_field" not in etree.tostring(root)
    redemption = str(root.findtext("receipt/transaction/id"))
    too_long = {"type": "redeem", "code": JANE, "campaign_id": POINTS, "custom_points_redeem": "1"}
    assert error_of(call(client, {**too_long, "custom_field_5": "y" * 1001}))[0] == "string_parameter_too_long"

    listed = _transactions(client, POINTS)
    assert _customs(listed[redemption]) == {"custom_field_5": "voucher 17"}
    assert listed[redemption]["redeemed"] == "Y"
    assert _customs(listed[sale]) == {"custom_field_1": "sale"}

    deleted = call(
        client, {"type": "transaction_delete", "code": JANE, "campaign_id": POINTS, "transaction_id": redemption}
    )
    assert status_of(deleted) == "success", etree.tostring(deleted)
    listed = _transactions(client, POINTS)
    assert redemption not in listed
    assert _customs(listed[sale]) == {"custom_field_1": "sale"}


def test_a_deleted_campaign_restored_brings_them_back(client: TestClient, settings: Settings) -> None:
    entry_id = _record(client, EVENTS, custom_field_7="kept in the archive")
    before = _transactions(client, EVENTS)
    assert status_of(call(client, {"type": "campaign_delete", "action": "campaign", "campaign_id": EVENTS})) == (
        "success"
    )
    result = CliRunner().invoke(
        cli,
        ["campaign", "restore", EVENTS, "--account", "greatwidgets", "--by", "ops-alice"],
        env={"LOYALTY_DATABASE_URL": settings.database_url},
    )
    assert result.exit_code == 0, result.output
    after = _transactions(client, EVENTS)
    assert after == before
    assert _customs(after[entry_id]) == {"custom_field_7": "kept in the archive"}


def test_a_deleted_customer_restored_brings_them_back(client: TestClient, settings: Settings) -> None:
    entry_id = _record(client, POINTS, amount="3", custom_field_11="customer archive")
    before = _transactions(client, POINTS)
    assert status_of(call(client, {"type": "customer_delete", "code": JANE})) == "success"
    result = restore_customer(settings, JANE)
    assert result.exit_code == 0, result.output
    after = _transactions(client, POINTS)
    assert after == before
    assert _customs(after[entry_id]) == {"custom_field_11": "customer archive"}
