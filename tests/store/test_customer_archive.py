"""Archiving a customer with their ledger entries and restoring them: ids never handed out again, the customer and
their balances back as they were, and the conflicts that keep a restore from happening."""

from __future__ import annotations

from typing import Any

import pytest

from loyalty_api.store import Store, WriteTx
from loyalty_api.store.interface import ArchiveConflict
from loyalty_api.store.models import RestoredCustomer
from tests.store import _world as make
from tests.store._world import USER, World, entry, moment, sale


async def _with_entries(store: Store) -> World:
    """The world's customer (with a password hash) enrolled by a sale, then a redemption: three entries."""
    world = await make.world(store)
    customer = await store.write(lambda tx: tx.update_customer(world.customer.pk, {"password_hash": "$argon2id$x"}))
    world = World(world.account, world.campaign, customer)
    assert await make.record(store, sale(world, 900, at=moment(1))) is not None
    await make.append(store, entry(world, -400, at=moment(2), redeemed=True))
    return world


async def _archive(store: Store, world: World, seconds: float = 10) -> int:
    return await store.write(lambda tx: tx.archive_customer(world.customer.pk, USER, moment(seconds)))


async def _restore(store: Store, world: World, code: str = "1000") -> RestoredCustomer | None:
    return await store.write(lambda tx: tx.restore_customer(world.account.pk, code))


async def test_an_archived_customer_is_gone_by_every_key(store: Store) -> None:
    world = await _with_entries(store)
    assert await _archive(store, world) == 3
    keys = (("code", "1000"), ("card_number", "C-1000"), ("customer_username", "jane"))

    async def holders(tx: WriteTx) -> list[int | None]:
        return [await tx.customer_key_holder(world.account.pk, key, value) for key, value in keys]

    assert await store.write(holders) == [None, None, None]
    for key, value in keys:
        assert await store.get_customer(world.account.pk, key, value) is None
    assert await store.customer_memberships([world.customer.pk]) == {}
    assert await store.write(lambda tx: tx.campaign_has_value_entries(world.campaign.pk)) is False
    assert await store.balance_mismatches() == []


async def test_a_customer_id_is_never_handed_out_again(store: Store) -> None:
    world = await _with_entries(store)
    await _archive(store, world)
    newer = await make.customer(store, world.account.pk, "2000")
    assert newer.pk > world.customer.pk


async def test_a_restored_customer_comes_back_with_their_entries_and_balances(store: Store) -> None:
    world = await _with_entries(store)
    before = await store.customer_ledger(world.campaign.pk, world.customer.pk, 10)
    await _archive(store, world)
    assert await _restore(store, world) == RestoredCustomer(world.customer, 3)
    assert await store.get_customer(world.account.pk, "customer_username", "jane") == world.customer
    assert await store.customer_ledger(world.campaign.pk, world.customer.pk, 10) == before
    assert before.sums.balance_cents == 500
    assert await store.balance_mismatches() == []
    assert await _restore(store, world) is None  # nothing left in the archive
    assert await _restore(store, world, "9999") is None


async def test_a_restore_conflicts_while_the_card_number_is_taken_again(store: Store) -> None:
    world = await _with_entries(store)
    await _archive(store, world)
    holder = await make.customer(store, world.account.pk, "2000", card_number="C-1000")
    with pytest.raises(ArchiveConflict, match="card_number"):
        await _restore(store, world)
    assert await store.get_customer(world.account.pk, "code", "1000") is None
    await store.write(lambda tx: tx.update_customer(holder.pk, {"card_number": None}))
    restored = await _restore(store, world)
    assert restored is not None and restored.customer == world.customer


@pytest.mark.parametrize(("column", "values"), [("code", {}), ("customer_username", {"customer_username": "jane"})])
async def test_a_restore_conflicts_while_the_code_or_username_is_taken_again(
    store: Store, column: str, values: dict[str, Any]
) -> None:
    world = await _with_entries(store)
    await _archive(store, world)
    await make.customer(store, world.account.pk, "1000" if column == "code" else "2000", **values)
    with pytest.raises(ArchiveConflict, match=column):
        await _restore(store, world)
    assert await store.get_customer(world.account.pk, "card_number", "C-1000") is None


async def test_a_restore_conflicts_when_a_campaign_of_the_entries_is_gone(store: Store) -> None:
    world = await _with_entries(store)
    await _archive(store, world)
    await store.write(lambda tx: tx.archive_campaign(world.campaign.pk, USER, moment(11)))
    with pytest.raises(ArchiveConflict, match="campaign"):
        await _restore(store, world)
    assert await store.get_customer(world.account.pk, "code", "1000") is None
