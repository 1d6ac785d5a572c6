"""Write-transaction operations on the ledger (SQLite).

:class:`LedgerTxMixin` is mixed into ``SqliteWriteTx``.  The whole database is write-locked by the transaction
(BEGIN IMMEDIATE), so balances read here cannot change before it commits.  Every entry appended here (and by
``enrol_customer`` and ``SqliteStore.add_ledger_entry``) updates its running balance (:func:`add_to_balance`) in
the same transaction.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Final

from loyalty_api.store._customer_sql import CUSTOMER_KEY_COLUMNS
from loyalty_api.store._ledger_sql import (
    ACTIVATION,
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
from loyalty_api.store.sqlite._rows import (
    ledger_entry_from_row,
    time_text,
)

__all__ = ["LedgerTxMixin", "add_activation_entry", "add_to_balance"]

# The running balances (migration 0005): of one item, or of all the customer's rows in the campaign.
_SUMS: Final = (
    "SELECT coalesce(sum(balance_cents), 0), coalesce(sum(cumulative_cents), 0)"
    " FROM ledger_balances WHERE campaign_pk = ? AND customer_pk = ?"
)
_ITEM_SUMS: Final = (
    "SELECT balance_cents, cumulative_cents FROM ledger_balances"
    " WHERE campaign_pk = ? AND customer_pk = ? AND service_product = ?"
)
# After an append: the sums of all the customer's rows in the campaign, and of the entry's own row.
_SUMS_AFTER: Final = (
    "SELECT coalesce(sum(balance_cents), 0), coalesce(sum(cumulative_cents), 0),"
    " coalesce(sum(CASE WHEN service_product = ? THEN balance_cents END), 0),"
    " coalesce(sum(CASE WHEN service_product = ? THEN cumulative_cents END), 0)"
    " FROM ledger_balances WHERE campaign_pk = ? AND customer_pk = ?"
)
_UPSERT: Final = balance_upsert(lambda _n: "?")
_UPSERT_RETURNING: Final = _UPSERT + " RETURNING balance_cents, cumulative_cents"
# record_sale's customer, by each key: the receipt's columns, how many running-balance rows they have in the
# campaign (0: not enrolled yet) and the sums of those rows.  Parameters: campaign_pk, account_pk, key value.
_SALE_CUSTOMER: Final = {
    key: "SELECT c.pk, c.code, c.card_number, c.first_name, c.last_name, count(b.customer_pk),"
    " coalesce(sum(b.balance_cents), 0), coalesce(sum(b.cumulative_cents), 0)"
    " FROM customers c LEFT JOIN ledger_balances b ON b.customer_pk = c.pk AND b.campaign_pk = ?"
    f" WHERE c.account_pk = ? AND c.{key} = ? GROUP BY c.pk"
    for key in CUSTOMER_KEY_COLUMNS
}
_INSERT: Final = (
    "INSERT INTO ledger (account_pk, campaign_pk, customer_pk, at, user_name, amount_cents, purchase_cents,"
    ' "authorization", service_product, redeemed, reverses_pk, custom_fields)'
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

_REVERSIBLE: Final = (
    'SELECT l.pk, l.at, l.user_name, l.amount_cents, l."authorization", l.service_product, l.redeemed,'
    " l.custom_fields, l.purchase_cents FROM ledger l WHERE l.pk = ? AND l.campaign_pk = ? AND l.customer_pk = ?"
    " AND l.reverses_pk IS NULL AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses_pk = l.pk)"
)


def add_to_balance(
    conn: sqlite3.Connection,
    account_pk: int,
    campaign_pk: int,
    customer_pk: int,
    service_product: str,
    amount_cents: int,
    reverses_pk: int | None,
) -> None:
    """Add a new entry to its running balance (call it with every ledger insert, in the same transaction)."""
    change = cumulative_change(amount_cents, reverses_pk)
    conn.execute(_UPSERT, (account_pk, campaign_pk, customer_pk, service_product, amount_cents, change))


def add_activation_entry(
    conn: sqlite3.Connection, account_pk: int, campaign_pk: int, customer_pk: int, user_name: str, at: datetime
) -> None:
    """Append the entry that enrols the customer in the campaign (the caller knows they have none there yet)."""
    _insert_entry(
        conn, (account_pk, campaign_pk, customer_pk, time_text(at), user_name, 0, None, *ACTIVATION, 0, None, None)
    )
    add_to_balance(conn, account_pk, campaign_pk, customer_pk, ACTIVATION[1], 0, None)


def _insert_entry(conn: sqlite3.Connection, values: tuple[object, ...]) -> int:
    """Insert a ledger row (the columns of ``_INSERT``, in its order); its pk.  Its running balance is the
    caller's to add."""
    return int(conn.execute(_INSERT, values).lastrowid or 0)


class LedgerTxMixin:
    __slots__ = ()
    _conn: sqlite3.Connection

    async def append_ledger_entry(self, entry: NewLedgerEntry) -> AppendedEntry:
        pk = _insert_entry(
            self._conn,
            (
                entry.account_pk,
                entry.campaign_pk,
                entry.customer_pk,
                time_text(entry.at),
                entry.user_name,
                entry.amount_cents,
                entry.purchase_cents,
                entry.authorization,
                entry.service_product,
                int(entry.redeemed),
                entry.reverses_pk,
                custom_fields_text(entry.custom_fields),
            ),
        )
        add_to_balance(
            self._conn,
            entry.account_pk,
            entry.campaign_pk,
            entry.customer_pk,
            entry.service_product,
            entry.amount_cents,
            entry.reverses_pk,
        )
        product = entry.service_product
        row = self._conn.execute(_SUMS_AFTER, (product, product, entry.campaign_pk, entry.customer_pk)).fetchone()
        return AppendedEntry(
            pk,
            item=LedgerSums(balance_cents=int(row[2]), cumulative_cents=int(row[3])),
            total=LedgerSums(balance_cents=int(row[0]), cumulative_cents=int(row[1])),
        )

    async def record_sale(self, sale: NewSale) -> RecordedSale | None:
        conn, account_pk = self._conn, sale.account_pk
        found = conn.execute(_SALE_CUSTOMER[sale.customer_key], (sale.campaign_pk, account_pk, sale.customer_value))
        found = found.fetchone()
        if found is None:
            return None
        customer_pk, code, card_number, first_name, last_name, rows, balance, cumulative = found
        campaign_pk, amount, product = sale.campaign_pk, sale.amount_cents, sale.service_product
        if not rows:  # the customer's first entry in the campaign: the activation entry goes first
            add_activation_entry(conn, account_pk, campaign_pk, customer_pk, sale.user_name, sale.at)
        entry_pk = _insert_entry(
            conn,
            (
                account_pk,
                campaign_pk,
                customer_pk,
                time_text(sale.at),
                sale.user_name,
                amount,
                sale.purchase_cents,
                sale.authorization,
                product,
                0,
                None,
                custom_fields_text(sale.custom_fields),
            ),
        )
        change = cumulative_change(amount, None)
        item = conn.execute(_UPSERT_RETURNING, (account_pk, campaign_pk, customer_pk, product, amount, change))
        item_balance, item_cumulative = item.fetchone()
        # The database is write-locked since the customer was read: the sums after are those before plus this entry.
        entry = AppendedEntry(
            entry_pk,
            item=LedgerSums(int(item_balance), int(item_cumulative)),
            total=LedgerSums(int(balance) + amount, int(cumulative) + change),
        )
        card = CustomerCard(int(customer_pk), str(code), card_number or "", str(first_name), str(last_name))
        return RecordedSale(card, entry)

    async def ledger_sums(self, campaign_pk: int, customer_pk: int, service_product: str | None) -> LedgerSums:
        if service_product is None:
            row = self._conn.execute(_SUMS, (campaign_pk, customer_pk)).fetchone()
        else:
            row = self._conn.execute(_ITEM_SUMS, (campaign_pk, customer_pk, service_product)).fetchone()
        if row is None:  # no entry of that item yet
            return LedgerSums(balance_cents=0, cumulative_cents=0)
        return LedgerSums(balance_cents=int(row[0]), cumulative_cents=int(row[1]))

    async def reversible_entry(self, campaign_pk: int, customer_pk: int, entry_pk: int) -> LedgerEntry | None:
        row = self._conn.execute(_REVERSIBLE, (entry_pk, campaign_pk, customer_pk)).fetchone()
        if row is None:
            return None
        return ledger_entry_from_row(row)
