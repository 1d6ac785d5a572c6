"""Helpers of the customer tests: cheap argon2 parameters, requests, reading answers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

import pytest
from lxml import etree
from starlette.testclient import TestClient

from loyalty_api.customers import lockout as customer_login
from loyalty_api.customers import secrets as secrets_hashing
from loyalty_api.customers.secrets import ENV_MEMORY_KIB, ENV_TIME_COST
from tests.support.api import call, error_code
from tests.support.demo import POINTS
from tests.support.users import ADMIN, User

__all__ = [
    "AMY",
    "START",
    "Clock",
    "add_sam",
    "codes",
    "customer_fields",
    "customer_labels",
    "fixed_clock",
    "info",
    "new",
    "production_argon2",
    "search",
    "validate",
]

# Set before any test runs (pytest imports every test module first): hashing in tests takes microseconds, not
# tens of milliseconds.  The parameters are checked for production in tests/unit/test_customer_secrets.py.
os.environ.setdefault(ENV_MEMORY_KIB, "64")
os.environ.setdefault(ENV_TIME_COST, "1")

# A new customer with every kind of field and both secrets, enrolled in POINTS.
AMY: Final = {
    "type": "record_customer",
    "customer_action": "new",
    "code": "AMY1",
    "card_number": "4400123",
    "first_name": "Amy",
    "last_name": "Acker",
    "email": "amy@example.com",
    "custom_date": "1970-07-14",
    "custom_field_3": "Gouda",
    "customer_username": "amy70",
    "customer_password": "correct horse",
    "customer_PIN": "2468",
    "campaign_id": POINTS,
}


def new(client: TestClient, user: User = ADMIN, **fields: str) -> etree._Element:
    """``record_customer`` with ``customer_action=new``; the parsed XML answer."""
    return call(client, {"type": "record_customer", "customer_action": "new", **fields}, user)


def info(client: TestClient, code: str, user: User = ADMIN, **fields: str) -> etree._Element:
    """``customer_info`` of ``code``; the parsed XML answer."""
    return call(client, {"type": "customer_info", "code": code, **fields}, user)


def search(client: TestClient, user: User = ADMIN, **fields: str) -> etree._Element:
    """``customer_search`` with ``fields``; the parsed XML answer."""
    return call(client, {"type": "customer_search", **fields}, user)


def codes(root: etree._Element) -> list[str]:
    """The codes of the customers an answer lists, in its order."""
    return [str(node.findtext("code")) for node in root.findall("customer")]


def customer_fields(root: etree._Element) -> dict[str, str]:
    """The customer's fields in an answer (its campaigns left out): a numbered custom field's value is its
    ``data`` (``<custom_field_3><label/><data/></custom_field_3>``)."""
    customer = root.find("customer")
    assert customer is not None, etree.tostring(root)
    return {child.tag: _field_text(child) for child in customer if child.tag != "campaigns"}


def customer_labels(root: etree._Element) -> dict[str, str]:
    """The labels of the customer's numbered custom fields in an answer: ``custom_field_N`` -> label."""
    customer = root.find("customer")
    assert customer is not None, etree.tostring(root)
    return {child.tag: child.findtext("label") or "" for child in customer if child.find("label") is not None}


def _field_text(element: etree._Element) -> str:
    if element.tag.startswith("custom_field_"):
        assert [child.tag for child in element] == ["label", "data"], etree.tostring(element)
        return element.findtext("data") or ""
    return element.text or ""


def production_argon2(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """For a fixture: the argon2 parameters of production (none set in the environment) until it ends."""
    for name in (secrets_hashing.ENV_MEMORY_KIB, secrets_hashing.ENV_TIME_COST, secrets_hashing.ENV_PARALLELISM):
        monkeypatch.delenv(name, raising=False)
    secrets_hashing.hasher.cache_clear()
    yield
    monkeypatch.undo()
    secrets_hashing.hasher.cache_clear()


# --- validate_customer_password ------------------------------------------------------------------------------------

START: Final = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@dataclass
class Clock:
    """The time the lockout sees: ``START`` until moved."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """For a fixture: the lockout's clock replaced by a :class:`Clock` the test moves."""
    chosen = Clock()
    monkeypatch.setattr(customer_login, "clock", chosen)
    return chosen


def add_sam(client: TestClient) -> None:
    """Sam (code S1, card 5500, user name sam, phone 555-0100, password "correct horse", PIN 2468), and a customer
    without secrets (NOSECRET)."""
    root = new(
        client,
        code="S1",
        card_number="5500",
        customer_username="sam",
        phone="555-0100",
        customer_password="correct horse",
        customer_PIN="2468",
    )
    assert root.get("status") == "success"
    new(client, code="NOSECRET")


def validate(client: TestClient, user: User = ADMIN, **fields: str) -> str:
    """``validate_customer_password`` with ``fields``: ``success`` (an empty document) or the error's code."""
    root = call(client, {"type": "validate_customer_password", **fields}, user)
    status = str(root.get("status"))
    if status == "success":
        assert list(root) == [] and not (root.text or "").strip()
        return status
    return error_code(root)
