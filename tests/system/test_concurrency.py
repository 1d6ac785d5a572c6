"""Simultaneous requests, on both stores, through the real app: none is lost, none is applied twice, none sees
a value another has already replaced, none spends what another spent.

Most start together on one event loop (``httpx`` over ASGI): on SQLite they meet in the group-commit writer, on
PostgreSQL they queue for pooled connections and for row locks.  Others come from threads or stores of their own,
as from several worker processes.

50 updates of one campaign each change one field to a value nobody else sends.  Afterwards the audit trail holds
exactly 50 records, each continuing from the one before on its field (no update read a value another had already
replaced), and each field's final value is that of the last record that changed it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from typing import Final

import pytest
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from loyalty_api.store import WriteTx, create_store
from loyalty_api.store.ledger_models import LedgerSums, NewLedgerEntry, NewSale, RecordedSale
from loyalty_api.store.models import utc_now
from tests.support.api import call, credentials, error_code, outcome, status_of, xml_of
from tests.support.balances import balance_mismatches
from tests.support.campaigns import add_item
from tests.support.cli import history, show
from tests.support.concurrent import in_threads_at_once, post_at_once
from tests.support.customers import Clock, add_sam, fixed_clock, new, validate
from tests.support.demo import BUYX, GIFTCARD, JANE, LEGACY, POINTS
from tests.support.ledger import send
from tests.support.users import ADMIN


def _balance(client: TestClient, campaign_id: str) -> str:
    """Jane's balance in ``campaign_id``, as customer_balance shows it."""
    root = call(client, {"type": "customer_balance", "code": JANE, "campaign_id": campaign_id})
    return str(root.findtext("campaign/customer/balance"))


# --- campaign updates ----------------------------------------------------------------------------------------------

CAMPAIGN: Final = POINTS  # name, description, points_ratio, reward_ratio


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
    return {**credentials(), "type": "campaign_update", "action": "campaign", "campaign_id": CAMPAIGN, field: value(i)}


async def _send_all(settings: Settings) -> list[str]:
    replies = await post_at_once(settings, [_form(i) for i in range(UPDATES)])
    return [status_of(xml_of(reply.content)) for reply in replies]


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


# --- sales and redemptions -----------------------------------------------------------------------------------------


async def _redeem_all(settings: Settings, count: int, points: str) -> list[str]:
    form = {**credentials(), "type": "redeem", "code": JANE, "campaign_id": LEGACY, "custom_points_redeem": points}
    return [outcome(xml_of(reply.content)) for reply in await post_at_once(settings, [form] * count)]


def test_twenty_simultaneous_redemptions_only_one_can_afford(client: TestClient, settings: Settings) -> None:
    outcomes = asyncio.run(_redeem_all(settings, 20, "300"))  # the balance is 500: one redemption of 300 fits
    assert sorted(outcomes) == ["insufficient_balance"] * 19 + ["success"]
    assert _balance(client, LEGACY) == "200"


async def _sell_at_once(settings: Settings, count: int, item: str) -> list[str]:
    form = {**credentials(), "type": "record_activity", "code": JANE, "campaign_id": BUYX}
    form |= {"service_product": item, "buyx_quantity": "2"}
    return [status_of(xml_of(reply.content)) for reply in await post_at_once(settings, [form] * count)]


def test_simultaneous_sales_of_one_item_all_count(client: TestClient, settings: Settings) -> None:
    item = add_item(client, "3", "Widget")
    assert asyncio.run(_sell_at_once(settings, 20, item)) == ["success"] * 20
    root = call(client, {"type": "customer_balance", "code": JANE, "campaign_id": BUYX})
    assert root.findtext("campaign/customer/items/item/balance") == "40"
    assert balance_mismatches(settings) == []


async def _append_at_once(settings: Settings, count: int) -> LedgerSums:
    """``count`` write transactions append to one (campaign, customer, item) at once, without the customer row's
    lock the API takes, each holding its transaction open a moment after its append: the upsert alone must keep
    every addition."""
    store = create_store(settings)
    await store.open()
    try:
        account = await store.get_account("greatwidgets")
        assert account is not None
        campaign = await store.get_campaign(account.pk, POINTS)
        customer = await store.get_customer(account.pk, "code", JANE)
        assert campaign is not None and customer is not None
        entry = NewLedgerEntry(account.pk, campaign.pk, customer.pk, "test", utc_now(), 700, None, "", "")

        async def work(tx: WriteTx) -> None:
            await tx.append_ledger_entry(entry)
            await asyncio.sleep(0.02)

        await asyncio.gather(*(store.write(work) for _ in range(count)))

        async def read(tx: WriteTx) -> LedgerSums:
            return await tx.ledger_sums(campaign.pk, customer.pk, None)

        return await store.write(read)
    finally:
        await store.close()


def test_concurrent_appends_lose_no_addition(client: TestClient, settings: Settings) -> None:
    assert asyncio.run(_append_at_once(settings, 16)) == LedgerSums(16 * 700, 16 * 700)
    assert balance_mismatches(settings) == []
    root = call(client, {"type": "customer_balance", "code": JANE, "campaign_id": POINTS})
    assert root.findtext("campaign/customer/balance") == "112"


def test_a_redemption_reads_the_balance_under_the_customer_lock(client: TestClient, settings: Settings) -> None:
    """Sales and redemptions of one customer at once: no redemption spends points a concurrent one spent."""
    send(client, "record_activity", POINTS, amount="10")  # 1000 points
    base = {**credentials(), "code": JANE}
    forms = [{**base, "type": "redeem", "campaign_id": POINTS, "custom_points_redeem": "300"}] * 10
    forms += [{**base, "type": "record_activity", "campaign_id": LEGACY, "amount": "1"}] * 5
    replies = asyncio.run(post_at_once(settings, forms))
    outcomes = [outcome(xml_of(reply.content)) for reply in replies[:10]]
    assert sorted(outcomes) == ["insufficient_balance"] * 7 + ["success"] * 3
    root = call(client, {"type": "customer_balance", "code": JANE, "campaign_id": POINTS})
    assert root.findtext("campaign/customer/balance") == "100"
    assert balance_mismatches(settings) == []


async def _two_processes_sell(settings: Settings, first_item: str, second_item: str) -> list[RecordedSale | None]:
    """Two stores (two server processes) each sell Jane one buyx item at once; the first holds her lock a moment
    after its sale, so the second's sale waits for it."""
    first, second = create_store(settings), create_store(settings)
    await first.open()
    await second.open()
    try:
        account = await first.get_account("greatwidgets")
        assert account is not None
        account_pk = account.pk
        locked = asyncio.Event()

        async def sell(tx: WriteTx, item: str) -> RecordedSale | None:
            campaign = await tx.campaign_for_entries(account_pk, BUYX)
            assert campaign is not None
            sale = NewSale(
                account_pk, "code", JANE, campaign.pk, "test", utc_now(), 100 * int(item), None, "", item, {}
            )
            return await tx.record_sale(sale)

        async def slow(tx: WriteTx) -> RecordedSale | None:
            recorded = await sell(tx, first_item)
            locked.set()
            await asyncio.sleep(0.3)
            return recorded

        async def quick(tx: WriteTx) -> RecordedSale | None:
            return await sell(tx, second_item)

        async def after_the_lock() -> RecordedSale | None:
            await locked.wait()
            return await second.write(quick)

        return list(await asyncio.gather(first.write(slow), after_the_lock()))
    finally:
        await first.close()
        await second.close()


def test_a_sale_waiting_for_the_customer_sees_what_the_holder_committed(client: TestClient, settings: Settings) -> None:
    """record_sale locks the customer, then reads: the second of two simultaneous first sales in a campaign
    neither enrols Jane again nor misses the first sale in the total it answers (on PostgreSQL, its reads come
    after the lock was granted, not from a snapshot taken before it waited)."""
    widget, gadget = add_item(client, "3", "Widget"), add_item(client, "5", "Gadget")
    first, second = asyncio.run(_two_processes_sell(settings, widget, gadget))
    assert first is not None and second is not None
    own_first, own_second = 100 * int(widget), 100 * int(gadget)
    assert first.entry.item == first.entry.total == LedgerSums(own_first, own_first)
    assert second.entry.item == LedgerSums(own_second, own_second)
    assert second.entry.total == LedgerSums(own_first + own_second, own_first + own_second)
    assert second.entry.pk > first.entry.pk
    assert (first.customer.code, second.customer.code) == (JANE, JANE)
    root = call(client, {"type": "customer_balance", "code": JANE, "campaign_id": BUYX})
    products = [t.findtext("service_product") for t in root.iterfind("campaign/customer/transactions/transaction")]
    assert sorted(str(p) for p in products) == sorted(["Activation", widget, gadget]), products
    assert balance_mismatches(settings) == []


# --- idempotency keys ----------------------------------------------------------------------------------------------


def test_fifty_simultaneous_requests_with_one_key_run_once(client: TestClient, settings: Settings) -> None:
    sale = {**credentials(), "type": "record_activity", "code": JANE, "campaign_id": GIFTCARD, "amount": "10"}
    replies = asyncio.run(
        post_at_once(settings, [sale] * 50, headers={"Idempotency-Key": "4f7c1d2e-0b9a-4c55-9a51-2f9e8a7c6b10"})
    )
    assert {reply.status_code for reply in replies} == {200}
    assert len({reply.content for reply in replies}) == 1
    assert outcome(xml_of(replies[0].content)) == "success"
    assert sorted(reply.headers.get("idempotent-replayed", "") for reply in replies) == [""] + ["true"] * 49
    assert _balance(client, GIFTCARD) == "10.00"
    root = call(client, {"type": "customer_balance", "code": JANE, "campaign_id": GIFTCARD})
    assert len(root.findall("campaign/customer/transactions/transaction")) == 2  # the enrolment and one sale


# --- customers -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["code", "card_number"])
def test_two_concurrent_new_with_the_same_value_exactly_one_succeeds(
    client: TestClient, settings: Settings, key: str
) -> None:
    for round_ in range(5):
        value = f"RACE{round_}"

        def attempt(own: TestClient, value: str = value) -> str:
            root = new(own, ADMIN, **{key: value, "first_name": "Racer"})
            status = str(root.get("status"))
            return status if status == "success" else error_code(root)

        assert sorted(in_threads_at_once(settings, 2, attempt)) == ["customer_exists", "success"]
        root = call(client, {"type": "customer_search", key: value, "exact_match": "sensitive"})
        assert len(root.findall("customer")) == 1


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return fixed_clock(monkeypatch)


def test_concurrent_password_attempts_cannot_pass_the_limit_together(
    client: TestClient, settings: Settings, clock: Clock
) -> None:
    """Eight wrong attempts at once to check Sam's password, each through its own app (as from eight workers): five
    are checked, three refused."""
    add_sam(client)
    outcomes = in_threads_at_once(settings, 8, lambda own: validate(own, code="S1", customer_password="wrong"))
    assert sorted(outcomes) == ["invalid_customer_credentials"] * 5 + ["too_many_attempts"] * 3
