"""The SQL of the ledger reads and of the running balances, for every backend: ``p(n)`` gives the n-th (1-based)
placeholder of the dialect.

Parameters of the reads: 1 campaign_pk, 2 customer_pk (and 3 the limit of the entries query).  An entry is *shown*
unless it is a reversal or has been reversed.

``ledger_balances`` (migration 0005) holds one row per (campaign, customer, service_product) of the live ledger:
the sum of the amounts and the cumulative sum (:data:`CUMULATIVE_SUM`) of those entries, kept up to date by every
append in the same transaction (docs/ledger.md, "Running balances").
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from loyalty_api.store.ledger_models import BalanceMismatch, LedgerSums

__all__ = [
    "ACTIVATION",
    "ALL_BALANCES_FROM_LEDGER",
    "BALANCE_MISMATCHES",
    "CUMULATIVE_SUM",
    "LedgerReadSql",
    "balance_mismatch",
    "balance_upsert",
    "custom_fields_from_text",
    "custom_fields_text",
    "cumulative_change",
    "ledger_read_sql",
    "rebuild_balances",
]

#: The ``authorization`` and ``service_product`` of the entry that enrols a customer in a campaign (amount 0).
ACTIVATION: Final = ("Account Activated.", "Activation")
#: The cumulative balance over the entries ``l``: the positive entries, less the reversals of positive entries.
CUMULATIVE_SUM = (
    "sum(CASE WHEN l.reverses_pk IS NULL AND l.amount_cents > 0 THEN l.amount_cents"
    " WHEN l.reverses_pk IS NOT NULL AND l.amount_cents < 0 THEN l.amount_cents ELSE 0 END)"
)
_GROUP_SUMS = (
    "SELECT min(l.account_pk), l.campaign_pk, l.customer_pk, l.service_product, sum(l.amount_cents),"
    f" {CUMULATIVE_SUM} FROM ledger l"
)
_BALANCE_COLUMNS = "account_pk, campaign_pk, customer_pk, service_product, balance_cents, cumulative_cents"
_SAME_KEY = "b.campaign_pk = s.campaign_pk AND b.customer_pk = s.customer_pk AND b.service_product = s.service_product"
#: Fill an empty ``ledger_balances`` from the whole ledger (what migration 0005 does; bench/bigstore.py after bulk
#: inserts).
ALL_BALANCES_FROM_LEDGER = (
    f"INSERT INTO ledger_balances ({_BALANCE_COLUMNS}) {_GROUP_SUMS}"
    " GROUP BY l.campaign_pk, l.customer_pk, l.service_product"
)
#: Every difference between ``ledger_balances`` and the ledger's own sums: (campaign_pk, customer_pk,
#: service_product, ledger balance, ledger cumulative, running balance, running cumulative), the ledger's pair NULL
#: for a row of ``ledger_balances`` that has no entries, the running pair NULL for entries that have no row.
BALANCE_MISMATCHES = (
    "WITH s AS (SELECT l.campaign_pk, l.customer_pk, l.service_product, sum(l.amount_cents) AS balance,"
    f" {CUMULATIVE_SUM} AS cumulative FROM ledger l GROUP BY l.campaign_pk, l.customer_pk, l.service_product)"
    " SELECT s.campaign_pk, s.customer_pk, s.service_product, s.balance, s.cumulative,"
    f" b.balance_cents, b.cumulative_cents FROM s LEFT JOIN ledger_balances b ON {_SAME_KEY}"
    " WHERE b.campaign_pk IS NULL OR b.balance_cents <> s.balance OR b.cumulative_cents <> s.cumulative"
    " UNION ALL SELECT b.campaign_pk, b.customer_pk, b.service_product, NULL, NULL, b.balance_cents,"
    " b.cumulative_cents FROM ledger_balances b WHERE NOT EXISTS (SELECT 1 FROM ledger l"
    " WHERE l.campaign_pk = b.campaign_pk AND l.customer_pk = b.customer_pk AND l.service_product = b.service_product)"
    " ORDER BY 1, 2, 3"
)
_SHOWN = "l.reverses_pk IS NULL AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses_pk = l.pk)"


@dataclass(frozen=True, slots=True)
class LedgerReadSql:
    sums: str  # service_product, balance, cumulative (the running balances)
    entries: str  # pk, at, user_name, amount_cents, authorization, service_product, redeemed, custom_fields
    summary: str  # shown count, last transaction time, last redemption time
    item_names: str  # pk, description of the campaign's items, live and archived


def ledger_read_sql(p: Callable[[int], str]) -> LedgerReadSql:
    of_customer = f"l.campaign_pk = {p(1)} AND l.customer_pk = {p(2)}"
    return LedgerReadSql(
        sums=(
            "SELECT service_product, balance_cents, cumulative_cents FROM ledger_balances"
            f" WHERE campaign_pk = {p(1)} AND customer_pk = {p(2)}"
        ),
        entries=(
            'SELECT l.pk, l.at, l.user_name, l.amount_cents, l."authorization", l.service_product, l.redeemed,'
            f" l.custom_fields FROM ledger l WHERE {of_customer} AND {_SHOWN} ORDER BY l.pk DESC LIMIT {p(3)}"
        ),
        summary=(
            "SELECT count(*), max(CASE WHEN l.service_product <> 'Activation' THEN l.at END),"
            f" max(CASE WHEN l.redeemed THEN l.at END) FROM ledger l WHERE {of_customer} AND {_SHOWN}"
        ),
        item_names=(
            f"SELECT pk, description FROM rewards WHERE campaign_pk = {p(1)}"
            f" UNION ALL SELECT pk, description FROM rewards_archive WHERE campaign_pk = {p(1)}"
        ),
    )


def cumulative_change(amount_cents: int, reverses_pk: int | None) -> int:
    """What one entry adds to the cumulative balance: the rule of :data:`CUMULATIVE_SUM` for a single entry."""
    if reverses_pk is None:
        return max(amount_cents, 0)
    return min(amount_cents, 0)


def balance_upsert(p: Callable[[int], str]) -> str:
    """Add an entry to its running balance, creating the row at its first entry: one atomic statement, so two
    transactions appending for one (campaign, customer, item) queue on the row and neither loses its addition.
    Parameters: 1 account_pk, 2 campaign_pk, 3 customer_pk, 4 service_product, 5 amount, 6 cumulative change."""
    return (
        f"INSERT INTO ledger_balances ({_BALANCE_COLUMNS}) VALUES ({p(1)}, {p(2)}, {p(3)}, {p(4)}, {p(5)}, {p(6)})"
        " ON CONFLICT (campaign_pk, customer_pk, service_product) DO UPDATE SET"
        " balance_cents = ledger_balances.balance_cents + excluded.balance_cents,"
        " cumulative_cents = ledger_balances.cumulative_cents + excluded.cumulative_cents"
    )


def rebuild_balances(column: str, p: Callable[[int], str]) -> tuple[str, str]:
    """The two statements that make the running balances of one campaign or customer (``column``
    ``campaign_pk`` or ``customer_pk``, parameter 1 its pk) the sums of its live entries again: delete its rows,
    then insert them from the ledger.  Used when entries come back from the archive."""
    if column not in ("campaign_pk", "customer_pk"):
        raise ValueError(f"not a ledger_balances key: {column}")
    return (
        f"DELETE FROM ledger_balances WHERE {column} = {p(1)}",
        f"INSERT INTO ledger_balances ({_BALANCE_COLUMNS}) {_GROUP_SUMS} WHERE l.{column} = {p(1)}"
        " GROUP BY l.campaign_pk, l.customer_pk, l.service_product",
    )


def balance_mismatch(row: Sequence[object]) -> BalanceMismatch:
    """A row of :data:`BALANCE_MISMATCHES` (either backend's) as a :class:`BalanceMismatch`."""
    campaign_pk, customer_pk, product, balance, cumulative, running, running_cumulative = row
    return BalanceMismatch(
        campaign_pk=_whole(campaign_pk),
        customer_pk=_whole(customer_pk),
        service_product=str(product),
        ledger=None if balance is None else LedgerSums(_whole(balance), _whole(cumulative)),
        running=None if running is None else LedgerSums(_whole(running), _whole(running_cumulative)),
    )


def _whole(value: object) -> int:
    """A whole number from the database (PostgreSQL's sum of bigints is a numeric, a Decimal)."""
    if isinstance(value, int | Decimal):
        return int(value)
    raise TypeError(f"not a whole number: {value!r}")


def custom_fields_text(fields: Mapping[str, str]) -> str | None:
    """The ``custom_fields`` column of an entry: its transaction custom fields as one JSON object, NULL for none."""
    return json.dumps(dict(fields), ensure_ascii=False, separators=(",", ":")) if fields else None


def custom_fields_from_text(text: str | None) -> dict[str, str]:
    """The transaction custom fields of a ``custom_fields`` column (in the order they were written)."""
    if text is None:
        return {}
    loaded = json.loads(text)
    assert isinstance(loaded, dict), text
    return {str(name): str(value) for name, value in loaded.items()}
