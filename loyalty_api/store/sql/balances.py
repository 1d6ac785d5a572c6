"""Running balances (``ledger_balances``, migration 0005): the statements that keep and check them.

One row per (campaign, customer, service_product) of the live ledger holds the sum of those entries' amounts and
their cumulative sum (:data:`CUMULATIVE_SUM`); every append updates its row in the same transaction
(``docs/ledger.md``, "Running balances").
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Final

from loyalty_api.store.interface import MAX_SUM_CENTS
from loyalty_api.store.ledger_models import BalanceMismatch, LedgerSums

__all__ = [
    "ACTIVATION",
    "ALL_BALANCES_FROM_LEDGER",
    "BALANCE_COLUMNS",
    "BALANCE_MISMATCHES",
    "BALANCE_UPSERT",
    "CUMULATIVE_SUM",
    "balance_mismatch",
    "cumulative_change",
    "rebuild_balances",
]

#: The ``authorization`` and ``service_product`` of the entry that enrols a customer in a campaign (amount 0).
ACTIVATION: Final = ("Account Activated.", "Activation")
#: The cumulative balance over the entries ``l``: the positive entries, less the reversals of positive entries.
CUMULATIVE_SUM: Final = (
    "sum(CASE WHEN l.reverses_pk IS NULL AND l.amount_cents > 0 THEN l.amount_cents"
    " WHEN l.reverses_pk IS NOT NULL AND l.amount_cents < 0 THEN l.amount_cents ELSE 0 END)"
)
BALANCE_COLUMNS: Final = "account_pk, campaign_pk, customer_pk, service_product, balance_cents, cumulative_cents"
_GROUP_SUMS: Final = (
    "SELECT min(l.account_pk), l.campaign_pk, l.customer_pk, l.service_product, sum(l.amount_cents),"
    f" {CUMULATIVE_SUM} FROM ledger l"
)
_SAME_KEY: Final = (
    "b.campaign_pk = s.campaign_pk AND b.customer_pk = s.customer_pk AND b.service_product = s.service_product"
)
#: Fill an empty ``ledger_balances`` from the whole ledger (what migration 0005 does; bench/bigstore.py after bulk
#: inserts).
ALL_BALANCES_FROM_LEDGER: Final = (
    f"INSERT INTO ledger_balances ({BALANCE_COLUMNS}) {_GROUP_SUMS}"
    " GROUP BY l.campaign_pk, l.customer_pk, l.service_product"
)
_ENTRY_CUMULATIVE: Final = (
    "CASE WHEN l.reverses_pk IS NULL AND l.amount_cents > 0 THEN l.amount_cents"
    " WHEN l.reverses_pk IS NOT NULL AND l.amount_cents < 0 THEN l.amount_cents ELSE 0 END"
)
# Sums that cannot overflow 64 bits however large the amounts (SQLite's sum() of integers fails when it would):
# the billions and the rest of each amount summed apart, then put together (a REAL on SQLite when the whole is past
# 64 bits: such a row is damaged, and shown).
_SPLIT: Final = 1_000_000_000


def _exact_sum(expression: str) -> str:
    return f"(sum(({expression}) / {_SPLIT}) * {_SPLIT} + sum(({expression}) % {_SPLIT}))"


#: Every difference between ``ledger_balances`` and the ledger's own sums, and every running balance past
#: :data:`~loyalty_api.store.interface.MAX_SUM_CENTS`: (campaign_pk, customer_pk, service_product, ledger balance,
#: ledger cumulative, running balance, running cumulative), the ledger's pair NULL for a row of ``ledger_balances``
#: that has no entries, the running pair NULL for entries that have no row.
BALANCE_MISMATCHES: Final = (
    f"WITH s AS (SELECT l.campaign_pk, l.customer_pk, l.service_product, {_exact_sum('l.amount_cents')} AS balance,"
    f" {_exact_sum(_ENTRY_CUMULATIVE)} AS cumulative FROM ledger l"
    " GROUP BY l.campaign_pk, l.customer_pk, l.service_product)"
    " SELECT s.campaign_pk, s.customer_pk, s.service_product, s.balance, s.cumulative,"
    f" b.balance_cents, b.cumulative_cents FROM s LEFT JOIN ledger_balances b ON {_SAME_KEY}"
    " WHERE b.campaign_pk IS NULL OR b.balance_cents <> s.balance OR b.cumulative_cents <> s.cumulative"
    f" OR abs(b.balance_cents) > {MAX_SUM_CENTS} OR abs(b.cumulative_cents) > {MAX_SUM_CENTS}"
    " UNION ALL SELECT b.campaign_pk, b.customer_pk, b.service_product, NULL, NULL, b.balance_cents,"
    " b.cumulative_cents FROM ledger_balances b WHERE NOT EXISTS (SELECT 1 FROM ledger l"
    " WHERE l.campaign_pk = b.campaign_pk AND l.customer_pk = b.customer_pk AND l.service_product = b.service_product)"
    " ORDER BY 1, 2, 3"
)
#: Add an entry to its running balance, creating the row at its first entry: one atomic statement, so two
#: transactions appending for one (campaign, customer, item) queue on the row and neither loses its addition.
#: Parameters: account_pk, campaign_pk, customer_pk, service_product, amount, cumulative change.
BALANCE_UPSERT: Final = (
    f"INSERT INTO ledger_balances ({BALANCE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (campaign_pk, customer_pk, service_product) DO UPDATE SET"
    " balance_cents = ledger_balances.balance_cents + excluded.balance_cents,"
    " cumulative_cents = ledger_balances.cumulative_cents + excluded.cumulative_cents"
)


def cumulative_change(amount_cents: int, reverses_pk: int | None) -> int:
    """What one entry adds to the cumulative balance: the rule of :data:`CUMULATIVE_SUM` for a single entry."""
    if reverses_pk is None:
        return max(amount_cents, 0)
    return min(amount_cents, 0)


def rebuild_balances(column: str) -> tuple[str, str]:
    """The two statements that make the running balances of one campaign or customer (``column``
    ``campaign_pk`` or ``customer_pk``, the parameter its pk) the sums of its live entries again: delete its rows,
    then insert them from the ledger.  Used when entries come back from the archive."""
    if column not in ("campaign_pk", "customer_pk"):
        raise ValueError(f"not a ledger_balances key: {column}")
    return (
        f"DELETE FROM ledger_balances WHERE {column} = ?",
        f"INSERT INTO ledger_balances ({BALANCE_COLUMNS}) {_GROUP_SUMS} WHERE l.{column} = ?"
        " GROUP BY l.campaign_pk, l.customer_pk, l.service_product",
    )


def balance_mismatch(row: Sequence[object]) -> BalanceMismatch:
    """A row of :data:`BALANCE_MISMATCHES` as a :class:`BalanceMismatch`."""
    campaign_pk, customer_pk, product, balance, cumulative, running, running_cumulative = row
    return BalanceMismatch(
        campaign_pk=_whole(campaign_pk),
        customer_pk=_whole(customer_pk),
        service_product=str(product),
        ledger=None if balance is None else LedgerSums(_whole(balance), _whole(cumulative)),
        running=None if running is None else LedgerSums(_whole(running), _whole(running_cumulative)),
    )


def _whole(value: object) -> int:
    """A whole number from the database (PostgreSQL's sum of bigints is a numeric, a Decimal; a damaged SQLite row,
    or a sum past 64 bits, a float: shown as the whole number nearest to it)."""
    if isinstance(value, int | Decimal | float):
        return int(value)
    raise TypeError(f"not a number: {value!r}")
