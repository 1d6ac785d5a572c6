"""The ledger: appended entries and the sums after them, sales (enrolling on the first), per-item sums, reversible
entries, a customer's ledger as customer_balance shows it, and the running balances' check."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from loyalty_api.store import Store, WriteTx
from loyalty_api.store.interface import SaleWork
from loyalty_api.store.ledger_models import (
    AppendedEntry,
    CustomerCard,
    CustomerLedger,
    LedgerEntry,
    LedgerSums,
    RecordedSale,
)
from tests.store import _world as make
from tests.store._world import AT, USER, World, entry, moment, sale


async def test_each_append_answers_its_id_and_the_sums_after_it(store: Store) -> None:
    world = await make.world(store)
    first = await make.append(store, entry(world, 1000, at=moment(1)))
    assert first == AppendedEntry(first.pk, item=LedgerSums(1000, 1000), total=LedgerSums(1000, 1000))
    redeemed = await make.append(store, entry(world, -300, at=moment(2), redeemed=True))
    assert redeemed == AppendedEntry(redeemed.pk, item=LedgerSums(700, 1000), total=LedgerSums(700, 1000))
    item = await make.append(store, entry(world, 500, at=moment(3), service_product="17"))
    assert item == AppendedEntry(item.pk, item=LedgerSums(500, 500), total=LedgerSums(1200, 1500))
    reversal = await make.append(store, entry(world, -1000, at=moment(4), reverses_pk=first.pk))
    assert reversal == AppendedEntry(reversal.pk, item=LedgerSums(-300, 0), total=LedgerSums(200, 500))
    refund = await make.append(store, entry(world, 300, at=moment(5), reverses_pk=redeemed.pk))
    assert refund == AppendedEntry(refund.pk, item=LedgerSums(0, 0), total=LedgerSums(500, 500))
    assert first.pk < redeemed.pk < item.pk < reversal.pk < refund.pk

    async def sums(tx: WriteTx) -> list[LedgerSums]:
        campaign, customer = world.campaign.pk, world.customer.pk
        return [await tx.ledger_sums(campaign, customer, product) for product in (None, "", "17", "18")]

    assert await store.write(sums) == [LedgerSums(500, 500), LedgerSums(0, 0), LedgerSums(500, 500), LedgerSums(0, 0)]
    assert await store.balance_mismatches() == []


async def test_the_sums_of_one_customer_in_one_campaign(store: Store) -> None:
    world = await make.world(store)
    other_campaign = await make.campaign(store, world.account.pk, "C2")
    bob = await make.customer(store, world.account.pk, "2000")
    await make.append(store, entry(world, 100))
    await make.append(store, entry(world, 20, campaign=other_campaign))
    await make.append(store, entry(world, 3, customer=bob))
    appended = await make.append(store, entry(world, 4000))
    assert appended.total == LedgerSums(4100, 4100)

    async def sums(tx: WriteTx) -> list[LedgerSums]:
        return [
            await tx.ledger_sums(other_campaign.pk, world.customer.pk, None),
            await tx.ledger_sums(world.campaign.pk, bob.pk, None),
            await tx.ledger_sums(other_campaign.pk, bob.pk, None),
        ]

    assert await store.write(sums) == [LedgerSums(20, 20), LedgerSums(3, 3), LedgerSums(0, 0)]


async def test_the_first_sale_enrols_the_customer_and_the_next_does_not(store: Store) -> None:
    world = await make.world(store)
    card = CustomerCard(world.customer.pk, "1000", "C-1000", "Jane", "Doe")
    first = await make.record(store, sale(world, 1250, at=moment(1)))
    assert first is not None
    assert first == RecordedSale(card, AppendedEntry(first.entry.pk, LedgerSums(1250, 1250), LedgerSums(1250, 1250)))
    by_card = await make.record(store, sale(world, 50, key="card_number", value="C-1000"))
    assert by_card is not None and by_card.entry.total == LedgerSums(1300, 1300)
    by_name = await make.record(store, sale(world, 7, key="customer_username", value="jane"))
    assert by_name is not None and by_name.customer == card and by_name.entry.item == LedgerSums(1307, 1307)
    ledger = await store.customer_ledger(world.campaign.pk, world.customer.pk, 10)
    assert [(e.amount_cents, e.service_product) for e in ledger.entries] == [
        (7, ""),
        (50, ""),
        (1250, ""),
        (0, "Activation"),
    ]
    assert ledger.entries[2] == LedgerEntry(
        first.entry.pk, moment(1), USER, 1250, "sale", "", False, None, {"custom_field_1": "till 4"}
    )
    assert ledger.entries[3].at == moment(1) and ledger.entries[3].authorization == "Account Activated."
    assert await store.balance_mismatches() == []


async def test_a_sale_answers_what_the_receipt_shows_of_its_customer(store: Store) -> None:
    world = await make.world(store)
    profile: dict[str, object] = {
        "phone": "555-0100",
        "email": "ann@example.com",
        "street1": "1 Main St",
        "custom_date": "1970-07-14",
        "custom_field_3": "gold",
        "custom_field_20": "last",
    }
    ann = await make.customer(store, world.account.pk, "3000", at=make.AT, first_name="Ann", **profile)
    recorded = await make.record(store, sale(world, 100, value="3000"))
    assert recorded is not None
    custom = {"custom_field_3": "gold", "custom_field_20": "last"}
    assert recorded.customer == CustomerCard(
        ann.pk, "3000", "", "Ann", "", "555-0100", "ann@example.com", "1 Main St", "1970-07-14", custom
    )
    assert recorded.customer == CustomerCard.of(ann)
    assert recorded.coalition_cumulative is None  # not asked


async def test_the_coalition_total_sums_the_pooled_campaigns_of_one_type(store: Store) -> None:
    world = await make.world(store)
    account = world.account.pk
    second = await make.campaign(store, account, "C2")
    out = await make.campaign(store, account, "C3", coalition_opt_out=True)
    cards = await make.campaign(store, account, "C4", "giftcard")
    bob = await make.customer(store, account, "2000")
    other = await store.add_account("beta", "Beta", "USD", True, False)
    elsewhere = await make.campaign(store, other.pk, "C1")
    for campaign, customer, cents in (
        (second, world.customer, 200),
        (out, world.customer, 4000),
        (cards, world.customer, 80000),
        (world.campaign, bob, 7),
        (elsewhere, world.customer, 1),  # another account's campaign: never pooled (and not this customer's)
    ):
        await make.append(store, entry(world, cents, campaign=campaign, customer=customer))
    await make.append(store, entry(world, -50, campaign=second, redeemed=True))  # a redemption: not cumulative
    pooled = sale(world, 1000)._replace(coalition_type="points")
    recorded = await make.record(store, pooled)
    assert recorded is not None and recorded.entry.total == LedgerSums(1000, 1000)
    assert recorded.coalition_cumulative == 1200  # this sale and C2's 200; C3 opted out, C4 of another type

    async def totals(tx: WriteTx) -> list[int]:
        customer = world.customer.pk
        return [await tx.coalition_cumulative(account, customer, kind) for kind in ("points", "giftcard", "events")]

    assert await store.write(totals) == [1200, 80000, 0]


async def test_a_sale_for_nobody_writes_nothing(store: Store) -> None:
    world = await make.world(store)
    other = await store.add_account("beta", "Beta", "USD", False, False)
    elsewhere = await make.customer(store, other.pk, "2000")
    for key, value in (("code", "9999"), ("card_number", "1000"), ("code", elsewhere.code)):
        assert await make.record(store, sale(world, 5, key=key, value=value)) is None
    ledger = await store.customer_ledger(world.campaign.pk, world.customer.pk, 10)
    assert (ledger.has_entries, ledger.entries) == (False, [])
    assert await store.write(lambda tx: tx.campaign_has_value_entries(world.campaign.pk)) is False


async def test_a_sale_job_reads_then_appends_then_answers(store: Store) -> None:
    world = await make.world(store)

    def work(value: str) -> Callable[[WriteTx], Awaitable[SaleWork[str]]]:
        async def read(tx: WriteTx) -> SaleWork[str]:
            campaign = await tx.campaign_for_entries(world.account.pk, "C1")
            assert campaign == world.campaign
            return sale(
                world, 40, value=value
            ), lambda recorded: "nobody" if recorded is None else str(recorded.entry.total)

        return read

    assert await store.write_sale(work("1000")) == str(LedgerSums(40, 40))
    assert await store.write_sale(work("9999")) == "nobody"
    assert await store.write_sale(work("1000")) == str(LedgerSums(80, 80))


async def test_an_entry_is_reversible_unless_reversed_or_a_reversal(store: Store) -> None:
    world = await make.world(store)
    custom = {"custom_field_2": "b", "custom_field_10": "ü"}
    kept = await make.append(
        store, entry(world, -250, at=moment(1), redeemed=True, purchase_cents=990, custom_fields=custom)
    )
    reversed_ = await make.append(store, entry(world, 600, at=moment(2)))
    reversal = await make.append(store, entry(world, -600, at=moment(3), reverses_pk=reversed_.pk))
    bob = await make.customer(store, world.account.pk, "2000")

    async def look(tx: WriteTx) -> list[LedgerEntry | None]:
        campaign, customer = world.campaign.pk, world.customer.pk
        return [
            await tx.reversible_entry(campaign, customer, kept.pk),
            await tx.reversible_entry(campaign, customer, reversed_.pk),
            await tx.reversible_entry(campaign, customer, reversal.pk),
            await tx.reversible_entry(campaign, bob.pk, kept.pk),
            await tx.reversible_entry(campaign + 1000, customer, kept.pk),
        ]

    found = await store.write(look)
    assert found == [
        LedgerEntry(kept.pk, moment(1), USER, -250, "auth -250", "", True, 990, custom),
        None,
        None,
        None,
        None,
    ]
    assert found[0] is not None and list(found[0].custom_fields) == ["custom_field_2", "custom_field_10"]


async def _ledger_with_items(store: Store) -> tuple[World, CustomerLedger]:
    world = await make.world(store)
    buyx = await make.campaign(store, world.account.pk, "B1", "buyx")
    coffee = await store.write(lambda tx: tx.insert_reward(buyx.pk, 3, "Coffee", "COF", AT))
    tea = await store.write(lambda tx: tx.insert_reward(buyx.pk, 5, "Tea", None, AT))
    await store.write(lambda tx: tx.enrol_customer(world.account.pk, buyx.pk, world.customer.pk, USER, moment(0)))
    await make.append(store, entry(world, 400, at=moment(1), campaign=buyx, service_product=str(coffee.pk)))
    await make.append(store, entry(world, 200, at=moment(2), campaign=buyx, service_product=str(tea.pk)))
    wrong = await make.append(store, entry(world, 100, at=moment(3), campaign=buyx, service_product=str(tea.pk)))
    await make.append(
        store, entry(world, -100, at=moment(4), campaign=buyx, service_product=str(tea.pk), reverses_pk=wrong.pk)
    )
    await make.append(
        store, entry(world, -300, at=moment(5), campaign=buyx, service_product=str(coffee.pk), redeemed=True)
    )
    await store.write(lambda tx: tx.archive_reward(tea.pk, USER, moment(6)))
    return world, await store.customer_ledger(buyx.pk, world.customer.pk, 2)


async def test_a_customer_ledger_shows_sums_items_and_the_newest_entries(store: Store) -> None:
    world, ledger = await _ledger_with_items(store)
    coffee, tea = sorted(ledger.item_names)
    assert ledger.has_entries is True
    assert ledger.sums == LedgerSums(300, 600)
    assert ledger.item_sums == {coffee: LedgerSums(100, 400), tea: LedgerSums(200, 200), "Activation": LedgerSums(0, 0)}
    assert ledger.item_names == {coffee: "Coffee", tea: "Tea"}  # the archived item's name too
    assert [(e.at, e.amount_cents, e.service_product, e.redeemed) for e in ledger.entries] == [
        (moment(5), -300, coffee, True),
        (moment(2), 200, tea, False),
    ]
    assert ledger.shown_count == 4  # activation, two sales, the redemption
    assert (ledger.last_transaction_at, ledger.last_redemption_at) == (moment(5), moment(5))
    assert (ledger.last_transaction_cents, ledger.last_redemption_cents) == (-300, -300)
    empty = await store.customer_ledger(world.campaign.pk, world.customer.pk, 2)
    assert empty == CustomerLedger(False, LedgerSums(0, 0), {}, {}, [], 0, None, None)
    assert await store.balance_mismatches() == []


async def test_the_operator_adds_customers_and_entries(store: Store) -> None:
    world = await make.world(store)
    pk = await store.add_customer(world.account.pk, "5000", "Ann", "Smith")
    ann = await store.get_customer(world.account.pk, "code", "5000")
    assert (
        ann is not None and ann.pk == pk and (ann.profile["first_name"], ann.profile["last_name"]) == ("Ann", "Smith")
    )
    entry_pk = await store.add_ledger_entry(world.account.pk, world.campaign.pk, pk, USER, 1500, "import", "")
    ledger = await store.customer_ledger(world.campaign.pk, pk, 5)
    assert [(e.pk, e.amount_cents, e.authorization) for e in ledger.entries] == [(entry_pk, 1500, "import")]
    assert ledger.sums == LedgerSums(1500, 1500)
    assert await store.balance_mismatches() == []
