"""Idempotency keys: a retried request with the same key is answered with the first answer's bytes, once.
(Simultaneous requests with one key: ``tests/system/test_concurrency.py`` and ``test_idempotency_live.py``.)"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Final

import httpx2
import pytest
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from loyalty_api.store.sqlite.store import sqlite_path
from loyalty_api.web.app import create_app
from tests.support.api import call, credentials, error_of, status_of, xml_of
from tests.support.balances import run_sql
from tests.support.demo import GIFTCARD, JANE, LEGACY
from tests.support.users import ADMIN, CLERK, OTHER_ADMIN, User

SALE: Final = {"type": "record_activity", "code": JANE, "campaign_id": GIFTCARD, "amount": "10"}
KEY: Final = "4f7c1d2e-0b9a-4c55-9a51-2f9e8a7c6b10"
REPLAYED: Final = "idempotent-replayed"


def _post(
    client: TestClient,
    fields: Mapping[str, str],
    key: str | None = None,
    user: User = ADMIN,
) -> httpx2.Response:
    data = {**credentials(user), **fields}
    headers = {} if key is None else {"Idempotency-Key": key}
    reply = client.post("/api.php", data=data, headers=headers)
    assert "Traceback" not in reply.text
    return reply


def _balance(client: TestClient, campaign_id: str = GIFTCARD, user: User = ADMIN) -> str:
    root = call(client, {"type": "customer_balance", "code": JANE, "campaign_id": campaign_id}, user)
    assert status_of(root) == "success", root.findtext("error")
    return str(root.findtext("campaign/customer/balance"))


def _code(reply: httpx2.Response) -> str:
    root = xml_of(reply.content)
    return status_of(root) if status_of(root) != "error" else error_of(root)[0]


def _assert_replay(first: httpx2.Response, again: httpx2.Response) -> None:
    assert first.status_code == again.status_code == 200
    assert REPLAYED not in first.headers
    assert again.headers[REPLAYED] == "true"
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.content == first.content


@pytest.mark.parametrize(
    "output",
    [{}, {"output": "json", "condensed": "yes"}, {"callback": "pos.receipt", "condensed": "yes"}],
    ids=["xml", "json_condensed", "jsonp"],
)
def test_the_same_request_is_answered_byte_for_byte_once(client: TestClient, output: dict[str, str]) -> None:
    first = _post(client, {**SALE, **output}, KEY)
    again = _post(client, {**SALE, **output}, KEY)
    _assert_replay(first, again)
    assert b"10" in first.content
    assert _balance(client) == "10.00"
    # The credentials are not part of the request's identity: another way of sending the key still replays.
    by_api_key = {**credentials(key_field="user_api_key"), **SALE, **output}
    third = client.post("/api.php", data=by_api_key, headers={"idempotency-key": KEY})
    _assert_replay(first, third)
    assert _balance(client) == "10.00"


def test_the_field_carries_the_key_and_the_header_wins_over_it(client: TestClient) -> None:
    by_field = _post(client, {**SALE, "idempotency_key": "field-key"})
    _assert_replay(by_field, _post(client, {**SALE, "idempotency_key": "field-key"}))
    assert _balance(client) == "10.00"
    # Both given: the header's key is the one used; the field's is ignored (and not part of the fingerprint).
    both = _post(client, {**SALE, "idempotency_key": "ignored"}, "header-key")
    assert REPLAYED not in both.headers
    _assert_replay(both, _post(client, {**SALE, "idempotency_key": "header-key"}))
    assert REPLAYED not in _post(client, {**SALE, "idempotency_key": "ignored"}).headers
    # A blank header counts as no header: the field's key applies.
    _assert_replay(by_field, _post(client, {**SALE, "idempotency_key": "field-key"}, "  "))
    assert _balance(client) == "30.00"


@pytest.mark.parametrize("where", ["header", "field"])
def test_a_key_over_255_characters_is_refused(client: TestClient, where: str) -> None:
    long_key = "k" * 256
    fields = SALE if where == "header" else {**SALE, "idempotency_key": long_key}
    reply = _post(client, fields, long_key if where == "header" else None)
    code, message = error_of(xml_of(reply.content))
    assert code == "parameter_invalid"
    assert "255 characters" in message
    assert _code(_post(client, SALE, "k" * 255)) == "success"
    assert _balance(client) == "10.00"  # only the sale with the 255-character key


def test_the_same_key_with_other_fields_is_refused_and_does_nothing(client: TestClient) -> None:
    first = _post(client, SALE, KEY)
    assert _code(first) == "success"
    for other in ({**SALE, "amount": "11"}, {**SALE, "output": "json"}, {**SALE, "type": "redeem"}):
        reply = _post(client, other, KEY)
        assert REPLAYED not in reply.headers
        root = xml_of(reply.content) if "output" not in other else None
        if root is None:
            assert reply.json()["error_code"] == "idempotency_key_reused"
        else:
            code, message = error_of(root)
            assert code == "idempotency_key_reused"
            assert KEY in message
    assert _balance(client) == "10.00"
    _assert_replay(first, _post(client, SALE, KEY))


def test_keys_belong_to_one_user_of_one_account(client: TestClient) -> None:
    _post(client, SALE, KEY)
    by_clerk = _post(client, SALE, KEY, CLERK)
    assert _code(by_clerk) == "success"
    assert REPLAYED not in by_clerk.headers
    assert _balance(client) == "20.00"
    customer = {"type": "record_customer", "customer_action": "new", "code": "C-1"}
    ours = _post(client, customer, "customer-key")
    theirs = _post(client, customer, "customer-key", OTHER_ADMIN)  # a customer C-1 of the other account
    assert _code(ours) == _code(theirs) == "success"
    assert REPLAYED not in theirs.headers
    _assert_replay(theirs, _post(client, customer, "customer-key", OTHER_ADMIN))


def test_a_failed_request_keeps_nothing_and_runs_again(client: TestClient) -> None:
    redeem = {"type": "redeem", "code": JANE, "campaign_id": GIFTCARD, "reward_to_redeem": "5"}
    assert _code(_post(client, SALE, "top-up-1")) == "success"
    assert _code(_post(client, {**redeem, "reward_to_redeem": "15"}, KEY)) == "insufficient_balance"
    assert _code(_post(client, {**redeem, "reward_to_redeem": "15"}, KEY)) == "insufficient_balance"
    assert _code(_post(client, SALE, "top-up-2")) == "success"
    first = _post(client, {**redeem, "reward_to_redeem": "15"}, KEY)
    assert _code(first) == "success"
    assert REPLAYED not in first.headers
    _assert_replay(first, _post(client, {**redeem, "reward_to_redeem": "15"}, KEY))
    assert _balance(client) == "5.00"


@pytest.mark.parametrize("call_type", ["record_activity", "redeem", "transaction_delete", "new", "register"])
def test_each_idempotent_call_runs_once(client: TestClient, call_type: str) -> None:
    assert _code(_post(client, {**SALE, "amount": "20"})) == "success"
    entry = str(xml_of(_post(client, SALE).content).findtext("receipt/transaction/id"))
    requests = {
        "record_activity": SALE,
        "redeem": {"type": "redeem", "code": JANE, "campaign_id": GIFTCARD, "reward_to_redeem": "5"},
        "transaction_delete": {
            "type": "transaction_delete",
            "code": JANE,
            "campaign_id": GIFTCARD,
            "transaction_id": entry,
        },
        "new": {"type": "record_customer", "customer_action": "new", "code": "C-1", "campaign_id": GIFTCARD},
        "register": {
            "type": "record_customer",
            "customer_action": "register",
            "customer_username": "c1",
            "customer_password": "pw-123456",
        },
    }
    first = _post(client, requests[call_type], KEY)
    assert _code(first) == "success"
    for _ in range(2):
        _assert_replay(first, _post(client, requests[call_type], KEY))
    # Without the key the same request runs again: an answer the replays did not give (or a second entry).
    again = _post(client, requests[call_type])
    expected = {
        "record_activity": ("success", "50.00"),
        "redeem": ("success", "20.00"),
        "transaction_delete": ("transaction_not_found", "20.00"),
        "new": ("customer_exists", "30.00"),
        "register": ("customer_exists", "30.00"),
    }
    assert (_code(again), _balance(client)) == expected[call_type]


def test_other_calls_ignore_the_key(client: TestClient) -> None:
    update = {"type": "campaign_update", "action": "campaign", "campaign_id": GIFTCARD}
    for name in ("One", "Two"):
        reply = _post(client, {**update, "new_campaign_name": name}, KEY)
        assert _code(reply) == "updated"
        assert REPLAYED not in reply.headers
    balance = {"type": "customer_balance", "code": JANE, "campaign_id": LEGACY}
    assert _code(_post(client, balance, "k" * 256)) == "success"  # not even its length is checked
    edit = {"type": "record_customer", "customer_action": "edit", "code": JANE, "idempotency_key": KEY}
    assert _code(_post(client, {**edit, "first_name": "Ann"})) == "success"
    assert _code(_post(client, {**edit, "first_name": "Bea"})) == "success"
    # The key used by those calls is still free for an idempotent one.
    assert REPLAYED not in _post(client, SALE, KEY).headers


def _age_keys(settings: Settings, hours: int) -> None:
    """Move every kept key's created_at ``hours`` back, through the store's own SQL."""
    if settings.database_url.startswith("sqlite:"):
        with sqlite3.connect(sqlite_path(settings.database_url)) as conn:
            rows = conn.execute("SELECT key, created_at FROM idempotency_keys").fetchall()
            for key, created in rows:
                moved = datetime.fromisoformat(created) - timedelta(hours=hours)
                text = moved.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
                conn.execute("UPDATE idempotency_keys SET created_at = ? WHERE key = ?", (text, key))
        return
    run_sql(settings, f"UPDATE idempotency_keys SET created_at = created_at - interval '{hours} hours'")


def _kept_keys(settings: Settings) -> list[str]:
    return sorted(str(row[0]) for row in run_sql(settings, "SELECT key FROM idempotency_keys"))


def test_keys_are_kept_24_hours_then_run_again_and_are_purged(client: TestClient, settings: Settings) -> None:
    first = _post(client, SALE, KEY)
    assert _code(_post(client, SALE, "stale")) == "success"
    _age_keys(settings, 23)
    _assert_replay(first, _post(client, SALE, KEY))
    assert _balance(client) == "20.00"
    _age_keys(settings, 2)  # now 25 hours old
    again = _post(client, SALE, KEY)
    assert _code(again) == "success"
    assert REPLAYED not in again.headers
    assert again.content != first.content  # a new transaction
    assert _balance(client) == "30.00"
    _assert_replay(again, _post(client, SALE, KEY))
    assert _kept_keys(settings) == [KEY, "stale"]
    # A new process purges expired keys with its first keyed write (then at most once a minute).
    with TestClient(create_app(settings)) as other:
        assert _code(_post(other, SALE, "fresh")) == "success"
    assert _kept_keys(settings) == sorted([KEY, "fresh"])


def test_the_keep_time_is_at_least_24_hours() -> None:
    assert Settings.from_env({}).idempotency_hours == 24
    assert Settings.from_env({"LOYALTY_IDEMPOTENCY_HOURS": "48"}).idempotency_hours == 48
    with pytest.raises(ValueError, match="at least 24"):
        Settings.from_env({"LOYALTY_IDEMPOTENCY_HOURS": "23"})
