"""Customers' secrets are stored only as argon2id hashes, and never leave the server: no response, log or audit
record holds them, whatever the call (a hypothesis test over every customer call)."""

from __future__ import annotations

import itertools
import logging
import sqlite3
import string
from typing import Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from loyalty_api.store.sqlite.store import sqlite_path
from tests.support.api import credentials
from tests.support.cli import run_cli
from tests.support.customers import new
from tests.support.demo import POINTS
from tests.support.users import ADMIN

_codes = itertools.count(1)
# Characters neither XML nor JSON escapes, so that a leaked secret would show as it is.
_SECRET_TEXT: Final = st.text(string.ascii_letters + string.digits + "-_.!~*()' ", min_size=6, max_size=40)


def test_the_database_holds_only_argon2id_hashes(client: TestClient, settings: Settings, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("reads the SQLite file directly")
    new(client, code="H1", customer_password="plain-password-1", customer_PIN="PIN-8642-zq")
    with sqlite3.connect(sqlite_path(settings.database_url)) as conn:
        password_hash, pin_hash = conn.execute(
            "SELECT password_hash, pin_hash FROM customers WHERE code = 'H1'"
        ).fetchone()
        dump = "\n".join(conn.iterdump())
    assert password_hash.startswith("$argon2id$") and pin_hash.startswith("$argon2id$")
    assert "plain-password-1" not in dump and "PIN-8642-zq" not in dump


def _calls(code: str, secret: str) -> list[dict[str, str]]:
    record = {"type": "record_customer", "code": code}
    return [
        {
            **record,
            "customer_action": "new",
            "card_number": code,
            "first_name": "Sec",
            "customer_password": secret,
            "campaign_id": POINTS,
        },
        {**record, "customer_action": "edit", "customer_PIN": secret, "last_name": "Ret"},
        {**record, "customer_action": "register", "code": f"{code}R", "customer_password": secret},
        {"type": "customer_info", "code": code},
        {"type": "customer_search", "code": code, "include_balances": "Y"},
        {"type": "customer_search", "customer_password": secret},
        {"type": "customer_search", "card_number": code, "customer_password": secret, "include_balances": "Y"},
        {"type": "customer_search", "card_number": code, "customer_PIN": secret + "x"},
        {"type": "customer_find", "find_customer": "Sec Ret"},
        {"type": "customer_exists", "code": code},
        {"type": "validate_customer_password", "code": code, "customer_password": secret},
        {"type": "validate_customer_password", "code": code, "customer_PIN": secret + "x"},
        {"type": "generate_card_number"},
        {"type": "customer_delete", "code": code},
    ]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(secret=_SECRET_TEXT)
def test_secrets_never_leave_the_server(
    client: TestClient, settings: Settings, caplog: pytest.LogCaptureFixture, secret: str
) -> None:
    secret = "Sx" + secret  # text no answer holds by chance
    account_id = ADMIN[0]
    caplog.set_level(logging.DEBUG)
    for output in ("XML", "JSON"):
        code = f"SEC{next(_codes)}"
        for fields in _calls(code, secret):
            reply = client.post("/api.php", data={**credentials(), **fields, "output": output})
            assert reply.status_code == 200
            assert secret not in reply.text and "$argon2" not in reply.text, fields["type"]
        history = run_cli(settings, "customer", "history", code, "--account", account_id)
        assert '"action": "create"' in history and '"action": "delete"' in history
        assert secret not in history and "argon2" not in history
    assert secret not in caplog.text
