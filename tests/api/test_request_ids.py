"""Request ids through the app: every answer carries one (the client's when valid), every log line a request causes
carries it, and the access log says what each request was without a key, password or PIN."""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from typing import Final

import pytest
from starlette.testclient import TestClient

from loyalty_api import logs
from loyalty_api.config import Settings
from loyalty_api.store.sqlite.store import sqlite_path
from loyalty_api.web.app import create_app
from tests.support.api import credentials, error_code, xml_of
from tests.support.demo import GIFTCARD, JANE, POINTS
from tests.support.users import ADMIN

GENERATED: Final = re.compile(r"[0-9a-f]{12}-[0-9a-f]+")
UPDATE: Final = {**credentials(), "type": "campaign_update", "action": "campaign", "campaign_id": POINTS}
INFO: Final = {**credentials(), "type": "account_info"}


@pytest.fixture
def log_lines(capsys: pytest.CaptureFixture[str]) -> Iterator[pytest.CaptureFixture[str]]:
    """The server's logging as ``serve`` sets it (text, from debug on), read with ``capsys``."""
    root = logging.getLogger()
    level = root.level
    logs.configure("debug", "text")
    capsys.readouterr()
    yield capsys
    for handler in list(root.handlers):
        if isinstance(handler, logs.StderrHandler):
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def logged_client(settings: Settings) -> Iterator[TestClient]:
    """A client of the app with its access log on."""
    with TestClient(create_app(replace(settings, access_log=True))) as client:
        yield client


def test_a_valid_id_is_echoed(client: TestClient) -> None:
    reply = client.post("/api.php", data=INFO, headers={"X-Request-ID": "client-42:a.b_c"})
    assert xml_of(reply.content).get("status") == "success"
    assert reply.headers["x-request-id"] == "client-42:a.b_c"


@pytest.mark.parametrize("sent", ["", "x" * 129, "two words", "semi;colon", "caf\u00e9", "a/b"])
def test_an_invalid_id_is_replaced(client: TestClient, sent: str) -> None:
    reply = client.post("/api.php", data=INFO, headers={b"x-request-id": sent.encode()})
    assert GENERATED.fullmatch(reply.headers["x-request-id"]), reply.headers


def test_every_answer_has_an_id_errors_included(client: TestClient) -> None:
    replies = [
        client.get("/api.php", params={"type": "campaigns_list"}),  # parameter_missing
        client.put("/api.php"),  # method_not_allowed
        client.post("/api.php", content=b"x" * 10, headers={"content-type": "text/plain"}),  # unsupported_media_type
        client.get("/api.php", params={**INFO, "callback": "1bad"}),  # invalid callback
        client.post("/api.php", data={**INFO, "user_password": "wrong"}),
    ]
    ids = [reply.headers["x-request-id"] for reply in replies]
    assert all(GENERATED.fullmatch(each) for each in ids) and len(set(ids)) == len(ids)


def test_an_idempotent_replay_carries_its_own_id(client: TestClient) -> None:
    fields = {**credentials(), "type": "record_activity", "code": JANE, "campaign_id": GIFTCARD, "amount": "10"}
    key = {"Idempotency-Key": "replay-key-1"}
    first = client.post("/api.php", data=fields, headers={**key, "X-Request-ID": "first"})
    second = client.post("/api.php", data=fields, headers={**key, "X-Request-ID": "second"})
    assert first.content == second.content and second.headers["idempotent-replayed"] == "true"
    assert (first.headers["x-request-id"], second.headers["x-request-id"]) == ("first", "second")


def test_the_access_log_has_a_line_per_request(
    logged_client: TestClient, log_lines: pytest.CaptureFixture[str]
) -> None:
    logged_client.post("/api.php", data={**UPDATE, "new_campaign_name": "Logged"}, headers={"X-Request-ID": "ok-1"})
    logged_client.post("/api.php", data={**INFO, "user_password": "not-the-key"}, headers={"X-Request-ID": "bad-1"})
    logged_client.put("/api.php", headers={"X-Request-ID": "put-1"})
    access = [line for line in log_lines.readouterr().err.splitlines() if " loyalty_api.access " in line]
    assert [line.split(" INFO loyalty_api.access ", 1)[1].rsplit(" duration_ms=", 1)[0] for line in access] == [
        "[ok-1] type=campaign_update action=campaign outcome=200",
        "[bad-1] type=account_info action=- outcome=no_valid_session",
        "[put-1] type=- action=- outcome=method_not_allowed",
    ]
    assert all(re.search(r" duration_ms=\d+(\.\d+)?$", line) for line in access)
    assert ADMIN[2] not in "".join(access) and "not-the-key" not in "".join(access)


def test_no_access_log_by_default(client: TestClient, log_lines: pytest.CaptureFixture[str]) -> None:
    client.post("/api.php", data=INFO)
    assert "loyalty_api.access" not in log_lines.readouterr().err


def test_the_traceback_of_an_internal_error_carries_the_id(
    client: TestClient, settings: Settings, log_lines: pytest.CaptureFixture[str]
) -> None:
    if not settings.database_url.startswith("sqlite:"):
        pytest.skip("damages the SQLite file directly")
    with sqlite3.connect(sqlite_path(settings.database_url)) as conn:
        conn.execute("DROP TABLE audit")
    reply = client.post("/api.php", data={**UPDATE, "new_campaign_name": "Never"}, headers={"X-Request-ID": "fault-7"})
    assert error_code(xml_of(reply.content)) == "internal_error"
    err = log_lines.readouterr().err
    first, *traceback = err[err.index(" ERROR ") - 24 :].splitlines()
    assert re.fullmatch(r"\S+ ERROR loyalty_api\.web\.endpoint \[fault-7\] unexpected error .*", first), err
    assert traceback[0] == "Traceback (most recent call last):", err
