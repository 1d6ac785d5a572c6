"""``validate_customer_password``: matching rules, the sliding-window lockout kept in the database, and the same
answers and the same work for an unknown customer as for a wrong secret.  (Simultaneous attempts:
``tests/system/test_concurrency.py``.)"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Final

import pytest
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from loyalty_api.customers import secrets as secrets_hashing
from loyalty_api.store.sqlite.store import sqlite_path
from loyalty_api.web.app import create_app
from tests.support.customers import AMY, START, Clock, add_sam, fixed_clock, validate
from tests.support.golden import customer_case, customer_golden_tests
from tests.support.users import ADMIN, CLERK, OTHER_ADMIN

AMY_VALIDATE: Final = {"type": "validate_customer_password", "code": "AMY1"}
CASES: Final = [
    customer_case("validate", {**AMY_VALIDATE, "customer_password": "correct horse"}, setup=(AMY,)),
    customer_case("validate_wrong", {**AMY_VALIDATE, "customer_PIN": "0000"}, setup=(AMY,)),
    customer_case(
        "validate_locked",
        {**AMY_VALIDATE, "customer_PIN": "2468"},
        setup=(AMY, *([{**AMY_VALIDATE, "customer_PIN": "1"}] * 5)),
    ),
]


test_answers_match_golden_files, test_no_stray_golden_files = customer_golden_tests("validate_customer_password", CASES)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return fixed_clock(monkeypatch)


@pytest.fixture
def sam(client: TestClient) -> TestClient:
    add_sam(client)
    return client


@pytest.mark.parametrize(
    "fields",
    [
        {"code": "S1", "customer_password": "correct horse"},
        {"card_number": "5500", "customer_PIN": "2468"},
        {"customer_username": "sam", "customer_password": "correct horse", "customer_PIN": "2468"},
        {"code": "S1", "card_number": "5500", "phone": "555-0100", "customer_password": "correct horse"},
    ],
)
def test_every_given_field_matches(sam: TestClient, clock: Clock, fields: dict[str, str]) -> None:
    assert validate(sam, ADMIN, **fields) == "success"
    assert validate(sam, CLERK, **fields) == "success"


@pytest.mark.parametrize(
    "fields",
    [
        {"code": "S1", "customer_password": "correct horse "},
        {"code": "S1", "customer_password": "2468"},  # the PIN is not the password
        {"code": "S1", "customer_password": "correct horse", "customer_PIN": "1357"},
        {"code": "S1", "card_number": "5501", "customer_password": "correct horse"},
        {"code": "S1", "phone": "555-0199", "customer_password": "correct horse"},
        {"code": "S2", "customer_password": "correct horse"},
        {"code": "NOSECRET", "customer_password": "anything"},
    ],
)
def test_any_mismatch_is_invalid_customer_credentials(sam: TestClient, clock: Clock, fields: dict[str, str]) -> None:
    assert validate(sam, ADMIN, **fields) == "invalid_customer_credentials"


def test_missing_fields(sam: TestClient) -> None:
    assert validate(sam, customer_password="x") == "parameter_missing"
    assert validate(sam, code="S1") == "parameter_missing"
    assert validate(sam, code="S1", customer_password="  ") == "parameter_missing"


def test_another_accounts_customer_is_unknown(sam: TestClient, clock: Clock) -> None:
    assert validate(sam, OTHER_ADMIN, code="S1", customer_password="correct horse") == "invalid_customer_credentials"


def test_five_failures_lock_until_the_window_has_room(sam: TestClient, clock: Clock) -> None:
    right = {"code": "S1", "customer_password": "correct horse"}
    for minute in range(5):
        assert validate(sam, code="S1", customer_password=f"guess {minute}") == "invalid_customer_credentials"
        clock.advance(minutes=1)
    # Locked, for the right password too, and whichever identifier names the customer.
    assert validate(sam, ADMIN, **right) == "too_many_attempts"
    assert validate(sam, customer_username="sam", customer_PIN="2468") == "too_many_attempts"
    # The first failure (at 12:00) leaves the last 15 minutes at 12:15: one attempt has room again.
    clock.now = START + timedelta(minutes=14, seconds=59)
    assert validate(sam, ADMIN, **right) == "too_many_attempts"
    clock.now = START + timedelta(minutes=15)
    assert validate(sam, ADMIN, **right) == "success"
    # The success cleared the count: five more failures before the next lock.
    for _ in range(5):
        assert validate(sam, code="S1", customer_password="wrong") == "invalid_customer_credentials"
    assert validate(sam, ADMIN, **right) == "too_many_attempts"


def test_a_success_resets_the_count(sam: TestClient, clock: Clock) -> None:
    for _ in range(4):
        assert validate(sam, code="S1", customer_password="wrong") == "invalid_customer_credentials"
    assert validate(sam, code="S1", customer_password="correct horse") == "success"
    for _ in range(4):
        assert validate(sam, code="S1", customer_password="wrong") == "invalid_customer_credentials"
    assert validate(sam, code="S1", customer_password="correct horse") == "success"


def test_unknown_identifiers_are_counted_and_locked_the_same_way(sam: TestClient, clock: Clock) -> None:
    for _ in range(5):
        assert validate(sam, code="GHOST", customer_password="x") == "invalid_customer_credentials"
    assert validate(sam, code="GHOST", customer_password="x") == "too_many_attempts"
    # Another unknown identifier, and the known customer, have their own counts.
    assert validate(sam, code="GHOST2", customer_password="x") == "invalid_customer_credentials"
    assert validate(sam, code="S1", customer_password="correct horse") == "success"


def test_the_lock_holds_across_processes(sam: TestClient, settings: Settings, clock: Clock) -> None:
    """Another app on the same database (another worker or node) sees the failures."""
    for _ in range(5):
        assert validate(sam, code="S1", customer_password="wrong") == "invalid_customer_credentials"
    with TestClient(create_app(settings)) as other:
        assert validate(other, code="S1", customer_password="correct horse") == "too_many_attempts"


@dataclass
class _CountingHasher:
    inner: object
    verified: list[str] = field(default_factory=list)

    def hash(self, secret: str) -> str:
        return str(self.inner.hash(secret))  # type: ignore[attr-defined]

    def verify(self, stored: str, secret: str) -> bool:
        self.verified.append(stored.split("$")[1])  # the algorithm: argon2id, for the dummy hash too
        return bool(self.inner.verify(stored, secret))  # type: ignore[attr-defined]


def test_an_unknown_customer_costs_the_same_argon2_work(
    sam: TestClient, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    counting = _CountingHasher(secrets_hashing.hasher())
    monkeypatch.setattr(secrets_hashing, "hasher", lambda: counting)
    cases = [
        {"code": "S1", "customer_password": "wrong", "customer_PIN": "0000"},  # wrong secrets
        {"code": "GHOST", "customer_password": "wrong", "customer_PIN": "0000"},  # unknown customer
        {"code": "NOSECRET", "customer_password": "wrong", "customer_PIN": "0000"},  # no secrets set
        {"code": "S1", "card_number": "0", "customer_password": "wrong", "customer_PIN": "0000"},  # other card
    ]
    for fields in cases:
        counting.verified.clear()
        assert validate(sam, ADMIN, **fields) == "invalid_customer_credentials"
        assert counting.verified == ["argon2id", "argon2id"], fields


def test_failures_out_of_the_window_are_deleted(
    sam: TestClient, settings: Settings, clock: Clock, backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("counts the rows in the SQLite file directly")
    for name in ("GHOST1", "GHOST2", "GHOST3"):
        assert validate(sam, code=name, customer_password="x") == "invalid_customer_credentials"
    clock.advance(minutes=15)
    assert validate(sam, code="S1", customer_password="wrong") == "invalid_customer_credentials"
    with sqlite3.connect(sqlite_path(settings.database_url)) as conn:
        rows = conn.execute("SELECT subject FROM customer_login_failures").fetchall()
    assert [row[0] for row in rows] == [f"customer:{_pk_of(settings, 'S1')}"]


def _pk_of(settings: Settings, code: str) -> int:
    with sqlite3.connect(sqlite_path(settings.database_url)) as conn:
        (pk,) = conn.execute("SELECT pk FROM customers WHERE code = ?", (code,)).fetchone()
    return int(pk)
