"""``validate_customer_password``: matching rules, the sliding-window lockout kept in the database, and the same
answers and the same work for an unknown customer as for a wrong secret."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from loyalty_api.customers import lockout as customer_login
from loyalty_api.customers import secrets as secrets_hashing
from loyalty_api.store.sqlite.store import sqlite_path
from loyalty_api.web.app import create_app
from tests.support.api import ADMIN, CLERK, OTHER_ADMIN, call
from tests.support.customers import error_code, new

VALIDATE = {"type": "validate_customer_password"}
START = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    chosen = Clock()
    monkeypatch.setattr(customer_login, "clock", chosen)
    yield chosen


@pytest.fixture
def sam(client: TestClient) -> TestClient:
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
    return client


def _outcome(client: TestClient, user: tuple[str, str, str] = ADMIN, **fields: str) -> str:
    root = call(client, {**VALIDATE, **fields}, user)
    status = str(root.get("status"))
    if status == "success":
        assert list(root) == [] and not (root.text or "").strip()
        return status
    return error_code(root)


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
    assert _outcome(sam, ADMIN, **fields) == "success"
    assert _outcome(sam, CLERK, **fields) == "success"


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
    assert _outcome(sam, ADMIN, **fields) == "invalid_customer_credentials"


def test_missing_fields(sam: TestClient) -> None:
    assert _outcome(sam, customer_password="x") == "parameter_missing"
    assert _outcome(sam, code="S1") == "parameter_missing"
    assert _outcome(sam, code="S1", customer_password="  ") == "parameter_missing"


def test_another_accounts_customer_is_unknown(sam: TestClient, clock: Clock) -> None:
    assert _outcome(sam, OTHER_ADMIN, code="S1", customer_password="correct horse") == "invalid_customer_credentials"


def test_five_failures_lock_until_the_window_has_room(sam: TestClient, clock: Clock) -> None:
    right = {"code": "S1", "customer_password": "correct horse"}
    for minute in range(5):
        assert _outcome(sam, code="S1", customer_password=f"guess {minute}") == "invalid_customer_credentials"
        clock.advance(minutes=1)
    # Locked, for the right password too, and whichever identifier names the customer.
    assert _outcome(sam, ADMIN, **right) == "too_many_attempts"
    assert _outcome(sam, customer_username="sam", customer_PIN="2468") == "too_many_attempts"
    # The first failure (at 12:00) leaves the last 15 minutes at 12:15: one attempt has room again.
    clock.now = START + timedelta(minutes=14, seconds=59)
    assert _outcome(sam, ADMIN, **right) == "too_many_attempts"
    clock.now = START + timedelta(minutes=15)
    assert _outcome(sam, ADMIN, **right) == "success"
    # The success cleared the count: five more failures before the next lock.
    for _ in range(5):
        assert _outcome(sam, code="S1", customer_password="wrong") == "invalid_customer_credentials"
    assert _outcome(sam, ADMIN, **right) == "too_many_attempts"


def test_a_success_resets_the_count(sam: TestClient, clock: Clock) -> None:
    for _ in range(4):
        assert _outcome(sam, code="S1", customer_password="wrong") == "invalid_customer_credentials"
    assert _outcome(sam, code="S1", customer_password="correct horse") == "success"
    for _ in range(4):
        assert _outcome(sam, code="S1", customer_password="wrong") == "invalid_customer_credentials"
    assert _outcome(sam, code="S1", customer_password="correct horse") == "success"


def test_unknown_identifiers_are_counted_and_locked_the_same_way(sam: TestClient, clock: Clock) -> None:
    for _ in range(5):
        assert _outcome(sam, code="GHOST", customer_password="x") == "invalid_customer_credentials"
    assert _outcome(sam, code="GHOST", customer_password="x") == "too_many_attempts"
    # Another unknown identifier, and the known customer, have their own counts.
    assert _outcome(sam, code="GHOST2", customer_password="x") == "invalid_customer_credentials"
    assert _outcome(sam, code="S1", customer_password="correct horse") == "success"


def test_the_lock_holds_across_processes(sam: TestClient, settings: Settings, clock: Clock) -> None:
    """Another app on the same database (another worker or node) sees the failures."""
    for _ in range(5):
        assert _outcome(sam, code="S1", customer_password="wrong") == "invalid_customer_credentials"
    with TestClient(create_app(settings)) as other:
        assert _outcome(other, code="S1", customer_password="correct horse") == "too_many_attempts"


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
        assert _outcome(sam, ADMIN, **fields) == "invalid_customer_credentials"
        assert counting.verified == ["argon2id", "argon2id"], fields


def test_failures_out_of_the_window_are_deleted(
    sam: TestClient, settings: Settings, clock: Clock, backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("counts the rows in the SQLite file directly")
    for name in ("GHOST1", "GHOST2", "GHOST3"):
        assert _outcome(sam, code=name, customer_password="x") == "invalid_customer_credentials"
    clock.advance(minutes=15)
    assert _outcome(sam, code="S1", customer_password="wrong") == "invalid_customer_credentials"
    with sqlite3.connect(sqlite_path(settings.database_url)) as conn:
        rows = conn.execute("SELECT subject FROM customer_login_failures").fetchall()
    assert [row[0] for row in rows] == [f"customer:{_pk_of(settings, 'S1')}"]


def _pk_of(settings: Settings, code: str) -> int:
    with sqlite3.connect(sqlite_path(settings.database_url)) as conn:
        (pk,) = conn.execute("SELECT pk FROM customers WHERE code = ?", (code,)).fetchone()
    return int(pk)


def test_concurrent_attempts_cannot_pass_the_limit_together(sam: TestClient, settings: Settings, clock: Clock) -> None:
    """Eight wrong attempts at once, each through its own app (as from eight workers): five are checked, three
    refused."""
    barrier = threading.Barrier(8)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt() -> None:
        with TestClient(create_app(settings)) as own:
            barrier.wait()
            outcome = _outcome(own, code="S1", customer_password="wrong")
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["invalid_customer_credentials"] * 5 + ["too_many_attempts"] * 3
