"""Every error of the catalogue answered at least once through HTTP, as its entry says, and the shape of errors
in JSON and JSONP.  The catalogue on its own and ``docs/errors.md`` are checked in ``tests/unit/test_errors.py``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import sqlite3
import time
from collections.abc import Callable
from typing import Final

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

from loyalty_api.accounts.time_tokens import make_token
from loyalty_api.config import Settings
from loyalty_api.errors import CATALOGUE
from loyalty_api.handler.context import TokenKeys
from loyalty_api.store import WriteTx, create_store
from loyalty_api.store.models import utc_now
from loyalty_api.store.sqlite.store import sqlite_path
from loyalty_api.web.app import LoyaltyApp, create_app
from tests.support.api import credentials, error_of, xml_of
from tests.support.cli import show
from tests.support.demo import BUYX, GIFTCARD, JANE, LEGACY, POINTS
from tests.support.users import ADMIN, CLERK, User

TOKEN_SECRET: Final = b"the-secret-of-the-catalogue-test-0001"


def _fields(user: User = ADMIN, **extra: str) -> dict[str, str]:
    return {**credentials(user), "type": "campaign_update", "action": "campaign", "campaign_id": POINTS, **extra}


def _customer_call(call_type: str, **extra: str) -> dict[str, str]:
    return {**credentials(), "type": call_type, **extra}


def _sqlite_file(settings: Settings) -> str:
    if not settings.database_url.startswith("sqlite:"):
        pytest.skip("damages or locks the SQLite file directly")
    return sqlite_path(settings.database_url)


def _internal_error(client: TestClient, settings: Settings) -> httpx.Response:
    """A real fault: the audit table has gone, so the update cannot be recorded (and must not apply)."""
    with sqlite3.connect(_sqlite_file(settings)) as conn:
        conn.execute("DROP TABLE audit")
    reply = client.post("/api.php", data=_fields(new_campaign_name="Never stored"))
    assert show(settings, POINTS)["name"] == "Widget Rewards"
    return reply


def _user_pin_in_use(client: TestClient, _settings: Settings) -> httpx.Response:
    first = client.post("/api.php", data=_customer_call("user_new", user_name="pin1", user_role="K", user_PIN="2468"))
    assert xml_of(first.content).get("status") == "success"
    return client.post("/api.php", data=_customer_call("user_new", user_name="pin2", user_role="K", user_PIN="2468"))


def _store_unavailable(client: TestClient, settings: Settings) -> httpx.Response:
    """Another process holds the write lock longer than the busy timeout."""
    impatient = Settings(database_url=settings.database_url, sqlite_busy_timeout_ms=50)
    locker = sqlite3.connect(_sqlite_file(settings), isolation_level=None)
    try:
        with TestClient(create_app(impatient)) as other:
            locker.execute("BEGIN IMMEDIATE")
            reply = other.post("/api.php", data=_fields(new_campaign_name="Never stored"))
            locker.execute("ROLLBACK")
            # the lock gone, the same request goes through
            again = other.post("/api.php", data=_fields(new_campaign_name="Stored"))
            assert xml_of(again.content).get("status") == "updated"
    finally:
        locker.close()
    return reply


def _campaign_inactive(client: TestClient, _settings: Settings) -> httpx.Response:
    """A sale in a deactivated campaign."""
    deactivate = _customer_call("campaign_deactivate", campaign_id=GIFTCARD)
    assert xml_of(client.post("/api.php", data=deactivate).content).get("status") == "success"
    sale = _customer_call("record_activity", campaign_id=GIFTCARD, code=JANE, amount="5")
    return client.post("/api.php", data=sale)


def _item_identifier_in_use(client: TestClient, _settings: Settings) -> httpx.Response:
    """A second item of the buyx campaign with the first one's identifier."""
    item = _customer_call(
        "campaign_new", action="item", campaign_id=BUYX, reward_level="3", item_description="I", item_identifier="I"
    )
    assert xml_of(client.post("/api.php", data=item).content).get("status") == "success"
    return client.post("/api.php", data=item)


def _too_many_attempts(client: TestClient, _settings: Settings) -> httpx.Response:
    """Five failed checks of one customer's password in a row; the sixth is refused, whatever it says."""
    attempt = _customer_call("validate_customer_password", code=JANE, customer_password="wrong")
    for _ in range(5):
        assert error_of(xml_of(client.post("/api.php", data=attempt).content))[0] == "invalid_customer_credentials"
    return client.post("/api.php", data=attempt)


def _idempotency_key_reused(client: TestClient, _settings: Settings) -> httpx.Response:
    """One idempotency key sent with two different sales."""
    sale = _customer_call("record_activity", campaign_id=GIFTCARD, code=JANE, amount="5")
    key = {"Idempotency-Key": "sale-1"}
    assert xml_of(client.post("/api.php", data=sale, headers=key).content).get("status") == "success"
    return client.post("/api.php", data={**sale, "amount": "6"}, headers=key)


async def _add_customers(settings: Settings, count: int) -> None:
    store = create_store(settings)
    await store.open()
    try:

        async def work(tx: WriteTx) -> None:
            now = utc_now()
            for n in range(count):
                values = {"code": f"7{n:015d}", "first_name": f"First{n}", "last_name": f"Last{n}"}
                await tx.insert_customer(1, values, now)

        await store.write(work)
    finally:
        await store.close()


def _query_timeout(client: TestClient, settings: Settings) -> httpx.Response:
    """A search that every one of 5,000 customers matches on three fields (each folded for every customer, then
    counted), with one millisecond allowed per statement."""
    asyncio.run(_add_customers(settings, 5000))
    criteria = {"code": "7", "first_name": "first", "last_name": "last"}
    with TestClient(create_app(dataclasses.replace(settings, statement_timeout_ms=1))) as impatient:
        return impatient.post("/api.php", data=_customer_call("customer_search", **criteria))


def _reads_busy(client: TestClient, settings: Settings) -> httpx.Response:
    """Searches stopped at a one-millisecond limit are heavy; at 1% of the time, their bucket (40 ms) soon runs out and
    the next is refused without running."""
    asyncio.run(_add_customers(settings, 5000))
    criteria = {"code": "7", "first_name": "first", "last_name": "last"}
    starved = dataclasses.replace(settings, statement_timeout_ms=1, heavy_read_percent=1)
    with TestClient(create_app(starved)) as impatient:
        for _ in range(200):
            reply = impatient.post("/api.php", data=_customer_call("customer_search", **criteria))
            if b"reads_busy" in reply.content:
                break
    return reply


def _balance_limit(client: TestClient, _settings: Settings) -> httpx.Response:
    """Ninety loads of the largest amount a request may carry fill a gift card to the limit; the next is refused."""
    load = _customer_call("record_activity", campaign_id=GIFTCARD, code=JANE, amount="999999999999.99")
    for _ in range(90):
        assert xml_of(client.post("/api.php", data=load).content).get("status") == "success"
    return client.post("/api.php", data=load)


def _time_token(client: TestClient, token: str) -> httpx.Response:
    """validate_time_token of ``token`` on a server with a token secret."""
    app = client.app
    assert isinstance(app, LoyaltyApp)
    app.api.token_keys = TokenKeys((TOKEN_SECRET,))
    return client.post("/api.php", data=_customer_call("validate_time_token", time_token=token))


def _token_invalid(client: TestClient, _settings: Settings) -> httpx.Response:
    """A token of another account."""
    return _time_token(client, make_token(TOKEN_SECRET, "otherco", int(time.time()) + 60))


def _token_expired(client: TestClient, _settings: Settings) -> httpx.Response:
    """A token of the account whose expiry has passed."""
    return _time_token(client, make_token(TOKEN_SECRET, "greatwidgets", int(time.time()) - 1))


def _field_exists(client: TestClient, _settings: Settings) -> httpx.Response:
    add = _customer_call("manage_fields", action="add", custom_field_2_label="Two")
    assert xml_of(client.post("/api.php", data=add).content).get("status") == "success"
    return client.post("/api.php", data=add)


def _too_many_promotions(client: TestClient, _settings: Settings) -> httpx.Response:
    promo = _customer_call(
        "campaign_new", action="promo", campaign_id=POINTS, promo_operation="x", promo_amount="2", promo_description="P"
    )
    for _ in range(100):
        assert xml_of(client.post("/api.php", data=promo).content).get("status") == "success"
    return client.post("/api.php", data=promo)


def _new_promo(client: TestClient, campaign_id: str = POINTS, **extra: str) -> str:
    data = _customer_call(
        "campaign_new",
        action="promo",
        campaign_id=campaign_id,
        promo_operation="x",
        promo_amount="2",
        promo_description="P",
        **extra,
    )
    root = xml_of(client.post("/api.php", data=data).content)
    assert root.get("status") == "success"
    return str(root.findtext("campaign/promo/id"))


def _sale_with(client: TestClient, promo_id: str) -> httpx.Response:
    sale = _customer_call("record_activity", code=JANE, campaign_id=POINTS, amount="1", promo_id=promo_id)
    return client.post("/api.php", data=sale)


def _promotion_deleted(client: TestClient, _settings: Settings) -> httpx.Response:
    promo_id = _new_promo(client)
    client.post(
        "/api.php", data=_customer_call("campaign_delete", action="promo", campaign_id=POINTS, promo_id=promo_id)
    )
    return _sale_with(client, promo_id)


def _too_many_fields(client: TestClient, _settings: Settings) -> httpx.Response:
    labels = {f"custom_field_{n}_label": f"F{n}" for n in range(2, 52)}
    add = _customer_call("manage_fields", action="add", **labels)
    assert xml_of(client.post("/api.php", data=add).content).get("status") == "success"
    return client.post("/api.php", data=_customer_call("manage_fields", action="add", custom_field_99_label="More"))


Trigger = Callable[[TestClient, Settings], httpx.Response]
TRIGGERS: Final[dict[str, Trigger]] = {
    "request_too_large": lambda c, _s: c.post(
        "/api.php", content=b"a=" + b"x" * (1024 * 1024), headers={"content-type": "application/x-www-form-urlencoded"}
    ),
    "method_not_allowed": lambda c, _s: c.put("/api.php", data=_fields()),
    "unsupported_media_type": lambda c, _s: c.post(
        "/api.php", content=json.dumps(_fields()).encode(), headers={"content-type": "application/json"}
    ),
    "malformed_request": lambda c, _s: c.post(
        "/api.php", content=b"--b0und\r\nnot a part", headers={"content-type": "multipart/form-data; boundary=b0und"}
    ),
    "invalid_callback": lambda c, _s: c.post("/api.php", data=_fields(callback="alert(1)")),
    "no_valid_session": lambda c, _s: c.post("/api.php", data={**_fields(), "user_password": "not-the-key"}),
    "parameter_missing": lambda c, _s: c.post("/api.php", data={**_fields(), "campaign_id": ""}),
    "parameter_invalid": lambda c, _s: c.post("/api.php", data=_fields(new_points_ratio="1e3")),
    "string_parameter_too_long": lambda c, _s: c.post("/api.php", data=_fields(description="d" * 1001)),
    "parameter_mismatch": lambda c, _s: c.post("/", data=_fields(campaign_id=GIFTCARD, new_reward_ratio="18")),
    "unsupported_call": lambda c, _s: c.post("/api.php", data=_fields(type="campaign_frobnicate")),
    "idempotency_key_reused": _idempotency_key_reused,
    "campaign_not_found": lambda c, _s: c.get("/api.php", params=_fields(campaign_id="0000000000000000")),
    "permission_denied": lambda c, _s: c.post("/api.php", data=_fields(CLERK, new_campaign_name="No")),
    "reward_not_found": lambda c, _s: c.post(
        "/api.php", data=_fields(action="reward", reward_id="999", new_reward_level="10")
    ),
    "item_not_found": lambda c, _s: c.post(
        "/api.php",
        data=_customer_call("campaign_delete", action="item", campaign_id=BUYX, item_id="999"),
    ),
    "item_identifier_in_use": _item_identifier_in_use,
    "promotion_not_found": lambda c, _s: c.post(
        "/api.php",
        data=_customer_call("campaign_delete", action="promo", campaign_id=POINTS, promo_id="999"),
    ),
    "too_many_promotions": _too_many_promotions,
    "promotion_deleted": _promotion_deleted,
    "promotion_wrong_campaign": lambda c, _s: _sale_with(c, _new_promo(c, LEGACY)),
    "promotion_not_active": lambda c, _s: _sale_with(c, _new_promo(c, promo_start_date="2999-01-01")),
    "campaign_inactive": _campaign_inactive,
    "customer_not_found": lambda c, _s: c.post("/api.php", data=_customer_call("customer_info", code="nobody")),
    "customer_not_in_campaign": lambda c, _s: c.post(
        "/api.php", data=_customer_call("customer_balance", campaign_id=GIFTCARD, code=JANE)
    ),
    "insufficient_balance": lambda c, _s: c.post(
        "/api.php",
        data=_customer_call("redeem", campaign_id=LEGACY, code=JANE, custom_points_redeem="500.01"),
    ),
    "currency_redemption_off": lambda c, _s: c.post(
        "/api.php",
        data=_customer_call("redeem", campaign_id=LEGACY, code=JANE, custom_dollars_redeem="1"),
    ),
    "transaction_not_found": lambda c, _s: c.post(
        "/api.php",
        data=_customer_call("transaction_delete", campaign_id=LEGACY, code=JANE, transaction_id="1"),
    ),
    "customer_exists": lambda c, _s: c.post(
        "/api.php", data=_customer_call("record_customer", customer_action="new", code=JANE)
    ),
    "invalid_customer_credentials": lambda c, _s: c.post(
        "/api.php", data=_customer_call("validate_customer_password", code="nobody", customer_PIN="1234")
    ),
    "too_many_attempts": _too_many_attempts,
    "field_exists": _field_exists,
    "field_not_found": lambda c, _s: c.post(
        "/api.php", data=_customer_call("manage_fields", action="delete", field_list="custom_field_9")
    ),
    "field_not_deletable": lambda c, _s: c.post(
        "/api.php", data=_customer_call("manage_fields", action="delete", field_list="card_number")
    ),
    "too_many_fields": _too_many_fields,
    "token_invalid": _token_invalid,
    "token_expired": _token_expired,
    "time_tokens_off": lambda c, _s: c.post("/api.php", data=_customer_call("generate_time_token")),
    "user_not_found": lambda c, _s: c.post("/api.php", data=_fields(type="user_info", user_name="nobody")),
    "user_exists": lambda c, _s: c.post(
        "/api.php", data=_customer_call("user_new", user_name="mgr1970", user_role="K")
    ),
    "user_pin_in_use": _user_pin_in_use,
    "user_change_refused": lambda c, _s: c.post(
        "/api.php", data=_customer_call("user_delete", user_name="greatwidgets")
    ),
    "internal_error": _internal_error,
    "store_unavailable": _store_unavailable,
    "query_timeout": _query_timeout,
    "reads_busy": _reads_busy,
    "balance_limit": _balance_limit,
}


def _template_pattern(template: str) -> re.Pattern[str]:
    """A regex matching every message the template can give (``{name}`` is any non-empty text)."""
    parts = re.split(r"\{\w+\}", template)
    return re.compile(".+".join(re.escape(part) for part in parts), re.DOTALL)


def _code_and_message(reply: httpx.Response) -> tuple[str, str]:
    if reply.headers["content-type"].startswith("application/json"):
        body = reply.json()
        assert body["status"] == "error"
        return str(body["error_code"]), str(body["error"])
    assert reply.headers["content-type"] == "text/xml; charset=utf-8"
    return error_of(xml_of(reply.content))


@pytest.mark.parametrize("code", list(CATALOGUE))
def test_every_error_of_the_catalogue(client: TestClient, settings: Settings, code: str) -> None:
    trigger = TRIGGERS.get(code)
    assert trigger is not None, f"add a request answering {code!r} to TRIGGERS in tests/api/test_error_answers.py"
    reply = trigger(client, settings)
    spec = CATALOGUE[code]
    assert reply.status_code == spec.http_status
    answered, message = _code_and_message(reply)
    assert answered == code
    assert _template_pattern(spec.template).fullmatch(message), message
    assert "Traceback" not in reply.text


def test_triggers_name_only_catalogue_codes() -> None:
    assert set(TRIGGERS) <= set(CATALOGUE)


@pytest.mark.parametrize("output", ["JSON", "json"])
def test_json_errors_carry_error_code_beside_error(client: TestClient, output: str) -> None:
    body = client.post("/api.php", data=_fields(output=output, new_points_ratio="-1")).json()
    assert set(body) == {"status", "error", "error_code"}
    assert (body["status"], body["error_code"]) == ("error", "parameter_invalid")
    assert "new_points_ratio" in body["error"]


def test_jsonp_errors_go_through_the_callback(client: TestClient) -> None:
    reply = client.post("/api.php", data=_fields(callback="widget.show", condensed="yes", campaign_id="nope"))
    assert reply.status_code == 200
    assert reply.text.startswith("/**/widget.show(")
    assert '"error_code":"campaign_not_found"' in reply.text
