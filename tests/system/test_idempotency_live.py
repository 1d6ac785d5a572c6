"""Idempotency keys over real sockets: 50 clients in threads send one sale with one key, at once, to a live server
of two worker processes (each its own connections to the database), on SQLite and on PostgreSQL."""

from __future__ import annotations

import http.client
import threading
from pathlib import Path
from typing import Final
from urllib.parse import urlencode

import pytest
from lxml import etree
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from loyalty_api.web.app import create_app
from tests.support.api import call
from tests.support.live_server import ADMIN_FIELDS, CLIENTS_TIMEOUT, HOST, REQUEST_TIMEOUT, live_server

pytestmark = pytest.mark.live

GIFTCARD: Final = "1234567890123450"
JANE: Final = "8000000000000001"
CLIENTS: Final = 50


def _send_together(port: int, fields: dict[str, str], key: str) -> list[tuple[int, bytes, str | None]]:
    """Each client opens its connection, waits for all the others, then sends; (status, body, replayed header)."""
    barrier = threading.Barrier(CLIENTS, timeout=CLIENTS_TIMEOUT)
    answers: list[tuple[int, bytes, str | None]] = []
    lock = threading.Lock()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Idempotency-Key": key}

    def client() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        try:
            conn.connect()
            barrier.wait()
            conn.request("POST", "/api.php", body=urlencode(fields), headers=headers)
            reply = conn.getresponse()
            answer = (reply.status, reply.read(), reply.getheader("Idempotent-Replayed"))
        finally:
            conn.close()
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=CLIENTS_TIMEOUT)
        assert not thread.is_alive(), f"a client did not finish within {CLIENTS_TIMEOUT} s"
    return answers


def test_fifty_clients_with_one_key_on_two_workers(settings: Settings, tmp_path: Path) -> None:
    sale = {**ADMIN_FIELDS, "type": "record_activity", "code": JANE, "campaign_id": GIFTCARD, "amount": "10"}
    with live_server(settings.database_url, tmp_path, workers=2) as server:
        answers = _send_together(server.port, sale, "till-7-sale-1")
    assert len(answers) == CLIENTS
    assert {status for status, _, _ in answers} == {200}
    assert len({body for _, body, _ in answers}) == 1
    assert etree.fromstring(answers[0][1]).get("status") == "success"
    assert sorted(replayed or "" for _, _, replayed in answers) == [""] + ["true"] * (CLIENTS - 1)
    with TestClient(create_app(settings)) as client:
        root = call(client, {"type": "customer_balance", "code": JANE, "campaign_id": GIFTCARD})
    assert root.findtext("campaign/customer/balance") == "10.00"
    assert len(root.findall("campaign/customer/transactions/transaction")) == 2  # the enrolment and one sale
