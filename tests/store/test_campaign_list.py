"""``Store.list_campaigns``: which of an account's campaigns a query matches, in which order, which page of them,
and how many match in all."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

import pytest

from loyalty_api.store import Store
from loyalty_api.store.models import CampaignQuery, Match
from tests.store import _world as make
from tests.store._world import moment

ACTIVE: Final = CampaignQuery(active=True)


async def _campaigns(store: Store) -> int:
    """Six campaigns of ``acme`` created a second apart (C5 inactive), and one of another account; acme's pk."""
    acme, beta = await make.account(store, "acme"), await make.account(store, "beta")
    await make.campaign(store, acme.pk, "C1", at=moment(1), name="alpha", points_ratio=Decimal("1.50"))
    await make.campaign(store, acme.pk, "C2", "events", at=moment(2), name="Beta", coalition_opt_out=True,
                       amount_per_event=Decimal("2"))  # fmt: skip
    await make.campaign(store, acme.pk, "C3", at=moment(3), name="delta", points_ratio=Decimal("10"),
                       two_tier_opt_out=True, description="50% off_all")  # fmt: skip
    await make.campaign(store, acme.pk, "C4", "giftcard", at=moment(4), name="Éclair")
    await make.campaign(store, acme.pk, "C5", "buyx", at=moment(5), name="gamma", active=False)
    await make.campaign(store, acme.pk, "C6", at=moment(6), name="zeta", points_ratio=Decimal("1.5"))
    await make.campaign(store, beta.pk, "X1", at=moment(0), name="alpha")
    return acme.pk


async def _ids(store: Store, account_pk: int, query: CampaignQuery) -> tuple[list[str], int]:
    page = await store.list_campaigns(account_pk, query)
    return [c.campaign_id for c in page.campaigns], page.total


async def test_the_active_or_the_inactive_campaigns_oldest_first(store: Store) -> None:
    acme = await _campaigns(store)
    assert await _ids(store, acme, ACTIVE) == (["C1", "C2", "C3", "C4", "C6"], 5)
    assert await _ids(store, acme, CampaignQuery(active=False)) == (["C5"], 1)
    assert await _ids(store, acme, CampaignQuery(active=True, descending=True)) == (["C6", "C4", "C3", "C2", "C1"], 5)
    page = await store.list_campaigns(acme, ACTIVE)
    assert page.campaigns[0] == await store.get_campaign(acme, "C1")


async def test_a_page_and_the_total_of_all_pages(store: Store) -> None:
    acme = await _campaigns(store)
    assert await _ids(store, acme, CampaignQuery(active=True, offset=1, limit=2)) == (["C2", "C3"], 5)
    assert await _ids(store, acme, CampaignQuery(active=True, offset=3)) == (["C4", "C6"], 5)
    assert await _ids(store, acme, CampaignQuery(active=True, offset=9, limit=2)) == ([], 5)
    assert await _ids(store, acme, CampaignQuery(active=True, limit=0)) == ([], 5)


async def test_the_allowed_ids_types_and_flags_narrow_the_list(store: Store) -> None:
    acme = await _campaigns(store)
    allowed = CampaignQuery(active=True, campaign_ids=frozenset({"C3", "C1", "X1", "C5"}))
    assert await _ids(store, acme, allowed) == (["C1", "C3"], 2)
    assert await _ids(store, acme, CampaignQuery(active=True, campaign_ids=frozenset())) == ([], 0)
    types = CampaignQuery(active=True, types=frozenset({"points", "events"}))
    assert await _ids(store, acme, types) == (["C1", "C2", "C3", "C6"], 4)
    flags = CampaignQuery(active=True, flags=(("coalition_opt_out", False), ("two_tier_opt_out", True)))
    assert await _ids(store, acme, flags) == (["C3"], 1)
    assert await _ids(store, acme, CampaignQuery(active=True, flags=(("coalition_opt_out", True),))) == (["C2"], 1)


# (condition, the campaigns it finds), on the campaigns of _campaigns
MATCHES: Final = [
    (Match("name", "bw", ("AL",)), ["C1"]),
    (Match("name", "eq", ("éCLAIR",)), ["C4"]),  # all of Unicode folds
    (Match("name", "ne", ("beta",)), ["C1", "C3", "C4", "C6"]),
    (Match("name", "in", ("ZETA", "alpha", "nothing")), ["C1", "C6"]),
    (Match("name", "ew", ("TA",)), ["C2", "C3", "C6"]),
    (Match("description", "cn", ("%",)), ["C3"]),  # LIKE's wildcards are plain characters
    (Match("description", "cn", ("f_a",)), ["C3"]),
    (Match("description", "nc", ("_",)), ["C1", "C2", "C4", "C6"]),  # a missing text is empty text
    (Match("points_ratio", "eq", ("1.5",)), ["C1", "C6"]),  # numerically: 1.50 = 1.5
    (Match("points_ratio", "ni", ("1.5", "7")), ["C2", "C3", "C4"]),  # a missing number equals nothing
    (Match("points_ratio", "bw", ("1.5",)), ["C1", "C6"]),  # the stored decimal text
    (Match("points_ratio", "ew", ("50",)), ["C1"]),
    (Match("created_stamp", "eq", ("2026-03-01 12:00:03",)), ["C3"]),
    (Match("campaign_id", "bn", ("c",)), []),
]
# (sort column, descending, the order of the active campaigns)
SORTS: Final = [
    ("name", False, ["C1", "C2", "C3", "C6", "C4"]),  # folded: alpha, beta, delta, zeta, éclair
    ("name", True, ["C4", "C6", "C3", "C2", "C1"]),
    ("points_ratio", False, ["C2", "C4", "C1", "C6", "C3"]),  # missing first, then 1.50 = 1.5 by age, then 10
    ("points_ratio", True, ["C3", "C1", "C6", "C2", "C4"]),
    ("type", False, ["C2", "C4", "C1", "C3", "C6"]),
    ("coalition_opt_out", True, ["C2", "C1", "C3", "C4", "C6"]),
    ("created_stamp", True, ["C6", "C4", "C3", "C2", "C1"]),
]


async def test_a_search_condition_on_one_column(store: Store) -> None:
    acme = await _campaigns(store)
    for match, expected in MATCHES:
        assert await _ids(store, acme, CampaignQuery(active=True, match=match)) == (expected, len(expected)), match


async def test_the_sort_orders(store: Store) -> None:
    acme = await _campaigns(store)
    for sort, descending, expected in SORTS:
        query = CampaignQuery(active=True, sort=sort, descending=descending)
        assert await _ids(store, acme, query) == (expected, 5), (sort, descending)


async def test_unknown_columns_and_operators_are_refused(store: Store) -> None:
    acme = await _campaigns(store)
    for query in (
        CampaignQuery(active=True, sort="account_pk"),
        CampaignQuery(active=True, match=Match("account_pk", "eq", ("1",))),
        CampaignQuery(active=True, match=Match("name", "like", ("a",))),
        CampaignQuery(active=True, match=Match("name", "eq", ("a", "b"))),
        CampaignQuery(active=True, flags=(("active", True),)),
    ):
        with pytest.raises(ValueError):
            await store.list_campaigns(acme, query)
