"""Archiving a campaign (with its rewards and ledger entries) and restoring it: counts, ids never handed out again,
rows and running balances back as they were, and the conflicts that keep a restore from happening."""

from __future__ import annotations

import dataclasses

import pytest

from loyalty_api.store import Store, WriteTx
from loyalty_api.store.interface import ArchiveConflict
from loyalty_api.store.ledger_models import CustomerLedger
from loyalty_api.store.models import ArchiveCounts, RestoredCampaign, Reward
from tests.store import _world as make
from tests.store._world import AT, USER, World, entry, moment, sale


@dataclasses.dataclass(frozen=True, slots=True)
class History:
    world: World
    rewards: list[Reward]  # of the campaign, by level
    ledger: CustomerLedger  # the customer's, before anything was archived
    entry_pks: list[int]


async def _history(store: Store) -> History:
    """The world's campaign with two rewards (and one archived alone), the customer's sales, a redemption, and a
    reversal."""
    world = await make.world(store)
    alone = await make.reward(store, world.campaign.pk, 50, "Archived alone")
    rewards = [await make.reward(store, world.campaign.pk, level, f"Level {level}") for level in (100, 300)]
    await store.write(lambda tx: tx.archive_reward(alone.pk, USER, moment(0.5)))
    first = await make.record(store, sale(world, 1000, at=moment(1)))
    assert first is not None
    redeemed = await make.append(store, entry(world, -300, at=moment(2), redeemed=True))
    reversal = await make.append(store, entry(world, 300, at=moment(3), reverses_pk=redeemed.pk))
    ledger = await store.customer_ledger(world.campaign.pk, world.customer.pk, 10)
    assert len(ledger.entries) == 2 and ledger.sums.balance_cents == 1000
    return History(world, rewards, ledger, [first.entry.pk, redeemed.pk, reversal.pk])


async def _archive(store: Store, campaign_pk: int, at_seconds: float = 10) -> ArchiveCounts:
    return await store.write(lambda tx: tx.archive_campaign(campaign_pk, "kate", moment(at_seconds)))


async def _restore(store: Store, account_pk: int, campaign_id: str = "C1") -> RestoredCampaign | None:
    return await store.write(lambda tx: tx.restore_campaign(account_pk, campaign_id))


async def test_an_archived_campaign_is_gone_with_its_rewards_and_entries(store: Store) -> None:
    h = await _history(store)
    world = h.world
    assert await _archive(store, world.campaign.pk) == ArchiveCounts(rewards=2, ledger_entries=4)  # + activation
    assert await store.get_campaign(world.account.pk, "C1") is None
    assert await store.list_rewards(world.account.pk, "C1") is None
    assert await store.write(lambda tx: tx.campaign_for_update(world.account.pk, "C1")) is None
    assert await store.customer_memberships([world.customer.pk]) == {}
    empty = await store.customer_ledger(world.campaign.pk, world.customer.pk, 10)
    assert (empty.has_entries, empty.entries, empty.shown_count) == (False, [], 0)
    assert await store.write(lambda tx: tx.customer_campaign_ids(world.customer.pk)) == set()
    assert await store.balance_mismatches() == []


async def test_ids_are_never_handed_out_again_after_an_archive(store: Store) -> None:
    h = await _history(store)
    world = h.world
    await _archive(store, world.campaign.pk)
    newer = await make.campaign(store, world.account.pk, "C2")
    reward = await make.reward(store, newer.pk, 10, "Newer")
    appended = await make.append(store, entry(world, 5, campaign=newer))
    assert newer.pk > world.campaign.pk
    assert reward.pk > max(r.pk for r in h.rewards)
    assert appended.pk > max(h.entry_pks)


async def test_a_restored_campaign_comes_back_whole_with_its_ids_and_balances(store: Store) -> None:
    h = await _history(store)
    world = h.world
    counts = await _archive(store, world.campaign.pk)
    restored = await _restore(store, world.account.pk)
    assert restored == RestoredCampaign(world.campaign, counts)
    assert await store.get_campaign(world.account.pk, "C1") == world.campaign
    assert await store.list_rewards(world.account.pk, "C1") == h.rewards
    assert await store.customer_ledger(world.campaign.pk, world.customer.pk, 10) == h.ledger
    sums = await store.write(lambda tx: tx.ledger_sums(world.campaign.pk, world.customer.pk, None))
    assert sums == h.ledger.sums
    assert await store.balance_mismatches() == []
    # the archive gave them up: a second restore finds nothing
    assert await _restore(store, world.account.pk) is None
    # and the restored campaign takes new entries on top of its running balance
    after = await make.append(store, entry(world, 1, at=moment(20)))
    assert after.total.balance_cents == h.ledger.sums.balance_cents + 1


async def test_a_restore_finds_nothing_that_was_not_archived_in_the_account(store: Store) -> None:
    h = await _history(store)
    other = await store.add_account("beta", "Beta", "USD", False, False)
    assert await _restore(store, h.world.account.pk) is None  # live, not archived
    await _archive(store, h.world.campaign.pk)
    assert await _restore(store, other.pk) is None
    assert await _restore(store, h.world.account.pk, "C9") is None


async def test_a_restore_conflicts_with_a_live_campaign_of_the_same_id(store: Store) -> None:
    h = await _history(store)
    world = h.world
    await _archive(store, world.campaign.pk, 10)
    again = await make.campaign(store, world.account.pk, "C1", at=moment(11), name="Second life")
    with pytest.raises(ArchiveConflict):
        await _restore(store, world.account.pk)
    assert await store.get_campaign(world.account.pk, "C1") == again  # nothing changed
    # once that one is archived too, the most recently archived comes back
    assert await _archive(store, again.pk, 12) == ArchiveCounts(rewards=0, ledger_entries=0)
    restored = await _restore(store, world.account.pk)
    assert restored == RestoredCampaign(again, ArchiveCounts(0, 0))


async def test_a_restore_conflicts_when_a_customer_of_its_entries_is_gone(store: Store) -> None:
    h = await _history(store)
    world = h.world
    await _archive(store, world.campaign.pk)
    entries = await store.write(lambda tx: tx.archive_customer(world.customer.pk, USER, moment(11)))
    assert entries == 0  # their entries went with the campaign
    with pytest.raises(ArchiveConflict):
        await _restore(store, world.account.pk)
    assert await store.get_campaign(world.account.pk, "C1") is None


async def test_a_failed_restore_leaves_the_rest_of_its_transaction_usable(store: Store) -> None:
    h = await _history(store)
    world = h.world
    await _archive(store, world.campaign.pk)
    await make.campaign(store, world.account.pk, "C1", at=moment(11))

    async def work(tx: WriteTx) -> bool:
        with pytest.raises(ArchiveConflict):
            await tx.restore_campaign(world.account.pk, "C1")
        await tx.insert_customer(world.account.pk, {"code": "2000"}, AT)
        return True

    assert await store.write(work) is True
    assert await store.get_customer(world.account.pk, "code", "2000") is not None
    assert await make.customer(store, world.account.pk, "3000") is not None
