"""Helpers of the customer tests: cheap argon2 parameters, requests, reading answers."""

from __future__ import annotations

import json
import os
from typing import Any, Final

from click.testing import CliRunner, Result
from lxml import etree
from starlette.testclient import TestClient

from loyalty_api.cli import cli
from loyalty_api.config import Settings
from loyalty_api.customers.secrets import ENV_MEMORY_KIB, ENV_TIME_COST
from tests.support.api import ADMIN, call
from tests.support.stored import error_of, run_cli

__all__ = [
    "GIFTCARD",
    "LEGACY_CODE",
    "POINTS",
    "VIP",
    "customer_fields",
    "customer_history",
    "error_code",
    "info",
    "new",
    "restore",
    "text_of",
]

# Set before any test runs (pytest imports every test module first): hashing in tests takes microseconds, not
# tens of milliseconds.  The parameters are checked for production in test_customer_secrets.py.
os.environ.setdefault(ENV_MEMORY_KIB, "64")
os.environ.setdefault(ENV_TIME_COST, "1")

GIFTCARD: Final = "1234567890123450"
POINTS: Final = "1234567890123451"
VIP: Final = "1234567890123453"
LEGACY_CODE: Final = "8000000000000001"  # the demo customer


def new(client: TestClient, user: tuple[str, str, str] = ADMIN, **fields: str) -> etree._Element:
    return call(client, {"type": "record_customer", "customer_action": "new", **fields}, user)


def text_of(root: etree._Element, path: str) -> str | None:
    found = root.find(path)
    return None if found is None else (found.text or "")


def customer_fields(root: etree._Element) -> dict[str, str]:
    customer = root.find("customer")
    assert customer is not None, etree.tostring(root)
    return {child.tag: child.text or "" for child in customer if child.tag != "campaigns"}


def info(client: TestClient, code: str, user: tuple[str, str, str] = ADMIN, **fields: str) -> etree._Element:
    return call(client, {"type": "customer_info", "code": code, **fields}, user)


def error_code(root: etree._Element) -> str:
    assert root.get("status") == "error", etree.tostring(root)
    return error_of(root)[0]


def customer_history(settings: Settings, code: str, account_id: str = "greatwidgets") -> list[dict[str, Any]]:
    out = run_cli(settings, "customer", "history", code, "--account", account_id)
    return [json.loads(line) for line in out.splitlines()]


def restore(settings: Settings, code: str, by: str = "ops-alice") -> Result:
    return CliRunner().invoke(
        cli,
        ["customer", "restore", code, "--account", "greatwidgets", "--by", by],
        env={"LOYALTY_DATABASE_URL": settings.database_url},
    )
