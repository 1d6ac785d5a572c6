"""Campaigns: creation, look-ups, the id's use across accounts and the archive, updates seen inside their own
transaction, the ledger's questions about a campaign, and its audit history."""

from __future__ import annotations

import dataclasses
from datetime import UTC
from decimal import Decimal
from typing import Any

import pytest

from loyalty_api.store import Store, WriteTx
from loyalty_api.store.models import AuditRecord, Campaign, Change, NewAudit
from tests.store import _world as make
from tests.store._world import AT, USER, entry, moment


async def test_a_campaign_reads_back_exactly_as_created(store: Store) -> None:
    account = await make.account(store)
    values: dict[str, Any] = {
        "description": "Ünïcode ✓ 'quoted'",
        "points_ratio": Decimal("0.0001"),
        "reward_ratio": Decimal("123456789012.3456"),
        "amount_per_event": Decimal("2.50"),
        "coalition_opt_out": True,
        "two_tier_opt_out": False,
        "active": True,
        "latitude": Decimal("-33.868820"),
        "longitude": Decimal("151.209290"),
    }
    created = await make.campaign(store, account.pk, "C1", "points", name="Points", **values)
    assert created == Campaign(
        pk=created.pk,
        account_pk=account.pk,
        campaign_id="C1",
        type="points",
        name="Points",
        created_at=AT,
        updated_at=AT,
        **values,
    )
    decimals = [created.points_ratio, created.reward_ratio, created.amount_per_event, created.latitude]
    assert [str(d) for d in decimals] == ["0.0001", "123456789012.3456", "2.50", "-33.868820"]  # the scale kept
    assert created.created_at.utcoffset() == UTC.utcoffset(None)
    found = await store.get_campaign(account.pk, "C1")
    assert found == created and str(found.amount_per_event) == "2.50"


async def test_a_campaign_created_with_its_required_columns_gets_the_defaults(store: Store) -> None:
    account = await make.account(store)
    created = await store.add_campaign(account.pk, {"campaign_id": "E1", "type": "events", "name": "Events"})
    assert (created.description, created.points_ratio, created.reward_ratio, created.amount_per_event) == (None,) * 4
    assert (created.latitude, created.longitude) == (None, None)
    assert (created.coalition_opt_out, created.two_tier_opt_out, created.active) == (False, False, True)
    assert created.created_at == created.updated_at and created.created_at.utcoffset() == UTC.utcoffset(None)
    assert await store.get_campaign(account.pk, "E1") == created


async def test_a_campaign_belongs_to_its_account_only(store: Store) -> None:
    acme, beta = await make.account(store, "acme"), await make.account(store, "beta")
    mine = await make.campaign(store, acme.pk, "C1")
    theirs = await make.campaign(store, beta.pk, "C1")  # one id in two accounts
    assert mine.pk != theirs.pk
    assert await store.get_campaign(acme.pk, "C1") == mine
    assert await store.get_campaign(beta.pk, "C1") == theirs
    assert await store.get_campaign(acme.pk, "C2") is None

    async def look(tx: WriteTx) -> list[Campaign | None]:
        return [
            await tx.campaign_for_update(beta.pk, "C1"),
            await tx.campaign_for_entries(acme.pk, "C1"),
            await tx.campaign_for_update(acme.pk, "C2"),
            await tx.campaign_for_entries(beta.pk, "C2"),
        ]

    assert await store.write(look) == [theirs, mine, None, None]


async def test_an_id_stays_in_use_in_every_account_and_once_archived(store: Store) -> None:
    acme, beta = await make.account(store, "acme"), await make.account(store, "beta")
    campaign = await make.campaign(store, acme.pk, "C1")

    async def in_use(tx: WriteTx) -> tuple[bool, bool]:
        return await tx.campaign_id_in_use("C1"), await tx.campaign_id_in_use("C2")

    assert (await store.campaign_id_in_use("C1"), await store.campaign_id_in_use("C2")) == (True, False)
    assert await store.write(in_use) == (True, False)
    await store.write(lambda tx: tx.archive_campaign(campaign.pk, USER, AT))
    assert await store.get_campaign(acme.pk, "C1") is None
    assert await store.campaign_id_in_use("C1")  # archived: still in use, in every account
    assert await store.write(in_use) == (True, False)
    assert await store.get_campaign(beta.pk, "C1") is None


async def test_a_transaction_sees_its_own_campaign_changes(store: Store) -> None:
    account = await make.account(store)
    changes = {"name": "Renamed", "points_ratio": Decimal("2.5"), "active": False, "description": None}

    async def work(tx: WriteTx) -> list[Campaign | None]:
        values = {"campaign_id": "C1", "type": "points", "name": "First", "description": "d"}
        created = await tx.insert_campaign(account.pk, values, AT)
        seen = await tx.campaign_for_update(account.pk, "C1")
        await tx.update_campaign(created.pk, changes, moment(60))
        return [
            created,
            seen,
            await tx.campaign_for_update(account.pk, "C1"),
            await tx.campaign_for_entries(account.pk, "C1"),
        ]

    created, seen, updated, shared = await store.write(work)
    assert created is not None and seen == created
    expected = dataclasses.replace(created, name="Renamed", points_ratio=Decimal("2.5"), active=False, description=None)
    expected.updated_at = moment(60)
    assert updated == expected and shared == expected
    assert await store.get_campaign(account.pk, "C1") == expected


async def test_a_later_transaction_sees_the_change_of_an_earlier_one(store: Store) -> None:
    account = await make.account(store)
    campaign = await make.campaign(store, account.pk, "C1", coalition_opt_out=False)

    async def opt_out(tx: WriteTx) -> None:
        locked = await tx.campaign_for_entries(account.pk, "C1")  # a shared lock first, then the exclusive one
        assert locked == campaign
        again = await tx.campaign_for_update(account.pk, "C1")
        assert again == campaign
        await tx.update_campaign(campaign.pk, {"coalition_opt_out": True}, moment(5))

    await store.write(opt_out)
    seen = await store.write(lambda tx: tx.campaign_for_entries(account.pk, "C1"))
    assert seen == dataclasses.replace(campaign, coalition_opt_out=True, updated_at=moment(5))


async def test_only_campaign_columns_may_be_written(store: Store) -> None:
    account = await make.account(store)
    campaign = await make.campaign(store, account.pk, "C1")
    with pytest.raises(ValueError, match="account_pk"):
        await store.write(lambda tx: tx.update_campaign(campaign.pk, {"account_pk": 2}, AT))
    with pytest.raises(ValueError, match="created_at"):
        values = {"campaign_id": "C2", "type": "points", "name": "x", "created_at": AT}
        await store.write(lambda tx: tx.insert_campaign(account.pk, values, AT))
    assert await store.get_campaign(account.pk, "C1") == campaign
    assert not await store.campaign_id_in_use("C2")


async def test_value_entries_are_those_that_moved_a_balance(store: Store) -> None:
    world = await make.world(store)
    other = await make.campaign(store, world.account.pk, "C2")

    async def has_value(tx: WriteTx) -> tuple[bool, bool]:
        return await tx.campaign_has_value_entries(world.campaign.pk), await tx.campaign_has_value_entries(other.pk)

    assert await store.write(has_value) == (False, False)
    enrolled = await store.write(
        lambda tx: tx.enrol_customer(world.account.pk, world.campaign.pk, world.customer.pk, USER, AT)
    )
    assert enrolled is True
    assert await store.write(has_value) == (False, False)  # the activation entry moves nothing
    await make.append(store, entry(world, 250))
    assert await store.write(has_value) == (True, False)


async def test_the_history_of_a_campaign_is_its_audit_records_in_order(store: Store) -> None:
    acme, beta = await make.account(store, "acme"), await make.account(store, "beta")
    create = NewAudit(acme.pk, USER, "campaign", "C1", "create", (Change("name", None, "First"),), AT, "C1")
    update = NewAudit(
        acme.pk,
        "kate",
        "campaign",
        "C1",
        "update",
        (Change("name", "First", "Ünï"), Change("active", True, False), Change("points_ratio", None, "2.50")),
        moment(1.5),
        "C1",
    )
    reward = NewAudit(acme.pk, USER, "reward", "17", "delete", (), moment(2), "C1")
    elsewhere = [
        NewAudit(acme.pk, USER, "campaign", "C2", "create", (), moment(3), "C2"),
        NewAudit(beta.pk, USER, "campaign", "C1", "create", (), moment(4), "C1"),
        NewAudit(acme.pk, USER, "customer", "C1", "create", (), moment(5)),  # no campaign
    ]

    async def work(tx: WriteTx) -> None:
        for record in (create, *elsewhere[:1], update):
            await tx.append_audit(record)

    await store.write(work)
    for record in (*elsewhere[1:], reward):
        await make.audit(store, record)
    history = await store.campaign_history(acme.pk, "C1")
    assert [dataclasses.replace(r, id=0) for r in history] == [
        AuditRecord(0, r.at, "acme", r.user_name, r.entity, r.entity_id, r.action, r.changes)
        for r in (create, update, reward)
    ]
    assert history[0].id < history[1].id < history[2].id
    assert [r.account_id for r in await store.campaign_history(beta.pk, "C1")] == ["beta"]
    assert await store.campaign_history(acme.pk, "C9") == []
    await make.customer(store, acme.pk)  # unrelated writes change nothing
    assert await store.campaign_history(acme.pk, "C1") == history
