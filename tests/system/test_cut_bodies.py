"""A request whose body is cut short never reaches a handler: through a live server and a raw socket that sends
part of a body and closes, urlencoded and multipart, on both stores.  Nothing is executed, nothing is kept under the
idempotency key, and the client's correct retry then goes through."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Final
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from loyalty_api.web.app import create_app
from tests.support.api import call
from tests.support.live_server import ADMIN_FIELDS, HOST, REQUEST_TIMEOUT, live_server
from tests.support.transport import multipart_body

pytestmark = pytest.mark.live

GIFTCARD: Final = "1234567890123450"
JANE: Final = "8000000000000001"
# Long enough for the server to have acted on the cut request, had it done so.
_SETTLE: Final = 0.5


def _send_part(port: int, content_type: str, body: bytes, cut: int, key: str) -> None:
    """Send the headers (Content-Length of the whole body) and all but the last ``cut`` bytes, then close."""
    head = (
        f"POST /api.php HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nIdempotency-Key: {key}\r\n\r\n"
    ).encode()
    with socket.create_connection((HOST, port), timeout=REQUEST_TIMEOUT) as sock:
        sock.sendall(head + body[: len(body) - cut])
    time.sleep(_SETTLE)


def _balance(client: TestClient) -> tuple[str | None, int]:
    root = call(client, {"type": "customer_balance", "code": JANE, "campaign_id": GIFTCARD})
    return root.findtext("campaign/customer/balance"), len(root.findall("campaign/customer/transactions/transaction"))


def _sale(amount: str) -> dict[str, str]:
    return {**ADMIN_FIELDS, "type": "record_activity", "code": JANE, "campaign_id": GIFTCARD, "amount": amount}


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_a_sale_cut_short_is_not_recorded_and_its_retry_is(settings: Settings, tmp_path: Path, encoding: str) -> None:
    fields = _sale("1000.00")
    if encoding == "urlencoded":
        # The amount last: cut after "10.00" of "1000.00", the fields would still parse as a sale of 10.00.
        content_type, body = "application/x-www-form-urlencoded", urlencode(fields).encode()
        cut = 2
    else:
        content_type, body = multipart_body(fields)
        cut = 1
    with live_server(settings.database_url, tmp_path) as server, TestClient(create_app(settings)) as client:
        _send_part(server.port, content_type, body, cut, "till-1-sale-9")
        assert _balance(client) == (None, 0)  # not even enrolled
        retried = call(client, {**fields, "idempotency_key": "till-1-sale-9"})
        assert retried.get("status") == "success", retried
        assert _balance(client) == ("1000.00", 2)  # the enrolment and the one sale


def test_a_reversal_cut_short_reverses_nothing(settings: Settings, tmp_path: Path) -> None:
    entries: list[str] = []
    with TestClient(create_app(settings)) as client:
        # Sales until one's id, less its last digit, is the id of another of them: the reversal cut by one byte
        # would name that one (ids 1x name 1, ...).
        while not any(entry[:-1] in entries for entry in entries):
            entries.append(str(call(client, _sale("1")).findtext(".//transaction/id")))
            assert len(entries) < 200
    target = next(entry for entry in entries if entry[:-1] in entries)
    reversal = {**ADMIN_FIELDS, "type": "transaction_delete", "code": JANE, "campaign_id": GIFTCARD}
    body = urlencode({**reversal, "transaction_id": target}).encode()
    with live_server(settings.database_url, tmp_path) as server, TestClient(create_app(settings)) as client:
        before = _balance(client)
        # One byte short, "transaction_id=40" would name transaction 4.
        _send_part(server.port, "application/x-www-form-urlencoded", body, 1, "till-1-void-1")
        assert _balance(client) == before
