"""Crash safety, on both stores: ``kill -9`` the server in the middle of concurrent writes, restart it.

Campaign updates: every update acknowledged with ``status="updated"`` must be there afterwards with its audit
record; no update may be half-applied (each sets the name and the description with one token).

Sales (``record_activity``): every receipt answered ``status="success"`` must be in the ledger with its
transaction id, customer, user, amount and custom field; no entry may be there that nobody sent, or twice; each
customer's balance is the sum of their entries.  SQLite's ``integrity_check`` must say ok after every kill.
"""

from __future__ import annotations

import http.client
import sqlite3
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Final

import pytest
from lxml import etree
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from loyalty_api.store.sqlite.store import sqlite_path
from loyalty_api.web.app import create_app
from tests.support.api import call
from tests.support.cli import show
from tests.support.live_server import (
    HOST,
    REQUEST_TIMEOUT,
    Sent,
    check_token_updates,
    kill_while_writing,
    live_server,
    post_form,
    token_update,
    token_updates,
)
from tests.support.users import ADMIN, CLERK, MANAGER

pytestmark = pytest.mark.live

CAMPAIGNS: Final = ["1234567890123450", "1234567890123451", "1234567890123452", "1234567890123454"]
CLIENTS: Final = 12
KILL_AFTER: Final = 200  # kill once this many updates have been answered ...
KILL_AFTER_S: Final = 20.0  # ... or after this long, whichever comes first


def test_kill_9_in_the_middle_of_writes(settings: Settings, tmp_path: Path) -> None:
    sent = kill_while_writing(
        settings.database_url,
        tmp_path,
        token_updates(CAMPAIGNS),
        CLIENTS,
        kill_after=KILL_AFTER,
        kill_after_s=KILL_AFTER_S,
    )

    _check_the_kill(settings, sent)
    with live_server(settings.database_url, tmp_path, name="after") as restarted:
        conn = http.client.HTTPConnection(HOST, restarted.port, timeout=REQUEST_TIMEOUT)
        try:
            after = post_form(conn, token_update(CAMPAIGNS[0], "after-restart"))
        finally:
            conn.close()
        assert after.status == "updated", after.body
    applied = check_token_updates(settings, [*sent, Sent(CAMPAIGNS[0], "after-restart", after)])
    assert applied[CAMPAIGNS[0]][-1] == "after-restart"
    if settings.database_url.startswith("sqlite:"):
        assert _integrity(settings) == "ok"


def _check_the_kill(settings: Settings, sent: list[Sent]) -> None:
    """The kill met writes in flight after enough were answered, every answer acknowledged its write, and SQLite's
    file is sound."""
    acknowledged = [s for s in sent if s.acknowledged]
    broken = [s for s in sent if s.answer is None]
    assert len(acknowledged) >= 50, f"too few writes before the kill to mean anything: {len(acknowledged)}"
    assert broken, "no write was in flight when the server was killed"
    refused = [s.answer.body for s in sent if s.answer is not None and not s.acknowledged]
    assert not refused, f"an answered write was not acknowledged: {refused[:3]}"
    if settings.database_url.startswith("sqlite:"):
        assert _integrity(settings) == "ok"


def _integrity(settings: Settings) -> str:
    conn = sqlite3.connect(sqlite_path(settings.database_url))
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


# --- record_activity ---------------------------------------------------------------------------------------------

POINTS: Final = "1234567890123451"
SHOPPERS: Final = [f"CRASH{n}" for n in range(1, 5)]  # new customers: the first sale of each enrols them
TILLS: Final = [ADMIN, MANAGER, CLERK]  # the users the clients record as, in turn
SALE_CLIENTS: Final = 9
UPDATE_EVERY: Final = 5  # every 5th request of a client is a token update of the points campaign itself


def _sale_or_update(number: int, sent: int) -> Sent:
    """Client ``number``'s request ``sent``: mostly a sale to one of the shoppers (its token in the authorization
    and in custom_field_1, an amount of its own), sometimes an update of the campaign the sales go to (its row lock
    against theirs)."""
    token = f"r{number}-{sent}"
    if sent % UPDATE_EVERY == UPDATE_EVERY - 1:
        return Sent(POINTS, token, None, token_update(POINTS, token))
    account_id, user_id, key = TILLS[number % len(TILLS)]
    fields = {
        "account_id": account_id,
        "user_id": user_id,
        "user_password": key,
        "type": "record_activity",
        "campaign_id": POINTS,
        "code": SHOPPERS[(number + sent) % len(SHOPPERS)],
        "amount": f"{(number * 31 + sent * 7) % 97 + 1}.{(sent * 13) % 100:02d}",
        "authorization": token,
        "custom_field_1": token,
    }
    return Sent(POINTS, token, None, fields, success="success")


def test_kill_9_in_the_middle_of_sales(settings: Settings, tmp_path: Path) -> None:
    with TestClient(create_app(settings), base_url="http://testserver") as setup:
        for code in SHOPPERS:
            new = {"type": "record_customer", "customer_action": "new", "code": code}
            assert call(setup, new).get("status") == "success"
    sent = kill_while_writing(
        settings.database_url, tmp_path, _sale_or_update, SALE_CLIENTS, kill_after=KILL_AFTER, kill_after_s=KILL_AFTER_S
    )
    sales = [s for s in sent if s.fields["type"] == "record_activity"]
    updates = [s for s in sent if s.fields["type"] == "campaign_update"]
    assert sum(s.acknowledged for s in sales) >= 50 and any(s.acknowledged for s in updates)
    _check_the_kill(settings, sent)

    last = {**_sale_or_update(0, 0).fields, "authorization": "after", "custom_field_1": "after"}
    with live_server(settings.database_url, tmp_path, name="after") as restarted:
        conn = http.client.HTTPConnection(HOST, restarted.port, timeout=REQUEST_TIMEOUT)
        try:
            after = Sent(POINTS, "after", post_form(conn, last), last, success="success")
            assert after.acknowledged, after.answer
            listed = {code: _ledger_of(conn, code) for code in SHOPPERS}
        finally:
            conn.close()
    ratio = Decimal(show(settings, POINTS)["points_ratio"])
    _check_sales(listed, [*sales, after], ratio)
    check_token_updates(settings, updates)
    if settings.database_url.startswith("sqlite:"):
        assert _integrity(settings) == "ok"


def _ledger_of(conn: http.client.HTTPConnection, code: str) -> etree._Element | None:
    """customer_balance of ``code`` in the points campaign: its ``<customer>``, None when no sale of theirs was
    committed (the customer is in no campaign)."""
    account_id, user_id, key = ADMIN
    form = {"account_id": account_id, "user_id": user_id, "user_password": key, "type": "customer_balance"}
    answer = post_form(conn, {**form, "campaign_id": POINTS, "code": code})
    root = etree.fromstring(answer.body)
    if answer.status == "error" and root.xpath("string(error/@code)") == "customer_not_in_campaign":
        return None
    customer = root.find("campaign/customer")
    assert answer.status == "success" and customer is not None, answer.body
    return customer


def _check_sales(listed: dict[str, etree._Element | None], sales: list[Sent], ratio: Decimal) -> None:
    """Every acknowledged sale is listed once, as its receipt said; every listed entry is a sale sent (with what
    it was sent with); each balance is the sum of the listed entries."""
    by_token = {s.token: s for s in sales}
    for code, customer in listed.items():
        ours = {s.token for s in sales if s.fields["code"] == code}
        entries = [] if customer is None else customer.findall("transactions/transaction")
        enrolments = [t for t in entries if t.findtext("service_product") == "Activation"]
        recorded = [t for t in entries if t.findtext("service_product") != "Activation"]
        tokens = [str(t.findtext("authorization")) for t in recorded]
        assert len(tokens) == len(set(tokens)), f"a sale of {code} was recorded twice"
        assert set(tokens) <= ours, f"{code} has entries nobody sent: {sorted(set(tokens) - ours)}"
        missing = {t for t in ours if by_token[t].acknowledged} - set(tokens)
        assert not missing, f"acknowledged sales of {code} missing from the ledger: {sorted(missing)}"
        assert len(enrolments) == (1 if recorded else 0), f"{code}: {len(enrolments)} enrolment entries"
        for entry in recorded:
            sale = by_token[str(entry.findtext("authorization"))]
            points = Decimal(str(entry.findtext("amount")))
            assert points == (Decimal(sale.fields["amount"]) * ratio).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)
            assert entry.findtext("custom_field_1") == sale.token
            assert entry.findtext("user_name") == sale.fields["user_id"]
            if sale.answer is not None:  # acknowledged (checked before): the receipt's id and points
                receipt = etree.fromstring(sale.answer.body).find("receipt/transaction")
                assert receipt is not None
                assert entry.findtext("id") == receipt.findtext("id")
                assert points == Decimal(str(receipt.findtext("recorded/points")))
        if customer is not None:
            total = sum((Decimal(str(t.findtext("amount"))) for t in entries), Decimal(0))
            assert Decimal(str(customer.findtext("balance"))) == total
            assert Decimal(str(customer.findtext("cumulative"))) == total
