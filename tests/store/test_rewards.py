"""Rewards and buyx items (rows of the rewards table): creation, the campaign's list, look-ups inside a write,
updates, and a reward archived alone."""

from __future__ import annotations

import dataclasses

import pytest

from loyalty_api.store import Store, WriteTx
from loyalty_api.store.models import Reward
from tests.store import _world as make
from tests.store._world import AT, USER, moment


async def test_a_reward_reads_back_as_created_in_level_then_id_order(store: Store) -> None:
    account = await make.account(store)
    campaign = await make.campaign(store, account.pk, "C1")
    assert await store.list_rewards(account.pk, "C1") == []
    mug = await make.reward(store, campaign.pk, 500, "A mug ☕", "SKU-1")
    pen = await make.reward(store, campaign.pk, 100, "A pen", at=moment(1))
    cap = await make.reward(store, campaign.pk, 500, "A cap", at=moment(2))
    assert mug == Reward(mug.pk, campaign.pk, 500, "A mug ☕", "SKU-1", AT, AT)
    assert pen == Reward(pen.pk, campaign.pk, 100, "A pen", None, moment(1), moment(1))
    assert mug.pk < pen.pk < cap.pk
    assert await store.list_rewards(account.pk, "C1") == [pen, mug, cap]


async def test_rewards_are_listed_only_for_a_live_campaign_of_the_account(store: Store) -> None:
    acme, beta = await make.account(store, "acme"), await make.account(store, "beta")
    campaign = await make.campaign(store, acme.pk, "C1", active=False)
    reward = await make.reward(store, campaign.pk, 10, "A pen")
    assert await store.list_rewards(acme.pk, "C1") == [reward]  # inactive is still live
    assert await store.list_rewards(beta.pk, "C1") is None
    assert await store.list_rewards(acme.pk, "C2") is None
    await store.write(lambda tx: tx.archive_campaign(campaign.pk, USER, AT))
    assert await store.list_rewards(acme.pk, "C1") is None


async def test_a_reward_is_found_for_update_in_its_own_campaign_only(store: Store) -> None:
    account = await make.account(store)
    first = await make.campaign(store, account.pk, "C1")
    second = await make.campaign(store, account.pk, "C2")
    reward = await make.reward(store, first.pk, 10, "A pen")

    async def look(tx: WriteTx) -> list[Reward | None]:
        return [
            await tx.reward_for_update(first.pk, reward.pk),
            await tx.reward_for_update(second.pk, reward.pk),
            await tx.reward_for_update(first.pk, reward.pk + 1000),
        ]

    assert await store.write(look) == [reward, None, None]


async def test_an_update_sets_the_given_columns_and_the_time(store: Store) -> None:
    account = await make.account(store)
    campaign = await make.campaign(store, account.pk, "C1")
    reward = await make.reward(store, campaign.pk, 10, "A pen", "SKU-1")
    other = await make.reward(store, campaign.pk, 20, "A mug")
    await store.write(lambda tx: tx.update_reward(reward.pk, {"level": 30, "identifier": None}, moment(9)))
    changed = dataclasses.replace(reward, level=30, identifier=None, updated_at=moment(9))
    assert await store.list_rewards(account.pk, "C1") == [other, changed]
    await store.write(lambda tx: tx.update_reward(reward.pk, {"description": "A blue pen"}, moment(10)))
    again = dataclasses.replace(changed, description="A blue pen", updated_at=moment(10))
    assert await store.write(lambda tx: tx.reward_for_update(campaign.pk, reward.pk)) == again
    with pytest.raises(ValueError, match="campaign_pk"):
        await store.write(lambda tx: tx.update_reward(reward.pk, {"campaign_pk": 1}, moment(11)))


async def test_an_item_is_found_by_its_identifier_in_its_campaign(store: Store) -> None:
    account = await make.account(store)
    buyx = await make.campaign(store, account.pk, "B1", "buyx")
    other = await make.campaign(store, account.pk, "B2", "buyx")
    first = await make.reward(store, buyx.pk, 3, "Coffee", "COF")
    await make.reward(store, buyx.pk, 5, "Cake", "COF")  # the same identifier twice: the first item answers
    tea = await make.reward(store, other.pk, 4, "Tea", "TEA")

    async def find(tx: WriteTx) -> list[Reward | None]:
        return [
            await tx.item_by_identifier(buyx.pk, "COF"),
            await tx.item_by_identifier(buyx.pk, "TEA"),
            await tx.item_by_identifier(other.pk, "TEA"),
            await tx.item_by_identifier(buyx.pk, "cof"),
        ]

    assert await store.write(find) == [first, None, tea, None]


async def test_an_archived_reward_is_gone_and_its_id_never_comes_again(store: Store) -> None:
    account = await make.account(store)
    campaign = await make.campaign(store, account.pk, "B1", "buyx")
    kept = await make.reward(store, campaign.pk, 4, "Tea", "TEA")
    item = await make.reward(store, campaign.pk, 3, "Coffee", "COF")  # the newest: its id must not be the next one
    await store.write(lambda tx: tx.archive_reward(item.pk, USER, moment(1)))
    assert await store.list_rewards(account.pk, "B1") == [kept]

    async def look(tx: WriteTx) -> list[Reward | None]:
        return [await tx.reward_for_update(campaign.pk, item.pk), await tx.item_by_identifier(campaign.pk, "COF")]

    assert await store.write(look) == [None, None]
    newer = await make.reward(store, campaign.pk, 3, "Coffee", "COF")
    assert newer.pk > item.pk > kept.pk
