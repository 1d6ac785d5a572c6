"""What one connection may cost: headers in time and of bounded size, bodies at a minimum rate, idle keep-alive
connections closed, a bounded number of connections per process.  Through a live server and raw sockets, on both
stores (``loyalty_api/web/connections.py``)."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Final
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from loyalty_api.web.app import create_app
from tests.support.api import call
from tests.support.live_server import ADMIN_FIELDS, HOST, LiveServer, live_server

pytestmark = pytest.mark.live

GIFTCARD: Final = "1234567890123450"
JANE: Final = "8000000000000001"
# Small limits, so that each check takes about a second.
LIMITS: Final = {
    "LOYALTY_HEADER_TIMEOUT_SECONDS": "1",
    "LOYALTY_BODY_GRACE_SECONDS": "1",
    "LOYALTY_BODY_MIN_RATE": "1024",
    "LOYALTY_KEEP_ALIVE_SECONDS": "1",
    "LOYALTY_MAX_HEADER_BYTES": "8192",
    "LOYALTY_MAX_CONNECTIONS": "6",
}
_CLOSED_WITHIN: Final = 4.0  # seconds: the limit (1 s) and the timer's slack, far below "never"


@contextlib.contextmanager
def _server(settings: Settings, tmp_path: Path) -> Iterator[LiveServer]:
    with live_server(settings.database_url, tmp_path, extra_env=LIMITS) as server:
        yield server


def _connect(server: LiveServer) -> socket.socket:
    sock = socket.create_connection((HOST, server.port), timeout=_CLOSED_WITHIN + 2)
    return sock


def _read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (a timeout fails the test)."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _trickle(sock: socket.socket, data: bytes, every: float) -> float:
    """Send ``data`` a byte at a time until the server closes; the seconds that took."""
    start = time.monotonic()
    for byte in data:
        try:
            sock.sendall(bytes([byte]))
        except OSError:  # closed by the server
            break
        time.sleep(every)
        if time.monotonic() - start > _CLOSED_WITHIN + 2:
            break
    return time.monotonic() - start


def _sale_request(amount: str) -> bytes:
    body = urlencode(
        {**ADMIN_FIELDS, "type": "record_activity", "code": JANE, "campaign_id": GIFTCARD, "amount": amount}
    )
    head = (
        f"POST /api.php HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body.encode()


def _balance(settings: Settings) -> str | None:
    with TestClient(create_app(settings)) as client:
        root = call(client, {"type": "customer_balance", "code": JANE, "campaign_id": GIFTCARD})
    return root.findtext("campaign/customer/balance")


def test_headers_must_come_in_time_and_in_bounds(settings: Settings, tmp_path: Path) -> None:
    with _server(settings, tmp_path) as server:
        # A connection that sends nothing is closed with 408 once the header time is out.
        with _connect(server) as idle:
            start = time.monotonic()
            assert _read_until_closed(idle).startswith(b"HTTP/1.1 408")
            assert time.monotonic() - start < _CLOSED_WITHIN
        # Headers sent a byte every 0.3 s: closed after the header time, not at the end of the headers.
        with _connect(server) as slow:
            took = _trickle(slow, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 40 + b"\r\n\r\n", 0.3)
            assert took < _CLOSED_WITHIN
        # Headers over the size limit: 431, then closed.
        with _connect(server) as greedy:
            greedy.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 20_000 + b"\r\n\r\n")
            assert _read_until_closed(greedy).startswith(b"HTTP/1.1 431")
        # Headers just under the limit are served.
        with _connect(server) as fine:
            fine.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Ok: " + b"c" * 7000 + b"\r\n\r\n")
            assert _read_until_closed(fine).startswith(b"HTTP/1.1 200")


def test_a_body_slower_than_the_minimum_rate_is_dropped_unrun(settings: Settings, tmp_path: Path) -> None:
    request = _sale_request("1000.00")
    head_end = request.index(b"\r\n\r\n") + 4
    with _server(settings, tmp_path) as server:
        with _connect(server) as slow:
            slow.sendall(request[:head_end])
            took = _trickle(slow, request[head_end:], 0.2)
            assert took < _CLOSED_WITHIN
        # A whole body sent at once is served as usual, on a keep-alive connection that then idles out.
        with _connect(server) as fast:
            fast.sendall(_sale_request("5.00"))
            start = time.monotonic()
            answer = _read_until_closed(fast)
            assert answer.startswith(b"HTTP/1.1 200") and b'status="success"' in answer
            assert time.monotonic() - start < _CLOSED_WITHIN  # the keep-alive time (1 s), not forever
    assert _balance(settings) == "5.00"  # the trickled sale was never run


def test_connections_beyond_the_process_limit_are_refused_at_once(settings: Settings, tmp_path: Path) -> None:
    env = {**LIMITS, "LOYALTY_HEADER_TIMEOUT_SECONDS": "30"}
    with live_server(settings.database_url, tmp_path, extra_env=env) as server, contextlib.ExitStack() as held:
        for _ in range(6):
            held.enter_context(_connect(server))
        time.sleep(0.3)
        with _connect(server) as one_more:
            assert _read_until_closed(one_more).startswith(b"HTTP/1.1 503")
        held.close()
        time.sleep(0.3)
        with _connect(server) as later:
            later.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert _read_until_closed(later).startswith(b"HTTP/1.1 200")
