"""Smoke test against a live server: ``python -m loyalty_api serve --demo`` (uvicorn) over a real socket.

One server process for the module, on a free port and a fresh SQLite file; it is always terminated, and must shut
down cleanly.  Every wait is bounded.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import urlencode

import pytest

from tests.support.demo import SPEC_GIFTCARD
from tests.support.transport import multipart_body

pytestmark = pytest.mark.live

START_TIMEOUT: Final = 30.0
STOP_TIMEOUT: Final = 15.0
REQUEST_TIMEOUT: Final = 10.0

SPEC_POINTS: Final = {
    **SPEC_GIFTCARD,
    "campaign_id": "1234567890123451",
    "new_campaign_name": "New Widget Rewards Name",
    "new_points_ratio": "100",
    "new_reward_ratio": "18",
}
UPDATED: Final = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<response status="updated"><campaign><id>{id}</id></campaign></response>'
)


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_healthy(server: Server, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{server.log_text()}")
        try:
            with urllib.request.urlopen(f"{server.base}/healthz", timeout=1) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the server did not answer /healthz within {START_TIMEOUT} s:\n{server.log_text()}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("live")
    running = Server("127.0.0.1", _free_port(), workdir / "server.log")
    env = {**os.environ, "LOYALTY_DATABASE_URL": f"sqlite:///{workdir / 'live.db'}"}
    command = [sys.executable, "-m", "loyalty_api", "serve", "--demo", "--host", running.host]
    with running.log.open("wb") as log:
        process = subprocess.Popen(
            [*command, "--port", str(running.port)], env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            _wait_until_healthy(running, process)
            yield running
        finally:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_TIMEOUT)
                pytest.fail(f"the server did not stop within {STOP_TIMEOUT} s of SIGTERM:\n{running.log_text()}")
    # uvicorn shuts down gracefully, then re-raises the signal it caught.
    assert process.returncode in (0, -signal.SIGTERM), running.log_text()
    assert "Application shutdown complete." in running.log_text()
    assert "loaded the demo world" in running.log_text()


def _request(
    server: Server, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        reply = conn.getresponse()
        return reply.status, {k.lower(): v for k, v in reply.getheaders()}, reply.read()
    finally:
        conn.close()


def test_probes(server: Server) -> None:
    assert _request(server, "GET", "/healthz")[::2] == (200, b"ok")
    assert _request(server, "GET", "/readyz")[::2] == (200, b"ready")


def test_the_images_health_check_passes_against_a_live_server(server: Server) -> None:
    dockerfile = (Path(__file__).resolve().parents[2] / "Dockerfile").read_text(encoding="utf-8")
    command = json.loads(dockerfile.split("HEALTHCHECK ", 1)[1].split("CMD ", 1)[1].splitlines()[0])
    assert command[:2] == ["python", "-c"]
    check = command[2].replace("http://127.0.0.1:8000", server.base)
    assert check != command[2]
    assert subprocess.run([sys.executable, "-c", check], timeout=10, check=False).returncode == 0


def test_the_specification_request_urlencoded(server: Server) -> None:
    request = urllib.request.Request(f"{server.base}/api.php", data=urlencode(SPEC_GIFTCARD).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as reply:
        assert reply.status == 200
        assert reply.headers["Content-Type"] == "text/xml; charset=utf-8"
        assert reply.read() == UPDATED.replace(b"{id}", b"1234567890123450")


def test_the_specification_request_as_php_curl_sends_it(server: Server) -> None:
    content_type, body = multipart_body(SPEC_POINTS)
    status, headers, content = _request(server, "POST", "/", body, {"Content-Type": content_type})
    assert status == 200
    assert content == UPDATED.replace(b"{id}", b"1234567890123451")


def test_jsonp_over_get(server: Server) -> None:
    query = urlencode({**SPEC_GIFTCARD, "callback": "show", "condensed": "yes"})
    status, headers, content = _request(server, "GET", f"/api.php?{query}")
    assert status == 200
    assert headers["content-type"] == "application/javascript; charset=utf-8"
    assert headers["x-content-type-options"] == "nosniff"
    assert content == b'/**/show({"status":"updated","campaign":{"id":"1234567890123450"}});'


def test_wrong_credentials_in_json(server: Server) -> None:
    body = urlencode({**SPEC_GIFTCARD, "user_password": "wrong", "output": "json"}).encode()
    status, headers, content = _request(
        server, "POST", "/api.php", body, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert (status, headers["content-type"]) == (200, "application/json")
    assert json.loads(content)["error_code"] == "no_valid_session"


def test_405_over_the_wire(server: Server) -> None:
    status, headers, content = _request(server, "DELETE", "/api.php")
    assert (status, headers["allow"]) == (405, "GET, POST")
    assert b'<error code="method_not_allowed">' in content


def test_a_declared_length_over_the_limit_is_refused_before_the_body(server: Server) -> None:
    with socket.create_connection((server.host, server.port), timeout=REQUEST_TIMEOUT) as sock:
        sock.sendall(
            b"POST /api.php HTTP/1.1\r\nHost: live\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 2097152\r\n\r\n"
        )
        reply = http.client.HTTPResponse(sock)
        reply.begin()
        assert reply.status == 413
        assert b'<error code="request_too_large">' in reply.read()


def test_a_chunked_body_over_the_limit_is_refused(server: Server) -> None:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=REQUEST_TIMEOUT)
    try:
        conn.putrequest("POST", "/api.php")
        conn.putheader("Content-Type", "application/x-www-form-urlencoded")
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        chunk = b"x" * 65536
        for _ in range(17):  # 17 chunks of 64 KiB: 1 MiB and one chunk over
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        conn.send(b"0\r\n\r\n")
        reply = conn.getresponse()
        assert reply.status == 413
        assert b'<error code="request_too_large">' in reply.read()
    finally:
        conn.close()
