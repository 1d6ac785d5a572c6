"""Requests that fail in the middle of a batch of concurrent good ones, on both stores, through the real app.

The requests start together on one event loop (``httpx`` over ASGI), so they meet in the store's group-commit
writer and run as one batch (SQLite: a savepoint each; PostgreSQL: first without savepoints, then, because one
failed, again with a savepoint each).  Each failing request gets its own error; every good one is applied exactly
once, each continuing from the one before (the failures left nothing behind, not even the row lock they took).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Final

import httpx
from lxml import etree

from loyalty_api.config import Settings
from loyalty_api.store import Store, create_store
from loyalty_api.store.interface import SaleWork, WriteTx
from loyalty_api.store.ledger_models import LedgerSums, NewSale, RecordedSale
from loyalty_api.store.models import utc_now
from loyalty_api.web.app import create_app
from tests.support.balances import balance_mismatches
from tests.support.cli import history, show
from tests.support.users import ADMIN

CAMPAIGN: Final = "1234567890123451"
REQUESTS: Final = 40


def _is_bad(i: int) -> bool:
    return i % 5 == 3  # never the first of the batch: the optimistic run must fall back


def _form(i: int) -> dict[str, str]:
    account_id, user_id, key = ADMIN
    form = {
        "account_id": account_id,
        "user_id": user_id,
        "user_password": key,
        "type": "campaign_update",
        "action": "campaign",
    }
    if i % 10 == 3:  # a campaign of nobody: the write's SELECT finds nothing
        return {**form, "campaign_id": "9999999999999999", "description": f"description {i}"}
    if _is_bad(i):  # a value the rules refuse once the campaign has been read (and locked)
        return {**form, "campaign_id": CAMPAIGN, "description": f"description {i}", "new_points_ratio": "-3"}
    return {**form, "campaign_id": CAMPAIGN, "description": f"description {i}"}


async def _send_all(settings: Settings) -> list[tuple[str, str | None]]:
    app = create_app(settings)
    await app.store.open()
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            replies = await asyncio.gather(*(client.post("/api.php", data=_form(i)) for i in range(REQUESTS)))
    finally:
        await app.store.close()
    answers = []
    for reply in replies:
        root = etree.fromstring(reply.content)
        error = root.find(".//error")
        answers.append((str(root.get("status")), None if error is None else error.get("code")))
    return answers


def test_failing_requests_in_a_batch_leave_the_others_applied(settings: Settings) -> None:
    before = show(settings, CAMPAIGN)
    answers = asyncio.run(_send_all(settings))
    for i, (status, code) in enumerate(answers):
        if i % 10 == 3:
            assert (status, code) == ("error", "campaign_not_found"), i
        elif _is_bad(i):
            assert status == "error" and code is not None and code != "store_unavailable", (i, code)
        else:
            assert (status, code) == ("updated", None), i

    records = [r for r in history(settings, CAMPAIGN) if r["action"] == "update"]
    good = [i for i in range(REQUESTS) if not _is_bad(i)]
    assert sorted(record["changes"][0]["new"] for record in records) == sorted(f"description {i}" for i in good)
    previous = before["description"]
    for record in records:
        (change,) = record["changes"]
        assert change["field"] == "description" and change["old"] == previous, record
        previous = change["new"]
    assert show(settings, CAMPAIGN)["description"] == previous


SALES_CAMPAIGN: Final = "1234567890123455"  # the demo's points campaign with customers' entries


class _Undone(Exception):
    """What the deactivating job raises when it must be rolled back."""


async def _sales_and_a_deactivation_in_one_batch(settings: Settings, *, undone: bool = False) -> list[bool | None]:
    """Five write transactions submitted at once (one batch, in this order): two read the campaign as sales do
    (``campaign_for_entries``: shared lock), one deactivates it (``campaign_for_update`` + ``update_campaign``), two
    read it again as sales and as an update.  Each answers whether it saw the campaign active.  ``undone``: the
    deactivating job raises after its change (which its rollback undoes) and answers None."""
    app = create_app(settings)
    store = app.store
    await store.open()
    try:
        account = await store.get_account("greatwidgets")
        assert account is not None
        account_pk = account.pk

        async def sale(tx: WriteTx) -> bool | None:
            campaign = await tx.campaign_for_entries(account_pk, SALES_CAMPAIGN)
            return None if campaign is None else campaign.active

        async def deactivate(tx: WriteTx) -> bool | None:
            campaign = await tx.campaign_for_update(account_pk, SALES_CAMPAIGN)
            assert campaign is not None
            await tx.update_campaign(campaign.pk, {"active": False}, utc_now())
            if undone:
                assert await sale(tx) is False  # the job itself sees its change ...
                raise _Undone
            return campaign.active

        async def update(tx: WriteTx) -> bool | None:
            campaign = await tx.campaign_for_update(account_pk, SALES_CAMPAIGN)
            return None if campaign is None else campaign.active

        jobs = [sale, sale, deactivate, sale, update]
        answers = await asyncio.gather(*(store.write(job) for job in jobs), return_exceptions=True)
        return [None if isinstance(answer, _Undone) else answer for answer in answers]  # type: ignore[misc]
    finally:
        await store.close()


def test_a_batch_sees_its_own_campaign_changes(settings: Settings) -> None:
    """PostgreSQL's writer keeps the campaign rows a batch has locked (shared by sales, exclusive by updates) to
    skip their SELECT in the batch's later jobs: a change made by an earlier job must be what the later ones see."""
    assert asyncio.run(_sales_and_a_deactivation_in_one_batch(settings)) == [True, True, True, False, False]
    assert show(settings, SALES_CAMPAIGN)["active"] is False


def test_a_batch_forgets_the_campaign_changes_of_a_job_rolled_back(settings: Settings) -> None:
    """... and once the job is rolled back to its savepoint, the later jobs of the batch see the campaign as it was
    (both writers keep the campaign rows their batch has read)."""
    assert asyncio.run(_sales_and_a_deactivation_in_one_batch(settings, undone=True)) == [True, True, None, True, True]
    assert show(settings, SALES_CAMPAIGN)["active"] is True


# --- sales appended together (Store.write_sale; PostgreSQL's writer sends a batch's sales at once) -------------

JANE: Final = "8000000000000001"  # the demo customer, 500 points in SALES_CAMPAIGN
_Job = Callable[[], Awaitable[object]]


class _AnswerFailed(Exception):
    """What a sale's answer raises after its sale was appended."""


async def _one_batch(settings: Settings, make_jobs: Callable[[Store, int, int, int], list[_Job]]) -> list[object]:
    """Submit the jobs ``make_jobs(store, account_pk, campaign_pk, jane_pk)`` builds at once (one batch, in that
    order); their results or exceptions."""
    store = create_store(settings)
    await store.open()
    try:
        account = await store.get_account("greatwidgets")
        campaign = await store.get_campaign(account.pk, SALES_CAMPAIGN) if account else None
        jane = await store.get_customer(account.pk, "code", JANE) if account else None
        assert account is not None and campaign is not None and jane is not None
        jobs = make_jobs(store, account.pk, campaign.pk, jane.pk)
        return list(await asyncio.gather(*(job() for job in jobs), return_exceptions=True))
    finally:
        await store.close()


def _sale(store: Store, account_pk: int, code: str, cents: int, *, campaign_pk: int | None = None) -> _Job:
    """A sale's job whose answer is the entry (its total after it), or which raises LookupError for no customer
    and _AnswerFailed for a sale of 2.22 points."""

    async def read(tx: WriteTx) -> SaleWork[LedgerSums]:
        campaign = await tx.campaign_for_entries(account_pk, SALES_CAMPAIGN)
        assert campaign is not None
        pk = campaign.pk if campaign_pk is None else campaign_pk
        sale = NewSale(account_pk, "code", code, pk, "test", utc_now(), cents, None, "", "", {})

        def answer(recorded: RecordedSale | None) -> LedgerSums:
            if recorded is None:
                raise LookupError(code)
            if cents == 222:
                raise _AnswerFailed
            return recorded.entry.total

        return sale, answer

    return lambda: store.write_sale(read)


def _balance(store: Store, campaign_pk: int, customer_pk: int) -> _Job:
    async def read(tx: WriteTx) -> LedgerSums:
        return await tx.ledger_sums(campaign_pk, customer_pk, None)

    return lambda: store.write(read)


def _total(cents: int) -> LedgerSums:
    """Jane's sums in SALES_CAMPAIGN after ``cents`` more points (she starts with 500 points, cumulative 500)."""
    return LedgerSums(50000 + cents, 50000 + cents)


def test_sales_of_a_batch_land_in_order_before_the_next_other_job(settings: Settings) -> None:
    """Each sale's answer holds the sales before it; a job that is not a sale sees every sale before it; a sale
    naming no customer fails alone."""

    def jobs(store: Store, account_pk: int, campaign_pk: int, jane_pk: int) -> list[_Job]:
        return [
            _balance(store, campaign_pk, jane_pk),
            _sale(store, account_pk, JANE, 100),
            _sale(store, account_pk, "no-such-customer", 100),
            _sale(store, account_pk, JANE, 200),
            _balance(store, campaign_pk, jane_pk),
            _sale(store, account_pk, JANE, 300),
        ]

    results = asyncio.run(_one_batch(settings, jobs))
    assert isinstance(results[2], LookupError)
    assert results[:2] + results[3:] == [_total(0), _total(100), _total(300), _total(300), _total(600)]


def test_a_sale_whose_answer_fails_is_not_kept(settings: Settings) -> None:
    """An answer failing after its sale was appended: that sale is undone (PostgreSQL runs the batch again, job by
    job), the others are kept, and their answers are those of the sales that remain."""

    def jobs(store: Store, account_pk: int, campaign_pk: int, jane_pk: int) -> list[_Job]:
        return [
            _balance(store, campaign_pk, jane_pk),
            _sale(store, account_pk, JANE, 100),
            _sale(store, account_pk, JANE, 222),
            _sale(store, account_pk, JANE, 300),
        ]

    results = asyncio.run(_one_batch(settings, jobs))
    assert isinstance(results[2], _AnswerFailed)
    assert [results[0], results[1], results[3]] == [_total(0), _total(100), _total(400)]
    assert balance_mismatches(settings) == []
    again = asyncio.run(
        _one_batch(settings, lambda store, _a, campaign_pk, jane_pk: [_balance(store, campaign_pk, jane_pk)])
    )
    assert again == [_total(400)]


def test_a_sale_failing_in_the_database_fails_alone(settings: Settings) -> None:
    """A sale the database refuses (here a campaign that does not exist) among others: it fails, the others are
    kept."""

    def jobs(store: Store, account_pk: int, campaign_pk: int, jane_pk: int) -> list[_Job]:
        return [
            _balance(store, campaign_pk, jane_pk),
            _sale(store, account_pk, JANE, 100),
            _sale(store, account_pk, JANE, 200, campaign_pk=10**9),
            _sale(store, account_pk, JANE, 300),
        ]

    results = asyncio.run(_one_batch(settings, jobs))
    assert isinstance(results[2], Exception) and not isinstance(results[2], LookupError)
    assert [results[0], results[1], results[3]] == [_total(0), _total(100), _total(400)]
    assert balance_mismatches(settings) == []
