"""Logs of a live ``loyalty-api serve``: request ids echoed and in every line a request causes, the access log in
both formats (worker processes included), and no key, password or PIN anywhere in a whole session's log."""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Final
from urllib.parse import urlencode

import pytest

from loyalty_api.config import Settings
from loyalty_api.demo import DEMO_OWNER_KEYS, DEMO_USERS
from tests.support.demo import GIFTCARD, JANE, POINTS
from tests.support.live_server import HOST, REQUEST_TIMEOUT, live_server
from tests.support.users import ADMIN, CLERK, OWNER

pytestmark = pytest.mark.live

GENERATED: Final = re.compile(r"[0-9a-f]{12}-[0-9a-f]+")
ACCESS_LOG: Final = {"LOYALTY_ACCESS_LOG": "1", "LOYALTY_LOG_LEVEL": "debug"}
# Customers' secrets and a wrong key sent during the session: none may reach the log.
CUSTOMER_PASSWORD: Final = "horse-battery-4417"
CUSTOMER_PIN: Final = "pin-8642-zz"
WRONG_KEY: Final = "wr0ng-k3y-never-logged"
SECRETS: Final = (
    CUSTOMER_PASSWORD,
    CUSTOMER_PIN,
    WRONG_KEY,
    *DEMO_OWNER_KEYS.values(),
    *(user.key for user in DEMO_USERS),
)


def _call(
    port: int, fields: Mapping[str, str], *, method: str = "POST", headers: Mapping[str, str] | None = None
) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        if method == "GET":
            conn.request("GET", f"/api.php?{urlencode(fields)}", headers=dict(headers or {}))
        else:
            sent = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
            conn.request("POST", "/api.php", body=urlencode(fields), headers=sent)
        reply = conn.getresponse()
        reply.read()
        return reply
    finally:
        conn.close()


def _fields(user: tuple[str, str, str] = ADMIN, **fields: str) -> dict[str, str]:
    account_id, user_id, key = user
    return {"account_id": account_id, "user_id": user_id, "user_password": key, **fields}


def _session(port: int) -> dict[str, str]:
    """Calls such as a client suite makes, keys sent each way; the id each answer carried, by the one sent."""
    account_id, user_id, key = CLERK
    calls: list[tuple[str, dict[str, str], str, dict[str, str]]] = [
        ("info-get", _fields(type="account_info"), "GET", {}),
        (
            "info-header",
            {"account_id": account_id, "user_id": user_id, "type": "account_info"},
            "POST",
            {"api_access_key": key},
        ),
        ("owner", _fields(OWNER, type="campaigns_list"), "POST", {}),
        ("wrong-key", {**_fields(type="account_info"), "user_password": WRONG_KEY}, "GET", {}),
        (
            "new-customer",
            _fields(
                type="record_customer",
                customer_action="new",
                code="LOGGED1",
                first_name="Lou",
                customer_password=CUSTOMER_PASSWORD,
                customer_PIN=CUSTOMER_PIN,
            ),
            "POST",
            {},
        ),
        ("validate", _fields(type="validate_customer_password", code="LOGGED1", customer_PIN=CUSTOMER_PIN), "GET", {}),
        (
            "validate-wrong",
            _fields(type="validate_customer_password", code="LOGGED1", customer_password=WRONG_KEY),
            "POST",
            {},
        ),
        ("search", _fields(type="customer_search", code="LOGGED1", customer_password=CUSTOMER_PASSWORD), "GET", {}),
        ("sale", _fields(type="record_activity", code=JANE, campaign_id=GIFTCARD, amount="10"), "POST", {}),
        (
            "update",
            _fields(type="campaign_update", action="campaign", campaign_id=POINTS, new_campaign_name="Logs"),
            "POST",
            {},
        ),
    ]
    echoed = {}
    for name, fields, method, headers in calls:
        reply = _call(port, fields, method=method, headers={**headers, "X-Request-ID": f"t-{name}"})
        echoed[name] = reply.getheader("x-request-id") or ""
    return echoed


def test_a_session_logs_ids_and_no_secret(settings: Settings, tmp_path: Path) -> None:
    with live_server(settings.database_url, tmp_path, extra_env=ACCESS_LOG) as server:
        echoed = _session(server.port)
        invalid = _call(server.port, _fields(type="account_info"), headers={"X-Request-ID": "not valid!"})
        missing = _call(server.port, _fields(type="account_info"))
        assert server.stop() in (0, -15)
    log = server.log.read_text()
    assert echoed == {name: f"t-{name}" for name in echoed}
    generated = [invalid.getheader("x-request-id") or "", missing.getheader("x-request-id") or ""]
    assert all(GENERATED.fullmatch(each) for each in generated) and generated[0] != generated[1]
    access = [line for line in log.splitlines() if " INFO loyalty_api.access " in line]
    assert [re.search(r"\[([^\]]+)\]", line).group(1) for line in access] == [  # type: ignore[union-attr]
        *(f"t-{name}" for name in echoed),
        *generated,
    ], log
    assert "[t-wrong-key] type=account_info action=- outcome=no_valid_session duration_ms=" in log
    assert "[t-sale] type=record_activity action=- outcome=200 duration_ms=" in log
    assert "not valid!" not in log
    leaked = [secret for secret in SECRETS if secret in log]
    assert not leaked, log


def test_json_logs_from_every_worker(settings: Settings, tmp_path: Path) -> None:
    env = {**ACCESS_LOG, "LOYALTY_LOG_FORMAT": "json"}
    with live_server(settings.database_url, tmp_path, workers=2, extra_env=env) as server:
        for number in range(6):
            _call(server.port, _fields(type="account_info"), headers={"X-Request-ID": f"json-{number}"})
        assert server.stop() in (0, -15)
    lines = [json.loads(line) for line in server.log.read_text().splitlines() if line.strip()]
    assert all({"time", "level", "logger", "message", "request_id"} <= set(line) for line in lines), lines
    access = [line for line in lines if line["logger"] == "loyalty_api.access"]
    assert sorted(line["request_id"] for line in access) == [f"json-{n}" for n in range(6)]
    assert {(line["type"], line["outcome"], line["status"]) for line in access} == {("account_info", "200", 200)}
    assert any(line["logger"] == "uvicorn.error" for line in lines)
    assert ADMIN[2] not in json.dumps(lines)
