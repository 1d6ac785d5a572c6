"""The reads of customers: searches (criteria, any of several word groups, pages), memberships in campaigns with
their sums, and a customer's audit history."""

from __future__ import annotations

from typing import Final

import pytest

from loyalty_api.store import Store
from loyalty_api.store.models import Change, CustomerMatch, CustomerQuery, Membership, NewAudit
from tests.store import _world as make
from tests.store._world import AT, USER, entry, moment


async def _people(store: Store) -> int:
    """Four customers of ``acme`` created a second apart, and one of another account; acme's pk."""
    acme, beta = await make.account(store, "acme"), await make.account(store, "beta")
    await make.customer(store, acme.pk, "1000", at=moment(1), first_name="Jane", last_name="Doe", city="Zürich",
                       card_number="C-1")  # fmt: skip
    await make.customer(store, acme.pk, "2000", at=moment(2), first_name="John", last_name="Doe", email="j@x.org")
    await make.customer(store, acme.pk, "3000", at=moment(3), first_name="Ann", last_name="Smith", city="ZÜRICH",
                       customer_username="ann_s")  # fmt: skip
    await make.customer(store, acme.pk, "0400", at=moment(0.5), first_name="Bob", custom_field_7="VIP member")
    await make.customer(store, beta.pk, "1000", first_name="Jane", last_name="Doe")
    return acme.pk


async def _codes(store: Store, account_pk: int, query: CustomerQuery) -> tuple[list[str], int]:
    page = await store.search_customers(account_pk, query)
    return [c.code for c in page.customers], page.total


# (query, the codes it finds), on the customers of _people
SEARCHES: Final = [
    (CustomerQuery(), ["0400", "1000", "2000", "3000"]),  # oldest first
    (CustomerQuery(criteria=(CustomerMatch("last_name", "contains", "OE"),)), ["1000", "2000"]),
    (CustomerQuery(criteria=(CustomerMatch("city", "insensitive", "zürich"),)), ["1000", "3000"]),
    (CustomerQuery(criteria=(CustomerMatch("city", "sensitive", "Zürich"),)), ["1000"]),
    (CustomerQuery(criteria=(CustomerMatch("card_number", "sensitive", "C-1"),)), ["1000"]),
    (CustomerQuery(criteria=(CustomerMatch("customer_username", "contains", "_"),)), ["3000"]),
    (CustomerQuery(criteria=(CustomerMatch("card_number", "insensitive", ""),)), ["0400", "2000", "3000"]),
    (
        CustomerQuery(
            criteria=(CustomerMatch("last_name", "insensitive", "doe"), CustomerMatch("code", "contains", "2"))
        ),
        ["2000"],
    ),
    (CustomerQuery(any_words=(("jane",), ("smith",))), ["1000", "3000"]),
    (CustomerQuery(any_words=(("doe", "J@X"),)), ["2000"]),  # every word of a group, in any field
    (CustomerQuery(any_words=(("vip", "member"),)), ["0400"]),
    (CustomerQuery(any_words=(("janedoe",),)), []),  # a word never matches across two fields
    (CustomerQuery(any_words=()), []),
]


async def test_a_search_matches_every_criterion_and_a_word_group(store: Store) -> None:
    acme = await _people(store)
    for query, expected in SEARCHES:
        assert await _codes(store, acme, query) == (expected, len(expected)), query


async def test_a_search_page_and_the_total(store: Store) -> None:
    acme = await _people(store)
    assert await _codes(store, acme, CustomerQuery(offset=1, limit=2)) == (["1000", "2000"], 4)
    assert await _codes(store, acme, CustomerQuery(offset=3)) == (["3000"], 4)
    assert await _codes(store, acme, CustomerQuery(offset=4, limit=5)) == ([], 4)
    page = await store.search_customers(acme, CustomerQuery(limit=1))
    assert page.customers == [await store.get_customer(acme, "code", "0400")]
    with pytest.raises(ValueError):
        await store.search_customers(acme, CustomerQuery(criteria=(CustomerMatch("pin_hash", "contains", "x"),)))
    with pytest.raises(ValueError):
        await store.search_customers(acme, CustomerQuery(criteria=(CustomerMatch("code", "like", "x"),)))


async def test_memberships_are_the_live_campaigns_with_entries_and_their_sums(store: Store) -> None:
    world = await make.world(store)
    second = await make.campaign(store, world.account.pk, "C2", "events", at=moment(-1))  # created before C1
    gone = await make.campaign(store, world.account.pk, "C3")
    bob = await make.customer(store, world.account.pk, "2000")
    await make.append(store, entry(world, 700, at=moment(1)))
    redeemed = await make.append(store, entry(world, -200, at=moment(2), redeemed=True))
    await make.append(store, entry(world, 200, at=moment(3), reverses_pk=redeemed.pk))
    await make.append(store, entry(world, 100, at=moment(4), campaign=second))
    await make.append(store, entry(world, 50, at=moment(5), campaign=gone))
    await make.append(store, entry(world, 30, at=moment(6), customer=bob))
    await store.write(lambda tx: tx.archive_campaign(gone.pk, USER, moment(7)))
    found = await store.customer_memberships([world.customer.pk, bob.pk, bob.pk + 100])
    assert found == {
        world.customer.pk: [
            Membership(second, 100, 100, moment(4), moment(4)),
            Membership(world.campaign, 700, 700, moment(1), moment(3)),
        ],
        bob.pk: [Membership(world.campaign, 30, 30, moment(6), moment(6))],
    }
    assert await store.customer_memberships([]) == {}


async def test_the_history_of_a_customer_code_is_its_audit_records_in_order(store: Store) -> None:
    acme, beta = await make.account(store, "acme"), await make.account(store, "beta")
    records = [
        NewAudit(acme.pk, USER, "customer", "1000", "create", (Change("first_name", None, "Jane"),), AT),
        NewAudit(acme.pk, "kate", "customer", "1000", "update", (Change("registered", False, True),), moment(1)),
        NewAudit(acme.pk, USER, "customer", "1000", "delete", (), moment(2)),
        NewAudit(acme.pk, USER, "customer", "2000", "create", (), moment(3)),
        NewAudit(beta.pk, USER, "customer", "1000", "create", (), moment(4)),
        NewAudit(acme.pk, USER, "campaign", "1000", "create", (), moment(5), "1000"),
    ]
    for record in records:
        await make.audit(store, record)
    history = await store.customer_history(acme.pk, "1000")
    assert [(r.at, r.account_id, r.user_name, r.action, r.changes) for r in history] == [
        (AT, "acme", USER, "create", (Change("first_name", None, "Jane"),)),
        (moment(1), "acme", "kate", "update", (Change("registered", False, True),)),
        (moment(2), "acme", USER, "delete", ()),
    ]
    assert {(r.entity, r.entity_id) for r in history} == {("customer", "1000")}
    assert await store.customer_history(acme.pk, "9999") == []
