"""``/healthz`` (the process is up) and ``/readyz`` (the store answers a query), on both stores.

Neither needs credentials, and neither says anything about the data or the database: the bodies are fixed words;
both answer GET only.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from loyalty_api.store.postgres._url import parse_postgres_url
from loyalty_api.store.sqlite.store import sqlite_path
from loyalty_api.web.app import create_app
from tests.support.api import credentials, xml_of
from tests.support.backends import backend_settings, migrate, postgres_url
from tests.support.demo import GIFTCARD
from tests.support.live_server import free_port, live_server

RECOVERY_TIMEOUT = 10.0


def _probe(client: TestClient, path: str) -> tuple[int, str]:
    reply = client.get(path)  # no credentials, no cookies, nothing
    assert reply.headers["content-type"].startswith("text/plain")
    return reply.status_code, reply.text


def test_both_probes_answer_200_on_a_working_store(client: TestClient) -> None:
    assert _probe(client, "/healthz") == (200, "ok")
    assert _probe(client, "/readyz") == (200, "ready")


def test_healthz(client: TestClient) -> None:
    reply = client.get("/healthz")
    assert reply.status_code == 200
    assert reply.text == "ok"


def test_readyz_with_an_open_store(client: TestClient) -> None:
    reply = client.get("/readyz")
    assert reply.status_code == 200
    assert reply.text == "ready"


def test_readyz_is_503_on_a_database_without_the_schema(tmp_path: Path) -> None:
    # A database that was never migrated cannot answer; the process is alive all the same.
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}")
    with TestClient(create_app(settings)) as client:
        assert client.get("/readyz").status_code == 503
        assert client.get("/readyz").text == "unavailable"
        assert client.get("/healthz").status_code == 200


def test_readyz_turns_ready_once_the_schema_is_there(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'late.db'}")
    app = create_app(settings)
    with TestClient(app) as client:
        assert client.get("/readyz").status_code == 503
        asyncio.run(migrate(settings))
        assert client.get("/readyz").status_code == 200


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_probes_answer_get_only(client: TestClient, method: str) -> None:
    assert client.request(method, "/healthz").status_code == 405


def test_readyz_is_503_until_the_schema_is_there(backend: str, tmp_path: Path) -> None:
    settings = backend_settings(backend, tmp_path)
    with TestClient(create_app(settings)) as client:
        assert _probe(client, "/readyz") == (503, "unavailable")
        assert _probe(client, "/healthz") == (200, "ok")
        asyncio.run(migrate(settings))
        assert _probe(client, "/readyz") == (200, "ready")


def test_readyz_is_503_once_the_store_is_closed(settings: Settings) -> None:
    app = create_app(settings)
    with TestClient(app) as client:
        assert _probe(client, "/readyz") == (200, "ready")
        assert client.portal is not None
        client.portal.call(app.store.close)  # on the app's own event loop
        assert _probe(client, "/readyz") == (503, "unavailable")
        assert _probe(client, "/healthz") == (200, "ok")


def test_a_postgresql_server_that_is_not_there(tmp_path: Path) -> None:
    """Nothing listens on the port: the process still starts (liveness 200), is not ready (503), and API calls
    answer the store_unavailable error document without revealing where the database is."""
    port = free_port()
    url = f"postgresql://postgres@127.0.0.1:{port}/nowhere?schema=lt_absent"
    with TestClient(create_app(Settings(database_url=url))) as client:
        assert _probe(client, "/healthz") == (200, "ok")
        status, body = _probe(client, "/readyz")
        assert (status, body) == (503, "unavailable")
        reply = client.post("/api.php", data=_update_form())
        assert reply.status_code == 503
        root = xml_of(reply.content)
        error = root.find("error")
        assert root.get("status") == "error" and error is not None and error.get("code") == "store_unavailable"
        assert str(port) not in reply.text and "nowhere" not in reply.text and "postgres" not in reply.text.lower()


def test_readyz_recovers_when_postgresql_drops_the_connections(tmp_path: Path) -> None:
    """The server terminates every connection of the pool (as a PostgreSQL restart does): the store reconnects,
    so /readyz is 200 again without restarting the process, and API calls work."""
    settings = backend_settings("postgres", tmp_path)
    name = f"lt-health-{time.monotonic_ns()}"
    url = f"{settings.database_url}&application_name={name}"
    asyncio.run(migrate(Settings(database_url=url)))
    with TestClient(create_app(Settings(database_url=url, postgres_pool_min=2, postgres_pool_max=2))) as client:
        assert _probe(client, "/readyz") == (200, "ready")
        assert asyncio.run(_terminate(name)) >= 1
        deadline = time.monotonic() + RECOVERY_TIMEOUT
        while _probe(client, "/readyz")[0] != 200:
            assert time.monotonic() < deadline, "/readyz did not recover"
            time.sleep(0.05)
        assert _probe(client, "/readyz") == (200, "ready")
        reply = client.post("/api.php", data=_update_form())  # answered from the store: no such user (no demo here)
        error = xml_of(reply.content).find("error")
        assert reply.status_code == 200 and error is not None and error.get("code") == "no_valid_session"


def _update_form() -> dict[str, str]:
    return {
        **credentials(),
        "type": "campaign_update",
        "action": "campaign",
        "campaign_id": GIFTCARD,
        "description": "x",
    }


async def _terminate(application_name: str) -> int:
    conn = await asyncpg.connect(parse_postgres_url(postgres_url()).dsn)
    try:
        return int(
            await conn.fetchval(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE application_name = $1",
                application_name,
            )
        )
    finally:
        await conn.close()


def test_readyz_is_503_while_the_store_refuses_writes(settings: Settings) -> None:
    """Reads still work, but another process holds the write lock (SQLite) or the table the check writes
    (PostgreSQL) past the check's time: the store cannot take writes, so it is not ready."""
    impatient = dataclasses.replace(settings, sqlite_busy_timeout_ms=200)
    with TestClient(create_app(impatient)) as client:
        assert _probe(client, "/readyz") == (200, "ready")
        with _writes_blocked(settings):
            assert _probe(client, "/readyz") == (503, "unavailable")
        assert _probe(client, "/readyz") == (200, "ready")


@contextlib.contextmanager
def _writes_blocked(settings: Settings) -> Iterator[None]:
    url = settings.database_url
    if url.startswith("sqlite:"):
        conn = sqlite3.connect(sqlite_path(url), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    parsed = parse_postgres_url(url)

    async def lock() -> asyncpg.Connection:
        conn = await asyncpg.connect(parsed.dsn, server_settings=parsed.server_settings)
        await conn.execute("BEGIN; LOCK TABLE schema_migrations IN EXCLUSIVE MODE")
        return conn

    loop = asyncio.new_event_loop()
    holder = loop.run_until_complete(lock())
    try:
        yield
    finally:
        loop.run_until_complete(holder.close())
        loop.close()


def test_serve_never_shows_the_database_password(tmp_path: Path) -> None:
    parts = urlsplit(backend_settings("postgres", tmp_path).database_url)
    with_password = urlunsplit(parts._replace(netloc=f"{parts.username}:s3cr3t-pw@{parts.hostname}:{parts.port}"))
    with live_server(with_password, tmp_path) as server:
        log = server.log_text()
    assert "serving postgresql://postgres:***@" in log
    assert "s3cr3t-pw" not in log
