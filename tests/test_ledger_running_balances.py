"""The running balances (``ledger_balances``, migration 0005): every kind of entry keeps its row equal to the sums
of the ledger, archive and restore keep them equal, a store from before 0005 gets them, concurrent appends lose
nothing, and ``loyalty-api db check`` reports any difference (docs/ledger.md, "Running balances")."""

from __future__ import annotations

import asyncio
import json
from typing import Final

import httpx
from click.testing import CliRunner, Result
from lxml import etree
from starlette.testclient import TestClient

from loyalty_api.cli import cli
from loyalty_api.config import Settings
from loyalty_api.store import WriteTx, create_store
from loyalty_api.store.ledger_models import BalanceMismatch, LedgerSums, NewLedgerEntry, NewSale, RecordedSale
from loyalty_api.store.models import utc_now
from loyalty_api.web.app import create_app
from tests.support.api import ADMIN, call
from tests.support.balances import balance_mismatches, run_sql
from tests.support.stored import error_of, status_of

POINTS: Final = "1234567890123451"  # points_ratio 100
BUYX: Final = "1234567890123452"
LEGACY: Final = "1234567890123455"  # the demo customer has 500 points here
JANE: Final = "8000000000000001"
_ROWS: Final = (
    "SELECT c.campaign_id, b.service_product, b.balance_cents, b.cumulative_cents FROM ledger_balances b"
    " JOIN campaigns c ON c.pk = b.campaign_pk JOIN customers u ON u.pk = b.customer_pk"
    " WHERE u.code = '8000000000000001' ORDER BY 1, 2"
)


def _send(client: TestClient, call_type: str, campaign_id: str, **fields: str) -> str:
    """Send a ledger call for Jane; the new entry's id."""
    root = call(client, {"type": call_type, "code": JANE, "campaign_id": campaign_id, **fields})
    assert status_of(root) == "success", etree.tostring(root)
    return str(root.findtext("receipt/transaction/id"))


def _delete(client: TestClient, campaign_id: str, entry_id: str) -> None:
    root = call(
        client, {"type": "transaction_delete", "code": JANE, "campaign_id": campaign_id, "transaction_id": entry_id}
    )
    assert status_of(root) == "success", etree.tostring(root)


def _item(client: TestClient, level: str, description: str) -> str:
    data = {"type": "campaign_new", "action": "item", "campaign_id": BUYX, "reward_level": level}
    return str(call(client, {**data, "item_description": description}).findtext("campaign/item/id"))


def _history(client: TestClient) -> tuple[str, str]:
    """Sales, a redemption, reversals of both, two buyx items: the entries every test below starts from.
    The ids of the two items."""
    _send(client, "record_activity", POINTS, amount="10")  # 1000 points
    sale = _send(client, "record_activity", POINTS, amount="5")  # 500 points, deleted below
    _delete(client, POINTS, sale)
    _send(client, "redeem", POINTS, custom_points_redeem="300")
    refund = _send(client, "redeem", POINTS, custom_points_redeem="100")  # deleted below: the points come back
    _delete(client, POINTS, refund)
    first, second = _item(client, "3", "Widget"), _item(client, "5", "Gadget")
    _send(client, "record_activity", BUYX, service_product=first, buyx_quantity="4")
    _send(client, "record_activity", BUYX, service_product=second, buyx_quantity="2")
    _send(client, "redeem", BUYX, reward_to_redeem=first)
    return first, second


def _cli(settings: Settings, *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"LOYALTY_DATABASE_URL": settings.database_url})


def test_every_kind_of_entry_keeps_its_running_balance(client: TestClient, settings: Settings) -> None:
    first, second = _history(client)
    assert run_sql(settings, _ROWS) == [
        (POINTS, "", 70000, 100000),  # 1000 + 500 - 500 - 300 - 100 + 100 points; cumulative: the sale kept
        (POINTS, "Activation", 0, 0),
        (BUYX, first, 100, 400),  # 4 purchases, 3 used up by the free item
        (BUYX, second, 200, 200),
        (BUYX, "Activation", 0, 0),
        (LEGACY, "", 50000, 50000),  # the demo's sale, recorded by add_ledger_entry
        (LEGACY, "Activation", 0, 0),
    ]
    assert balance_mismatches(settings) == []
    root = call(client, {"type": "customer_balance", "code": JANE, "campaign_id": POINTS})
    assert (root.findtext("campaign/customer/balance"), root.findtext("campaign/customer/cumulative")) == (
        "700",
        "1000",
    )


def test_archive_and_restore_keep_them_equal(client: TestClient, settings: Settings) -> None:
    _history(client)
    before = run_sql(settings, _ROWS)
    assert status_of(call(client, {"type": "campaign_delete", "campaign_id": POINTS})) == "success"
    assert [row[0] for row in run_sql(settings, _ROWS)] == [BUYX, BUYX, BUYX, LEGACY, LEGACY]
    assert balance_mismatches(settings) == []
    restored = _cli(settings, "campaign", "restore", POINTS, "--account", "greatwidgets", "--by", "ops-alice")
    assert restored.exit_code == 0, restored.output
    assert run_sql(settings, _ROWS) == before
    assert balance_mismatches(settings) == []

    assert status_of(call(client, {"type": "customer_delete", "code": JANE})) == "success"
    assert run_sql(settings, _ROWS) == []
    assert balance_mismatches(settings) == []
    restored = _cli(settings, "customer", "restore", JANE, "--account", "greatwidgets", "--by", "ops-alice")
    assert restored.exit_code == 0, restored.output
    assert run_sql(settings, _ROWS) == before
    assert balance_mismatches(settings) == []
    # And they go on from there.
    _send(client, "record_activity", POINTS, amount="1")
    assert (POINTS, "", 80000, 110000) in run_sql(settings, _ROWS)
    assert balance_mismatches(settings) == []


def test_a_store_from_before_migration_0005_gets_its_balances(client: TestClient, settings: Settings) -> None:
    """The database is taken back to where it was before 0005 (which only adds ``ledger_balances``): the table is
    dropped and its migration unrecorded, the ledger kept.  ``db upgrade`` must then fill it from the ledger."""
    _history(client)
    before = run_sql(settings, _ROWS)
    shown = etree.tostring(call(client, {"type": "customer_balance", "code": JANE, "campaign_id": BUYX}))
    run_sql(settings, "DROP TABLE ledger_balances", "DELETE FROM schema_migrations WHERE name = 'running_balances'")
    upgraded = _cli(settings, "db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    assert upgraded.stdout.startswith("applied migration ") and upgraded.stdout.strip().endswith("_running_balances")
    assert run_sql(settings, _ROWS) == before
    assert balance_mismatches(settings) == []
    with TestClient(create_app(settings)) as again:
        assert etree.tostring(call(again, {"type": "customer_balance", "code": JANE, "campaign_id": BUYX})) == shown


def test_db_check_says_ok_or_lists_every_difference(client: TestClient, settings: Settings) -> None:
    checked = _cli(settings, "db", "check")
    assert (checked.exit_code, checked.stdout) == (0, "ok\n")
    ((found_campaign, found_customer),) = run_sql(
        settings,
        "SELECT c.pk, u.pk FROM campaigns c, customers u WHERE c.campaign_id = '1234567890123455'"
        " AND u.code = '8000000000000001'",
    )
    assert isinstance(found_campaign, int) and isinstance(found_customer, int)
    campaign_pk, customer_pk = found_campaign, found_customer
    run_sql(
        settings,
        f"UPDATE ledger_balances SET balance_cents = 49999 WHERE campaign_pk = {campaign_pk} AND service_product = ''",
        f"DELETE FROM ledger_balances WHERE campaign_pk = {campaign_pk} AND service_product = 'Activation'",
        "INSERT INTO ledger_balances (account_pk, campaign_pk, customer_pk, service_product, balance_cents,"
        f" cumulative_cents) SELECT account_pk, {campaign_pk}, {customer_pk}, '77', 300, 300 FROM campaigns"
        f" WHERE pk = {campaign_pk}",
    )
    checked = _cli(settings, "db", "check")
    assert checked.exit_code == 1
    found = [json.loads(line) for line in checked.stdout.splitlines()]
    of = {"campaign_pk": campaign_pk, "customer_pk": customer_pk}
    assert found == [
        {**of, "service_product": "", "ledger": _cents(50000, 50000), "running": _cents(49999, 50000)},
        {**of, "service_product": "77", "ledger": None, "running": _cents(300, 300)},
        {**of, "service_product": "Activation", "ledger": _cents(0, 0), "running": None},
    ]
    assert "3 running balance(s) differ from the ledger" in checked.stderr
    assert balance_mismatches(settings) == [
        BalanceMismatch(campaign_pk, customer_pk, "", LedgerSums(50000, 50000), LedgerSums(49999, 50000)),
        BalanceMismatch(campaign_pk, customer_pk, "77", None, LedgerSums(300, 300)),
        BalanceMismatch(campaign_pk, customer_pk, "Activation", LedgerSums(0, 0), None),
    ]


def _cents(balance: int, cumulative: int) -> dict[str, int]:
    return {"balance_cents": balance, "cumulative_cents": cumulative}


async def _sell_at_once(settings: Settings, count: int, item: str) -> list[str]:
    app = create_app(settings)
    await app.store.open()
    account_id, user_id, key = ADMIN
    form = {"account_id": account_id, "user_id": user_id, "user_password": key, "type": "record_activity"}
    form |= {"code": JANE, "campaign_id": BUYX, "service_product": item, "buyx_quantity": "2"}
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            replies = await asyncio.gather(*(client.post("/api.php", data=form) for _ in range(count)))
    finally:
        await app.store.close()
    return [str(etree.fromstring(reply.content).get("status")) for reply in replies]


def test_simultaneous_sales_of_one_item_all_count(client: TestClient, settings: Settings) -> None:
    item = _item(client, "3", "Widget")
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
    _send(client, "record_activity", POINTS, amount="10")  # 1000 points

    async def mixed() -> list[str]:
        app = create_app(settings)
        await app.store.open()
        account_id, user_id, key = ADMIN
        base = {"account_id": account_id, "user_id": user_id, "user_password": key, "code": JANE}
        forms = [{**base, "type": "redeem", "campaign_id": POINTS, "custom_points_redeem": "300"}] * 10
        forms += [{**base, "type": "record_activity", "campaign_id": LEGACY, "amount": "1"}] * 5
        try:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                replies = await asyncio.gather(*(http.post("/api.php", data=form) for form in forms))
        finally:
            await app.store.close()
        outcomes = []
        for reply in replies[:10]:
            root = etree.fromstring(reply.content)
            outcomes.append("success" if status_of(root) == "success" else error_of(root)[0])
        return outcomes

    assert sorted(asyncio.run(mixed())) == ["insufficient_balance"] * 7 + ["success"] * 3
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
    widget, gadget = _item(client, "3", "Widget"), _item(client, "5", "Gadget")
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
