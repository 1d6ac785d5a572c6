"""Several server processes on one database: ``serve --workers 2`` on both stores, and two nodes on one PostgreSQL.

Each test starts real ``loyalty-api serve`` processes on loopback ports the OS chose, drives them from client
threads, and reads the outcome back through the operator's CLI (``campaign history`` / ``campaign show``).
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Final

import pytest

from loyalty_api.config import Settings
from tests.support.backends import backend_settings
from tests.support.cli import run_cli
from tests.support.live_server import check_token_updates, get, live_server, run_clients, start_server

pytestmark = pytest.mark.live

CAMPAIGNS: Final = ["1234567890123450", "1234567890123451", "1234567890123453"]


def test_serve_with_two_workers(settings: Settings, tmp_path: Path) -> None:
    """Two uvicorn worker processes on one database (SQLite: WAL and a busy timeout; PostgreSQL: a pool each)."""
    with live_server(settings.database_url, tmp_path, workers=2) as server:
        sent = run_clients([server.port], CAMPAIGNS, clients=8, per_client=15)
        # The first worker may take every request before the second has started (a loaded machine): wait for
        # both, with a bound, rather than read the log once.
        deadline = time.monotonic() + 30
        while len(_started_workers(server.log_text())) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        log = server.log_text()
    assert len(_started_workers(log)) == 2, log
    assert all(s.acknowledged for s in sent), [s for s in sent if not s.acknowledged][:3]
    applied = check_token_updates(settings, sent)
    assert sum(len(tokens) for tokens in applied.values()) == len(sent) == 120


def _started_workers(log: str) -> set[str]:
    return set(re.findall(r"Started server process \[(\d+)\]", log))


def test_two_nodes_on_one_postgres(tmp_path: Path) -> None:
    """Two nodes start together on a fresh schema (their migrations meet under the advisory lock), then take
    interleaved updates of the same campaigns: every acknowledged update is in the store and in the audit trail."""
    settings = backend_settings("postgres", tmp_path)
    first = start_server(settings.database_url, tmp_path, name="node1")
    second = start_server(settings.database_url, tmp_path, name="node2")
    try:
        first.wait_ready()
        second.wait_ready()
        logs = first.log_text() + second.log_text()
        assert logs.count("applied migration 0001_initial") == 1, logs
        run_cli(settings, "demo")
        sent = run_clients([first.port, second.port], CAMPAIGNS, clients=8, per_client=20)
        assert get(first.port, "/readyz")[0] == get(second.port, "/readyz")[0] == 200
    finally:
        first.kill()
        second.kill()
    assert all(s.acknowledged for s in sent), [s for s in sent if not s.acknowledged][:3]
    applied = check_token_updates(settings, sent)
    assert sum(len(tokens) for tokens in applied.values()) == len(sent) == 160
