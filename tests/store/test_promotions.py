"""Promotions of points campaigns: creation, look-ups inside a write, updates, archiving, the campaign's list
(searched, sorted, paged), and promotions waiting out their campaign's time in the archive."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from loyalty_api.store import Store, WriteTx
from loyalty_api.store.models import Match
from loyalty_api.store.promotion_models import NewPromotion, Promotion, PromotionQuery
from tests.store import _world as make
from tests.store._world import AT, USER, moment

DOUBLE = NewPromotion("x", Decimal("2"), "Double ☕", None, None, None)
BONUS = NewPromotion("+", Decimal("-50.5"), "Bonus", "B-1", "2013-08-01 00:00:00", "2013-08-31 23:59:59")


async def _add(store: Store, campaign_pk: int, new: NewPromotion, seconds: float = 0) -> Promotion:
    return await store.write(lambda tx: tx.insert_promotion(campaign_pk, new, moment(seconds)))


async def _ids(store: Store, campaign_pk: int, **query: object) -> list[int]:
    page = await store.list_promotions(campaign_pk, PromotionQuery(**query))  # type: ignore[arg-type]
    return [promotion.pk for promotion in page.promotions]


async def test_a_promotion_reads_back_as_created(store: Store) -> None:
    account = await make.account(store)
    campaign = await make.campaign(store, account.pk, "C1")
    double = await _add(store, campaign.pk, DOUBLE)
    bonus = await _add(store, campaign.pk, BONUS, 1)
    assert double == Promotion(double.pk, campaign.pk, "x", Decimal("2"), "Double ☕", None, None, None, AT, AT, None)
    assert bonus.amount == Decimal("-50.5")
    assert (bonus.custom_id, bonus.start_date, bonus.end_date) == ("B-1", "2013-08-01 00:00:00", "2013-08-31 23:59:59")
    assert double.pk < bonus.pk
    page = await store.list_promotions(campaign.pk, PromotionQuery())
    assert (page.promotions, page.total) == ([double, bonus], 2)


async def test_found_for_update_in_its_own_campaign_only_and_counted(store: Store) -> None:
    account = await make.account(store)
    first = await make.campaign(store, account.pk, "C1")
    second = await make.campaign(store, account.pk, "C2")
    promotion = await _add(store, first.pk, DOUBLE)

    async def look(tx: WriteTx) -> list[object]:
        return [
            await tx.promotion_for_update(first.pk, promotion.pk),
            await tx.promotion_for_update(second.pk, promotion.pk),
            await tx.promotion_for_update(first.pk, promotion.pk + 1000),
            await tx.count_promotions(first.pk),
            await tx.count_promotions(second.pk),
        ]

    assert await store.write(look) == [promotion, None, None, 1, 0]


async def test_an_update_sets_the_given_columns_and_the_time(store: Store) -> None:
    account = await make.account(store)
    campaign = await make.campaign(store, account.pk, "C1")
    promotion = await _add(store, campaign.pk, BONUS)
    values = {"operation": "x", "amount": Decimal("1.25"), "custom_id": None, "end_date": None}
    await store.write(lambda tx: tx.update_promotion(promotion.pk, values, moment(5)))
    (changed,) = (await store.list_promotions(campaign.pk, PromotionQuery())).promotions
    assert changed == dataclasses.replace(
        promotion, operation="x", amount=Decimal("1.25"), custom_id=None, end_date=None, updated_at=moment(5)
    )


async def test_an_archived_promotion_is_gone_but_its_id_is_never_reused(store: Store) -> None:
    account = await make.account(store)
    campaign = await make.campaign(store, account.pk, "C1")
    kept = await _add(store, campaign.pk, DOUBLE)
    gone = await _add(store, campaign.pk, BONUS)
    await store.write(lambda tx: tx.archive_promotion(gone.pk, USER, moment(3)))
    assert await _ids(store, campaign.pk) == [kept.pk]
    assert await store.write(lambda tx: tx.promotion_for_update(campaign.pk, gone.pk)) is None
    assert await store.write(lambda tx: tx.count_promotions(campaign.pk)) == 1
    later = await _add(store, campaign.pk, DOUBLE)
    assert later.pk > gone.pk


async def test_promotions_wait_for_their_archived_campaign(store: Store) -> None:
    account = await make.account(store)
    campaign = await make.campaign(store, account.pk, "C1")
    promotion = await _add(store, campaign.pk, DOUBLE)
    await store.write(lambda tx: tx.archive_campaign(campaign.pk, USER, AT))
    restored = await store.write(lambda tx: tx.restore_campaign(account.pk, "C1"))
    assert restored is not None and restored.campaign.pk == campaign.pk
    assert await _ids(store, campaign.pk) == [promotion.pk]


async def test_the_list_searches_sorts_and_pages(store: Store) -> None:
    account = await make.account(store)
    campaign = await make.campaign(store, account.pk, "C1")
    a = await _add(store, campaign.pk, NewPromotion("x", Decimal("1.5"), "Alpha", "Z", None, None))
    b = await _add(store, campaign.pk, NewPromotion("+", Decimal("100"), "beta bonus", None, None, None))
    c = await _add(store, campaign.pk, NewPromotion("+", Decimal("-20"), "Gamma BONUS_", "A", None, None))
    assert await _ids(store, campaign.pk, match=Match("description", "cn", ("bonus",))) == [b.pk, c.pk]
    assert await _ids(store, campaign.pk, match=Match("description", "ew", ("_",))) == [c.pk]
    assert await _ids(store, campaign.pk, match=Match("operation", "eq", ("+",))) == [b.pk, c.pk]
    assert await _ids(store, campaign.pk, match=Match("amount", "eq", ("1.50",))) == [a.pk]
    assert await _ids(store, campaign.pk, match=Match("amount", "ni", ("100", "-20"))) == [a.pk]
    assert await _ids(store, campaign.pk, sort="amount") == [c.pk, a.pk, b.pk]
    assert await _ids(store, campaign.pk, sort="custom_id", descending=True) == [a.pk, c.pk, b.pk]
    assert await _ids(store, campaign.pk, descending=True) == [c.pk, b.pk, a.pk]
    page = await store.list_promotions(campaign.pk, PromotionQuery(offset=1, limit=1))
    assert ([p.pk for p in page.promotions], page.total) == ([b.pk], 3)


async def test_a_sale_keeps_its_promotion_through_the_archive(store: Store) -> None:
    world = await make.world(store)
    campaign = world.campaign
    promotion = await _add(store, campaign.pk, DOUBLE)
    found = await store.write(lambda tx: tx.promotion_in_account(world.account.pk, promotion.pk))
    assert found == promotion
    other = await make.account(store, "beta")
    assert await store.write(lambda tx: tx.promotion_in_account(other.pk, promotion.pk)) is None
    plain = await make.record(store, make.sale(world, 100))
    promoted = await make.record(store, make.sale(world, 200)._replace(promo_pk=promotion.pk))
    assert plain is not None and promoted is not None
    customer = world.customer.pk

    async def entries(tx: WriteTx) -> list[int | None]:
        found = [await tx.reversible_entry(campaign.pk, customer, r.entry.pk) for r in (plain, promoted)]
        return [None if entry is None else entry.promo_pk for entry in found]

    assert await store.write(entries) == [None, promotion.pk]
    # A deleted promotion leaves its sale as it was; the campaign's archive keeps the mark too.
    await store.write(lambda tx: tx.archive_promotion(promotion.pk, USER, moment(1)))
    assert await store.write(entries) == [None, promotion.pk]
    archived = await store.write(lambda tx: tx.promotion_in_account(world.account.pk, promotion.pk))
    assert archived is not None and archived.archived_at == moment(1)
    await store.write(lambda tx: tx.archive_campaign(campaign.pk, USER, AT))
    assert await store.write(lambda tx: tx.restore_campaign(world.account.pk, campaign.campaign_id)) is not None
    assert await store.write(entries) == [None, promotion.pk]
