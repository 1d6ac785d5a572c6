"""``redeem``: taking value from a balance in each campaign type, never below zero, also under concurrency."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path
from typing import Final

import httpx
import pytest
from lxml import etree
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from loyalty_api.web.app import create_app
from tests.support.api import ADMIN, CLERK, MANAGER, call
from tests.support.stored import error_of, status_of

GIFTCARD: Final = "1234567890123450"
POINTS: Final = "1234567890123451"  # points_ratio 100, reward_ratio 18
BUYX: Final = "1234567890123452"
EARNED: Final = "1234567890123453"
EVENTS: Final = "1234567890123454"
LEGACY: Final = "1234567890123455"  # points_ratio 50, no reward_ratio; the demo customer has 500 points
JANE: Final = "8000000000000001"
REDEEM: Final = {"type": "redeem", "code": JANE}
GOLDEN: Final = Path(__file__).parent / "golden" / "ledger" / "redeem"
_STAMP: Final = re.compile(rb"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def _record(client: TestClient, campaign_id: str, **fields: str) -> None:
    root = call(client, {"type": "record_activity", "code": JANE, "campaign_id": campaign_id, **fields})
    assert status_of(root) == "success", root.findtext("error")


def _redeem(client: TestClient, campaign_id: str, user: tuple[str, str, str] = ADMIN, **fields: str) -> etree._Element:
    return call(client, {**REDEEM, "campaign_id": campaign_id, **fields}, user)


def _balance(client: TestClient, campaign_id: str) -> str:
    root = call(client, {"type": "customer_balance", "code": JANE, "campaign_id": campaign_id})
    return str(root.findtext("campaign/customer/balance"))


def _new(client: TestClient, action: str, campaign_id: str, level: str, **fields: str) -> str:
    data = {"type": "campaign_new", "action": action, "campaign_id": campaign_id, "reward_level": level, **fields}
    root = call(client, data)
    return str(root.findtext(f"campaign/{action}/id"))


GOLDEN_CASES: Final = {
    "points_by_points": {"campaign_id": LEGACY, "custom_points_redeem": "120,5", "authorization": "Mug"},
    "points_by_reward": {"campaign_id": LEGACY, "reward_to_redeem": "1"},
    "giftcard": {"campaign_id": GIFTCARD, "reward_to_redeem": "2.50"},
    "buyx": {"campaign_id": BUYX, "reward_to_redeem": "W"},
    "insufficient": {"campaign_id": LEGACY, "custom_points_redeem": "500.01"},
    "currency_off": {"campaign_id": LEGACY, "custom_dollars_redeem": "1"},
    "two_fields": {"campaign_id": LEGACY, "custom_points_redeem": "1", "reward_to_redeem": "1"},
}


@pytest.mark.parametrize("case", list(GOLDEN_CASES))
def test_answers_match_golden_files(client: TestClient, case: str) -> None:
    assert _new(client, "reward", LEGACY, "300", reward_description="Free Widget") == "1"
    assert _new(client, "item", BUYX, "3", item_description="Widget", item_identifier="W") == "2"
    _record(client, GIFTCARD, amount="10")
    _record(client, BUYX, service_product="W", buyx_quantity="4")
    account_id, user_id, key = ADMIN
    for form in ("xml", "json"):
        data = {"account_id": account_id, "user_id": user_id, "user_password": key, **REDEEM, **GOLDEN_CASES[case]}
        if form == "json":
            data["output"] = "JSON"
        reply = client.post("/api.php", data=data)
        body = _STAMP.sub(b"YYYY-MM-DD HH:MM:SS", reply.content)
        path = GOLDEN / f"{case}.{form}"
        if os.environ.get("UPDATE_GOLDEN") == "1":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
        assert body.decode() == path.read_text()
        if case == "insufficient":
            continue
        if form == "xml" and not case.startswith(("currency", "two")):
            break  # a success: the JSON form would redeem a second time
    if case == "insufficient":
        assert _balance(client, LEGACY) == "500"


def test_no_stray_golden_files() -> None:
    names = {p.name for p in GOLDEN.iterdir()}
    errors = ("insufficient", "currency_off", "two_fields")
    expected = {f"{c}.xml" for c in GOLDEN_CASES} | {f"{c}.json" for c in errors}
    assert names == expected


def test_money_value_redemption_rounds_the_points_up(client: TestClient) -> None:
    _record(client, POINTS, amount="100")  # 10000 points
    # 0.01 x 18 x 100 = 18 points; with points_ratio 0.3333: 0.01 x 18 x 0.3333 = 0.059994 -> 0.06
    root = _redeem(client, POINTS, custom_dollars_redeem="0.01")
    assert root.findtext("receipt/transaction/deduct/points") == "-18"
    update = {"type": "campaign_update", "action": "campaign", "campaign_id": POINTS, "new_points_ratio": "0.3333"}
    assert status_of(call(client, update)) == "updated"
    root = _redeem(client, POINTS, custom_dollars_redeem="0.01")
    assert root.findtext("receipt/transaction/deduct/points") == "-0.06"
    assert root.findtext("receipt/transaction/balance/points") == "9981.94"
    assert root.findtext("receipt/transaction/cumulative_balance/points") == "10000"


def test_every_type_redeems_down_to_exactly_zero(client: TestClient) -> None:
    _record(client, GIFTCARD, amount="5")
    assert _redeem(client, GIFTCARD, reward_to_redeem="5").findtext("receipt/transaction/balance/amount") == "0.00"
    _record(client, EARNED)
    root = _redeem(client, EARNED, reward_to_redeem="5,95")
    assert root.findtext("receipt/transaction/deduct/amount") == "-5.95"
    assert root.findtext("receipt/transaction/balance/amount") == "0.00"
    reward = _new(client, "reward", EVENTS, "2", reward_description="Free coffee")
    _record(client, EVENTS)
    assert error_of(_redeem(client, EVENTS, reward_to_redeem=reward)) == (
        "insufficient_balance",
        "The balance is 1; 2 cannot be taken from it.",
    )
    _record(client, EVENTS)
    root = _redeem(client, EVENTS, reward_to_redeem=reward)
    assert (
        root.findtext("receipt/transaction/deduct/events"),
        root.findtext("receipt/transaction/balance/events"),
    ) == (
        "-2",
        "0",
    )
    assert root.findtext("receipt/transaction/deduct/description") == "Free coffee"
    assert error_of(_redeem(client, EVENTS, reward_to_redeem=reward))[0] == "insufficient_balance"


def test_buyx_balances_are_per_item(client: TestClient) -> None:
    first = _new(client, "item", BUYX, "2", item_description="A", item_identifier="A")
    _new(client, "item", BUYX, "2", item_description="B", item_identifier="B")
    _record(client, BUYX, service_product="A", buyx_quantity="3")
    _record(client, BUYX, service_product="B", buyx_quantity="1")
    assert error_of(_redeem(client, BUYX, reward_to_redeem="B"))[0] == "insufficient_balance"
    root = _redeem(client, BUYX, reward_to_redeem=first)
    assert root.findtext("receipt/transaction/deduct/item/amount") == "-2"
    assert root.findtext("receipt/transaction/balance/item/balance") == "1"


@pytest.mark.parametrize(
    ("campaign_id", "fields", "code"),
    [
        (LEGACY, {}, "parameter_missing"),
        (LEGACY, {"custom_points_redeem": "0"}, "parameter_invalid"),
        (LEGACY, {"custom_points_redeem": "1.001"}, "parameter_invalid"),
        (LEGACY, {"reward_to_redeem": "99"}, "reward_not_found"),
        (GIFTCARD, {"custom_points_redeem": "1"}, "parameter_mismatch"),
        (GIFTCARD, {"reward_to_redeem": "abc"}, "parameter_invalid"),
        (BUYX, {"reward_to_redeem": "nope"}, "item_not_found"),
        (EVENTS, {"reward_to_redeem": "1"}, "reward_not_found"),
        (LEGACY, {"custom_points_redeem": "1", "code": "nobody"}, "customer_not_found"),
        (EVENTS, {"reward_to_redeem": "1", "code": ""}, "parameter_missing"),
    ],
)
def test_refusals_take_nothing(client: TestClient, campaign_id: str, fields: dict[str, str], code: str) -> None:
    assert error_of(call(client, {**REDEEM, "campaign_id": campaign_id, **fields}))[0] == code
    assert _balance(client, LEGACY) == "500"


def test_a_deactivated_campaign_refuses_redemptions(client: TestClient) -> None:
    assert status_of(call(client, {"type": "campaign_deactivate", "campaign_id": LEGACY})) == "success"
    assert error_of(_redeem(client, LEGACY, custom_points_redeem="1"))[0] == "campaign_inactive"


def test_every_user_may_redeem_in_the_campaigns_they_see(client: TestClient) -> None:
    assert status_of(_redeem(client, LEGACY, CLERK, custom_points_redeem="1")) == "success"
    assert error_of(_redeem(client, LEGACY, MANAGER, custom_points_redeem="1"))[0] == "campaign_not_found"
    assert _balance(client, LEGACY) == "499"


async def _redeem_all(settings: Settings, count: int, points: str) -> list[str]:
    app = create_app(settings)
    await app.store.open()
    account_id, user_id, key = ADMIN
    form = {"account_id": account_id, "user_id": user_id, "user_password": key, **REDEEM}
    form |= {"campaign_id": LEGACY, "custom_points_redeem": points}
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            replies = await asyncio.gather(*(client.post("/api.php", data=form) for _ in range(count)))
    finally:
        await app.store.close()
    return [
        str(root.get("status")) if root.get("status") == "success" else str(root.find("error").get("code"))  # type: ignore[union-attr]
        for root in (etree.fromstring(reply.content) for reply in replies)
    ]


def test_twenty_simultaneous_redemptions_only_one_can_afford(client: TestClient, settings: Settings) -> None:
    outcomes = asyncio.run(_redeem_all(settings, 20, "300"))  # the balance is 500: one redemption of 300 fits
    assert sorted(outcomes) == ["insufficient_balance"] * 19 + ["success"]
    assert _balance(client, LEGACY) == "200"
