"""50 simultaneous updates of one campaign, on both stores, through the real app.

The requests start together on one event loop (``httpx`` over ASGI): on SQLite they meet in the group-commit
writer, on PostgreSQL they queue for pooled connections and for the campaign row's lock.  Each changes one field
to a value nobody else sends.  Afterwards the audit trail holds exactly 50 records, each continuing from the one
before on its field (no update read a value another had already replaced), and each field's final value is that
of the last record that changed it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from typing import Final

import httpx
from lxml import etree

from loyalty_api.config import Settings
from loyalty_api.web.app import create_app
from tests.support.api import ADMIN
from tests.support.stored import history, show

CAMPAIGN: Final = "1234567890123451"  # points: name, description, points_ratio, reward_ratio
UPDATES: Final = 50
# field sent -> (stored column, value of the i-th update)
_FIELDS: Final[tuple[tuple[str, str, Callable[[int], str]], ...]] = (
    ("new_campaign_name", "name", lambda i: f"name {i}"),
    ("description", "description", lambda i: f"description {i}"),
    ("new_points_ratio", "points_ratio", lambda i: f"{200 + i}"),
    ("new_reward_ratio", "reward_ratio", lambda i: f"{1000 + i}.5"),
)


def _form(i: int) -> dict[str, str]:
    field, _, value = _FIELDS[i % len(_FIELDS)]
    account_id, user_id, key = ADMIN
    return {
        "account_id": account_id,
        "user_id": user_id,
        "user_password": key,
        "type": "campaign_update",
        "action": "campaign",
        "campaign_id": CAMPAIGN,
        field: value(i),
    }


async def _send_all(settings: Settings) -> list[str]:
    app = create_app(settings)
    await app.store.open()
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            replies = await asyncio.gather(*(client.post("/api.php", data=_form(i)) for i in range(UPDATES)))
    finally:
        await app.store.close()
    return [str(etree.fromstring(reply.content).get("status")) for reply in replies]


def test_fifty_simultaneous_updates_of_one_campaign(settings: Settings) -> None:
    before = show(settings, CAMPAIGN)
    statuses = asyncio.run(_send_all(settings))
    assert statuses == ["updated"] * UPDATES

    records = [r for r in history(settings, CAMPAIGN) if r["action"] == "update"]
    assert len(records) == UPDATES
    assert [r["id"] for r in records] == sorted(r["id"] for r in records)
    current = {column: before[column] for _, column, _ in _FIELDS}
    sent: dict[str, set[str]] = {column: set() for column in current}
    for i in range(UPDATES):
        _, column, value = _FIELDS[i % len(_FIELDS)]
        sent[column].add(_canonical(value(i)))
    applied: dict[str, set[str]] = {column: set() for column in current}
    for record in records:
        (change,) = record["changes"]
        column = change["field"]
        assert _same(change["old"], current[column]), f"{column}: a concurrent update was lost before {record}"
        current[column] = change["new"]
        applied[column].add(_canonical(change["new"]))
    assert applied == sent
    after = show(settings, CAMPAIGN)
    for column, last in current.items():
        assert _same(after[column], last), column


def _canonical(value: object) -> str:
    text = str(value)
    try:
        return format(Decimal(text).normalize(), "f")
    except ArithmeticError:
        return text


def _same(a: object, b: object) -> bool:
    return _canonical(a) == _canonical(b)
