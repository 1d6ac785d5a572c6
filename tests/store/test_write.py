"""``Store.write``: a work function's changes apply whole or not at all, beside the other writes in flight; and a
store that is closed answers :class:`StoreUnavailable`, then sees its data again once opened."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from loyalty_api.store import Store, StoreUnavailable, WriteTx
from loyalty_api.store.models import Campaign, CampaignQuery, Change, NewAudit
from tests.store import _world as make
from tests.store._world import AT, USER


class Undone(Exception):
    """What a work function raises to be rolled back."""


def _creating(account_pk: int, campaign_id: str, *, fails: bool) -> Callable[[WriteTx], Awaitable[Campaign]]:
    """A work function that creates a campaign, its customer and its audit record, then raises when ``fails``."""

    async def work(tx: WriteTx) -> Campaign:
        assert not await tx.campaign_id_in_use(campaign_id)
        campaign = await tx.insert_campaign(account_pk, {"campaign_id": campaign_id, "type": "points", "name": "x"}, AT)
        await tx.insert_customer(account_pk, {"code": f"for-{campaign_id}"}, AT)
        await tx.append_audit(NewAudit(account_pk, USER, "campaign", campaign_id, "create", (), AT, campaign_id))
        if fails:
            raise Undone(campaign_id)
        return campaign

    return work


async def _left_behind(store: Store, account_pk: int, campaign_id: str) -> list[object]:
    """What the work function of :func:`_creating` for ``campaign_id`` left in the store."""
    return [
        found
        for found in (
            await store.get_campaign(account_pk, campaign_id),
            await store.get_customer(account_pk, "code", f"for-{campaign_id}"),
            *await store.campaign_history(account_pk, campaign_id),
        )
        if found is not None
    ]


async def test_a_work_that_raises_leaves_nothing_written(store: Store) -> None:
    account = await make.account(store)
    with pytest.raises(Undone):
        await store.write(_creating(account.pk, "C1", fails=True))
    assert await _left_behind(store, account.pk, "C1") == []
    assert not await store.campaign_id_in_use("C1")


async def test_the_writes_in_flight_beside_one_that_raises_all_apply(store: Store) -> None:
    account = await make.account(store)
    ids = [f"C{n}" for n in range(6)]
    results = await asyncio.gather(
        *(store.write(_creating(account.pk, campaign_id, fails=n in (2, 5))) for n, campaign_id in enumerate(ids)),
        return_exceptions=True,
    )
    assert [str(r) for r in results if isinstance(r, Undone)] == ["C2", "C5"]
    applied = [r for r in results if isinstance(r, Campaign)]
    assert [c.campaign_id for c in applied] == ["C0", "C1", "C3", "C4"]
    page = await store.list_campaigns(account.pk, CampaignQuery(active=True))
    assert page.campaigns == applied and page.total == 4
    for campaign_id in ("C2", "C5"):
        assert await _left_behind(store, account.pk, campaign_id) == []
    for campaign_id in ("C0", "C4"):
        assert len(await _left_behind(store, account.pk, campaign_id)) == 3


async def test_a_write_answers_what_its_work_answers(store: Store) -> None:
    account = await make.account(store)

    async def work(tx: WriteTx) -> tuple[bool, int]:
        customer = await tx.insert_customer(account.pk, {"code": "1000"}, AT)
        await tx.append_audit(NewAudit(account.pk, USER, "customer", "1000", "create", (Change("code", None, "1000"),)))
        return await tx.campaign_id_in_use("C9"), customer.pk

    in_use, customer_pk = await store.write(work)
    assert in_use is False
    found = await store.get_customer(account.pk, "code", "1000")
    assert found is not None and found.pk == customer_pk
    assert [record.action for record in await store.customer_history(account.pk, "1000")] == ["create"]


async def test_a_closed_store_is_unavailable_until_opened_again(store: Store) -> None:
    account = await make.account(store)
    await make.campaign(store, account.pk, "C1")
    await store.close()
    with pytest.raises(StoreUnavailable):
        await store.ping()
    with pytest.raises(StoreUnavailable):
        await store.get_account("acme")
    with pytest.raises(StoreUnavailable):
        await store.list_campaigns(account.pk, CampaignQuery(active=True))
    with pytest.raises(StoreUnavailable):
        await store.write(lambda tx: tx.campaign_id_in_use("C1"))
    await store.open()
    await store.ping()
    assert await store.get_account("acme") == account
    assert await store.write(lambda tx: tx.campaign_id_in_use("C1")) is True
