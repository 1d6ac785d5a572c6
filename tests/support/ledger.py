"""Requests and readings of the ledger calls used by tests of several calls."""

from __future__ import annotations

from typing import Any

from lxml import etree
from starlette.testclient import TestClient

from tests.support.api import call, call_json, status_of
from tests.support.demo import JANE

__all__ = ["customs", "delete_entry", "record", "send", "transactions"]


def send(client: TestClient, call_type: str, campaign_id: str, **fields: str) -> str:
    """A ledger call (``record_activity``, ``redeem``) for Jane (unless ``fields`` name another customer), which
    must succeed; the new entry's id."""
    root = call(client, {"type": call_type, "code": JANE, "campaign_id": campaign_id, **fields})
    assert status_of(root) == "success", etree.tostring(root)
    return str(root.findtext("receipt/transaction/id"))


def record(client: TestClient, campaign_id: str, **fields: str) -> str:
    """``record_activity`` (see :func:`send`); the new entry's id."""
    return send(client, "record_activity", campaign_id, **fields)


def delete_entry(client: TestClient, campaign_id: str, entry_id: str) -> None:
    """``transaction_delete`` of Jane's entry, which must succeed."""
    fields = {"type": "transaction_delete", "code": JANE, "campaign_id": campaign_id, "transaction_id": entry_id}
    root = call(client, fields)
    assert status_of(root) == "success", etree.tostring(root)


def transactions(client: TestClient, campaign_id: str, code: str = JANE) -> dict[str, dict[str, Any]]:
    """``customer_balance`` in JSON: the transactions it lists, by id."""
    body = call_json(client, {"type": "customer_balance", "code": code, "campaign_id": campaign_id})
    assert body["status"] == "success", body
    return {str(t["id"]): t for t in body["campaign"]["customer"]["transactions"]}


def customs(transaction: dict[str, Any]) -> dict[str, str]:
    """The custom fields of a listed transaction."""
    return {name: value for name, value in transaction.items() if name.startswith("custom_field")}
