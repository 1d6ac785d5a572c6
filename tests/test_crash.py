"""Crash safety, on both stores: ``kill -9`` the server in the middle of concurrent writes, restart it.

Every update acknowledged with ``status="updated"`` must be there afterwards with its audit record; no update may be
half-applied (each sets the name and the description with one token); SQLite's ``integrity_check`` must say ok.
"""

from __future__ import annotations

import http.client
import sqlite3
import threading
import time
from pathlib import Path
from typing import Final

import pytest

from loyalty_api.config import Settings
from loyalty_api.store.sqlite.store import sqlite_path
from tests._live_server import (
    HOST,
    REQUEST_TIMEOUT,
    Sent,
    check_token_updates,
    live_server,
    post_form,
    run_clients,
    start_server,
    token_update,
)

pytestmark = pytest.mark.live

CAMPAIGNS: Final = ["1234567890123450", "1234567890123451", "1234567890123452", "1234567890123454"]
CLIENTS: Final = 12
KILL_AFTER: Final = 200  # kill once this many updates have been answered ...
KILL_AFTER_S: Final = 20.0  # ... or after this long, whichever comes first


def test_kill_9_in_the_middle_of_writes(settings: Settings, tmp_path: Path) -> None:
    sent: list[Sent] = []
    answered: list[Sent] = []
    stop = threading.Event()
    server = start_server(settings.database_url, tmp_path, name="before")
    try:
        server.wait_ready()
        driver = threading.Thread(
            target=lambda: sent.extend(run_clients([server.port], CAMPAIGNS, CLIENTS, stop=stop, live=answered)),
            daemon=True,
        )
        driver.start()
        deadline = time.monotonic() + KILL_AFTER_S
        while time.monotonic() < deadline and len(answered) < KILL_AFTER:
            time.sleep(0.02)
        server.kill()  # SIGKILL while the clients are still writing
        stop.set()
        driver.join(timeout=REQUEST_TIMEOUT * 2)
        assert not driver.is_alive(), "the clients did not stop"
    finally:
        stop.set()
        server.kill()

    acknowledged = [s for s in sent if s.acknowledged]
    broken = [s for s in sent if s.answer is None]
    assert len(acknowledged) >= 50, f"too few writes before the kill to mean anything: {len(acknowledged)}"
    assert broken, "no write was in flight when the server was killed"
    assert all(s.acknowledged for s in sent if s.answer is not None), "an answered update was not acknowledged"

    if settings.database_url.startswith("sqlite:"):
        assert _integrity(settings) == "ok"
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


def _integrity(settings: Settings) -> str:
    conn = sqlite3.connect(sqlite_path(settings.database_url))
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()
