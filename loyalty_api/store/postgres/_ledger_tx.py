"""Write-transaction operations on the ledger (PostgreSQL).

:class:`LedgerTxMixin` is mixed into ``PostgresWriteTx``.  Entries are appended under a share lock of the
campaign row (``campaign_for_entries``) and, for the customer's balance, the customer row's lock
(``customer_for_update``) that the caller takes first: two redemptions of one customer queue one behind the other
and the second reads the balances the first committed (READ COMMITTED reads anew at each statement).

Every entry appended here (and by ``enrol_customer`` and ``PostgresStore.add_ledger_entry``) updates its running
balance in the same transaction with one ``INSERT ... ON CONFLICT DO UPDATE``: the row's lock queues two
transactions adding to one (campaign, customer, item), and the second adds to what the first committed.
"""

from __future__ import annotations

from typing import Final

import asyncpg

from loyalty_api.store._ledger_sql import (
    balance_upsert,
    cumulative_change,
    custom_fields_text,
)
from loyalty_api.store.ledger_models import (
    AppendedEntry,
    CustomerCard,
    LedgerEntry,
    LedgerSums,
    NewLedgerEntry,
    NewSale,
    RecordedSale,
)
from loyalty_api.store.models import Campaign
from loyalty_api.store.postgres._rows import (
    CAMPAIGN_COLUMNS,
    Conn,
    LockedCampaigns,
    campaign_from_row,
    ledger_entry_from_row,
)

__all__ = ["RECORD_SALE", "LedgerTxMixin", "add_to_balance", "record_sale_args", "recorded_sale"]

_CAMPAIGN_FOR_ENTRIES: Final = (
    f"SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE account_pk = $1 AND campaign_id = $2 FOR SHARE"
)
# The running balances (migration 0005): of one item, or of all the customer's rows in the campaign.
_SUMS: Final = (
    "SELECT coalesce(sum(balance_cents), 0)::bigint, coalesce(sum(cumulative_cents), 0)::bigint"
    " FROM ledger_balances WHERE campaign_pk = $1 AND customer_pk = $2"
)
_ITEM_SUMS: Final = (
    "SELECT balance_cents, cumulative_cents FROM ledger_balances"
    " WHERE campaign_pk = $1 AND customer_pk = $2 AND service_product = $3"
)
_UPSERT: Final = balance_upsert(lambda n: f"${n}")
# The entry, its running balance and the sums after it in one statement (one round trip); $12 is the cumulative
# change.  ``others`` reads the statement's snapshot, which the upsert's change is not in: the customer's other rows
# in the campaign, which this statement leaves as they are.
_INSERT: Final = (
    "WITH added AS (INSERT INTO ledger (account_pk, campaign_pk, customer_pk, at, user_name, amount_cents,"
    ' purchase_cents, "authorization", service_product, redeemed, reverses_pk, custom_fields)'
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $13) RETURNING pk), balance AS ("
    + balance_upsert(lambda n: ("$1", "$2", "$3", "$9", "$6", "$12")[n - 1])
    + " RETURNING balance_cents, cumulative_cents),"
    " others AS (SELECT coalesce(sum(balance_cents), 0)::bigint AS b, coalesce(sum(cumulative_cents), 0)::bigint AS c"
    " FROM ledger_balances WHERE campaign_pk = $2 AND customer_pk = $3 AND service_product <> $9)"
    " SELECT added.pk, balance.balance_cents, balance.cumulative_cents,"
    " others.b + balance.balance_cents, others.c + balance.cumulative_cents FROM added, balance, others"
)

#: The function of migration 0008: the whole of a sale in one round trip, answering one row (see the migration).
RECORD_SALE: Final = "SELECT * FROM record_sale($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"

_REVERSIBLE: Final = (
    'SELECT l.pk, l.at, l.user_name, l.amount_cents, l."authorization", l.service_product, l.redeemed,'
    " l.custom_fields, l.purchase_cents FROM ledger l WHERE l.pk = $1 AND l.campaign_pk = $2 AND l.customer_pk = $3"
    " AND l.reverses_pk IS NULL AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses_pk = l.pk)"
)


async def add_to_balance(
    conn: Conn,
    account_pk: int,
    campaign_pk: int,
    customer_pk: int,
    service_product: str,
    amount_cents: int,
    reverses_pk: int | None,
) -> None:
    """Add a new entry to its running balance (call it with every ledger insert, in the same transaction)."""
    change = cumulative_change(amount_cents, reverses_pk)
    await conn.execute(_UPSERT, account_pk, campaign_pk, customer_pk, service_product, amount_cents, change)


def record_sale_args(sale: NewSale, lock_timeout: str | None = None) -> tuple[object, ...]:
    """The arguments of :data:`RECORD_SALE` for ``sale``; ``lock_timeout``: set it for the rest of the transaction
    after the sale."""
    return (
        sale.account_pk,
        sale.customer_key,
        sale.customer_value,
        sale.campaign_pk,
        sale.at,
        sale.user_name,
        sale.amount_cents,
        sale.purchase_cents,
        sale.authorization,
        sale.service_product,
        custom_fields_text(sale.custom_fields),
        lock_timeout,
    )


def recorded_sale(row: asyncpg.Record | None) -> RecordedSale | None:
    """The row :data:`RECORD_SALE` answered, None when it names no customer (nothing was written)."""
    if row is None or row[0] is None:
        return None
    customer_pk, code, card_number, first_name, last_name, entry_pk, item_b, item_c, balance, cumulative = row
    return RecordedSale(
        CustomerCard(int(customer_pk), str(code), card_number or "", str(first_name), str(last_name)),
        AppendedEntry(
            int(entry_pk),
            item=LedgerSums(int(item_b), int(item_c)),
            total=LedgerSums(int(balance), int(cumulative)),
        ),
    )


class LedgerTxMixin:
    __slots__ = ()
    conn: Conn
    locked_campaigns: LockedCampaigns  # see PostgresWriteTx

    async def campaign_for_entries(self, account_pk: int, campaign_id: str) -> Campaign | None:
        key = (account_pk, campaign_id)
        locked = self.locked_campaigns.get(key)  # a row this batch holds locked, shared or exclusive, is as cached
        if locked is not None:
            return campaign_from_row(locked[0])
        row = await self.conn.fetchrow(_CAMPAIGN_FOR_ENTRIES, account_pk, campaign_id)
        if row is None:
            return None
        self.locked_campaigns[key] = (row, False)
        return campaign_from_row(row)

    async def append_ledger_entry(self, entry: NewLedgerEntry) -> AppendedEntry:
        row = await self.conn.fetchrow(
            _INSERT,
            entry.account_pk,
            entry.campaign_pk,
            entry.customer_pk,
            entry.at,
            entry.user_name,
            entry.amount_cents,
            entry.purchase_cents,
            entry.authorization,
            entry.service_product,
            entry.redeemed,
            entry.reverses_pk,
            cumulative_change(entry.amount_cents, entry.reverses_pk),
            custom_fields_text(entry.custom_fields),
        )
        assert row is not None
        return AppendedEntry(
            int(row[0]),
            item=LedgerSums(balance_cents=int(row[1]), cumulative_cents=int(row[2])),
            total=LedgerSums(balance_cents=int(row[3]), cumulative_cents=int(row[4])),
        )

    async def record_sale(self, sale: NewSale) -> RecordedSale | None:
        return recorded_sale(await self.conn.fetchrow(RECORD_SALE, *record_sale_args(sale)))

    async def ledger_sums(self, campaign_pk: int, customer_pk: int, service_product: str | None) -> LedgerSums:
        if service_product is None:
            row = await self.conn.fetchrow(_SUMS, campaign_pk, customer_pk)
        else:
            row = await self.conn.fetchrow(_ITEM_SUMS, campaign_pk, customer_pk, service_product)
        if row is None:  # no entry of that item yet
            return LedgerSums(balance_cents=0, cumulative_cents=0)
        return LedgerSums(balance_cents=int(row[0]), cumulative_cents=int(row[1]))

    async def reversible_entry(self, campaign_pk: int, customer_pk: int, entry_pk: int) -> LedgerEntry | None:
        row = await self.conn.fetchrow(_REVERSIBLE, entry_pk, campaign_pk, customer_pk)
        return None if row is None else ledger_entry_from_row(row)
