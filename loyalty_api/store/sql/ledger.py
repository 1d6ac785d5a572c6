"""The ledger: appending entries (and their running balances), sales, reversals, and the reads of a customer's
entries.

Every entry appended here (and by :meth:`CustomerWrites.enrol_customer`) updates its running balance in the same
transaction.  A sale is appended by :meth:`LedgerWrites.record_sale`, which PostgreSQL's write transaction replaces
by one call of its ``record_sale`` function (migration 0008: one round trip instead of three).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Final

from loyalty_api.store.interface import CUSTOMER_KEYS, MAX_SUM_CENTS, BalanceLimit
from loyalty_api.store.ledger_models import (
    AppendedEntry,
    BalanceMismatch,
    CustomerCard,
    CustomerLedger,
    LedgerEntry,
    LedgerSums,
    NewLedgerEntry,
    NewSale,
    RecordedSale,
    numbered_custom,
)
from loyalty_api.store.models import NUMBERED_CUSTOM_FIELDS
from loyalty_api.store.sql.balances import (
    ACTIVATION,
    BALANCE_COLUMNS,
    BALANCE_MISMATCHES,
    BALANCE_UPSERT,
    balance_mismatch,
    cumulative_change,
)
from loyalty_api.store.sql.db import Db, ReadDb, Row
from loyalty_api.store.sql.dialect import Dialect
from loyalty_api.store.sql.rows import custom_fields_text, ledger_entry_from_row

__all__ = ["LedgerReads", "LedgerSql", "LedgerWrites", "add_activation_entry", "checked_sums", "customer_card"]

_ENTRY_COLUMNS: Final = (
    'account_pk, campaign_pk, customer_pk, at, user_name, amount_cents, purchase_cents, "authorization",'
    " service_product, redeemed, reverses_pk, custom_fields"
)
# An entry is *shown* (in balances and transaction lists) unless it is a reversal or has been reversed.
_SHOWN: Final = "l.reverses_pk IS NULL AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses_pk = l.pk)"
# What a receipt shows of its customer (CustomerCard), from customers c.
_CARD_READ: Final = (
    "c.pk, c.code, c.card_number, c.first_name, c.last_name, c.phone, c.email, c.street1, c.custom_date, "
    + ", ".join(f"c.{name}" for name in NUMBERED_CUSTOM_FIELDS)
)
_ENTRY_READ: Final = (
    'l.pk, l.at, l.user_name, l.amount_cents, l."authorization", l.service_product, l.redeemed, l.custom_fields'
)


class LedgerSql:
    """The ledger's statements in one dialect."""

    def __init__(self, d: Dialect) -> None:
        self.d = d
        q = d.sql
        whole = d.whole.format
        self.insert = q(
            f"INSERT INTO ledger ({_ENTRY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING pk"
        )
        self.mark_promotion = q("UPDATE ledger SET promo_pk = ? WHERE pk = ?")
        self.upsert = q(BALANCE_UPSERT)
        self.upsert_returning = q(BALANCE_UPSERT + " RETURNING balance_cents, cumulative_cents")
        of_customer = "campaign_pk = ? AND customer_pk = ?"
        self.sums = q(
            f"SELECT {whole('coalesce(sum(balance_cents), 0)')}, {whole('coalesce(sum(cumulative_cents), 0)')}"
            f" FROM ledger_balances WHERE {of_customer}"
        )
        self.item_sums = q(
            f"SELECT balance_cents, cumulative_cents FROM ledger_balances WHERE {of_customer} AND service_product = ?"
        )
        # After an append: the sums of all the customer's rows in the campaign, and of the entry's own row.
        self.sums_after = q(
            f"SELECT {whole('coalesce(sum(balance_cents), 0)')}, {whole('coalesce(sum(cumulative_cents), 0)')},"
            f" {whole('coalesce(sum(CASE WHEN service_product = ? THEN balance_cents END), 0)')},"
            f" {whole('coalesce(sum(CASE WHEN service_product = ? THEN cumulative_cents END), 0)')}"
            f" FROM ledger_balances WHERE {of_customer}"
        )
        # Where a WITH may insert: the entry, its running balance and the sums after it in one statement.  Parameters
        # as ``insert``'s, then the cumulative change; ``others`` reads the statement's snapshot, which the upsert's
        # change is not in: the customer's other rows in the campaign, which this statement leaves as they are.
        self.append = q(
            f"WITH added AS (INSERT INTO ledger ({_ENTRY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            f" RETURNING pk, account_pk, campaign_pk, customer_pk, service_product, amount_cents),"
            f" balance AS (INSERT INTO ledger_balances ({BALANCE_COLUMNS})"
            " SELECT account_pk, campaign_pk, customer_pk, service_product, amount_cents, ? FROM added"
            " ON CONFLICT (campaign_pk, customer_pk, service_product) DO UPDATE SET"
            " balance_cents = ledger_balances.balance_cents + excluded.balance_cents,"
            " cumulative_cents = ledger_balances.cumulative_cents + excluded.cumulative_cents"
            " RETURNING balance_cents, cumulative_cents),"
            f" others AS (SELECT {whole('coalesce(sum(b.balance_cents), 0)')} AS b,"
            f" {whole('coalesce(sum(b.cumulative_cents), 0)')} AS c FROM ledger_balances b, added"
            " WHERE b.campaign_pk = added.campaign_pk AND b.customer_pk = added.customer_pk"
            " AND b.service_product <> added.service_product)"
            " SELECT added.pk, balance.balance_cents, balance.cumulative_cents,"
            " others.b + balance.balance_cents, others.c + balance.cumulative_cents FROM added, balance, others"
            if d.changes_in_cte
            else ""
        )
        # record_sale's customer, by each key: the receipt's columns, how many running-balance rows they have in the
        # campaign (0: not enrolled yet) and the sums of those rows; ``sale_customer_pooled`` adds their cumulative
        # balance in the coalition before the sale (``coalition_cumulative``'s sum).  Parameters: [campaign type,]
        # campaign_pk, account_pk, key value.
        pooled = (
            f", (SELECT {whole('coalesce(sum(p.cumulative_cents), 0)')} FROM ledger_balances p"
            " JOIN campaigns k ON k.pk = p.campaign_pk WHERE p.customer_pk = c.pk AND k.account_pk = c.account_pk"
            " AND k.type = ? AND NOT k.coalition_opt_out)"
        )
        self.sale_customer = {key: q(_sale_customer(whole, key, "")) for key in CUSTOMER_KEYS}
        self.sale_customer_pooled = {key: q(_sale_customer(whole, key, pooled)) for key in CUSTOMER_KEYS}
        # The customer's cumulative balance in the account's coalition: the sum over the campaigns of one type that
        # have not opted out.  Parameters: customer_pk, account_pk, campaign type.
        self.coalition_cumulative = q(
            f"SELECT {whole('coalesce(sum(b.cumulative_cents), 0)')} FROM ledger_balances b"
            " JOIN campaigns k ON k.pk = b.campaign_pk"
            " WHERE b.customer_pk = ? AND k.account_pk = ? AND k.type = ? AND NOT k.coalition_opt_out"
        )
        self.reversible = q(
            f"SELECT {_ENTRY_READ}, l.purchase_cents, l.promo_pk FROM ledger l WHERE l.pk = ? AND l.campaign_pk = ?"
            f" AND l.customer_pk = ? AND {_SHOWN}"
        )
        of_l = "l.campaign_pk = ? AND l.customer_pk = ?"
        self.read_sums = q(
            f"SELECT service_product, balance_cents, cumulative_cents FROM ledger_balances WHERE {of_customer}"
        )
        self.read_entries = q(
            f"SELECT {_ENTRY_READ} FROM ledger l WHERE {of_l} AND {_SHOWN} ORDER BY l.pk DESC LIMIT ?"
        )
        # How many entries are shown, and the time and amount of the newest shown entry that is no enrolment and of
        # the newest shown redemption (by time, then id): one statement, whatever the length of the list.
        # Parameters: campaign_pk, customer_pk three times.
        newest = f"SELECT l.at, l.amount_cents FROM ledger l WHERE {of_l} AND {_SHOWN} AND {{}}"
        newest += " ORDER BY l.at DESC, l.pk DESC LIMIT 1"
        last_transaction = newest.format("l.service_product <> 'Activation'")
        last_redemption = newest.format("l.redeemed")
        self.read_summary = q(
            "SELECT shown.n, lt.at, lt.amount_cents, lr.at, lr.amount_cents"
            f" FROM (SELECT count(*) AS n FROM ledger l WHERE {of_l} AND {_SHOWN}) shown"
            f" LEFT JOIN ({last_transaction}) lt ON 1 = 1 LEFT JOIN ({last_redemption}) lr ON 1 = 1"
        )
        self.item_names = q(
            "SELECT pk, description FROM rewards WHERE campaign_pk = ?"
            " UNION ALL SELECT pk, description FROM rewards_archive WHERE campaign_pk = ?"
        )
        self.mismatches = q(BALANCE_MISMATCHES)


_CARD_COLUMNS: Final = 9 + len(NUMBERED_CUSTOM_FIELDS)


def _sale_customer(whole: Callable[[str], str], key: str, pooled: str) -> str:
    return (
        f"SELECT {_CARD_READ}, count(b.customer_pk),"
        f" {whole('coalesce(sum(b.balance_cents), 0)')}, {whole('coalesce(sum(b.cumulative_cents), 0)')}{pooled}"
        " FROM customers c LEFT JOIN ledger_balances b ON b.customer_pk = c.pk AND b.campaign_pk = ?"
        f" WHERE c.account_pk = ? AND c.{key} = ? GROUP BY c.pk"
    )


def customer_card(row: Row) -> CustomerCard:
    """The :class:`CustomerCard` of a row that starts with ``_CARD_READ``'s columns."""
    pk, code, card_number, first_name, last_name, phone, email, street1, custom_date = row[:9]
    custom = numbered_custom(row[9:_CARD_COLUMNS])
    return CustomerCard(
        int(pk),
        str(code),
        card_number or "",
        str(first_name),
        str(last_name),
        phone,
        email,
        street1,
        custom_date or "",
        custom,
    )


def checked_sums(balance: object, cumulative: object) -> LedgerSums:
    """A customer's sums in a campaign after an entry, or :class:`BalanceLimit` when either is past
    :data:`MAX_SUM_CENTS` (whatever the sums are: a float where SQLite's integers overflowed)."""
    if not (isinstance(balance, int) and isinstance(cumulative, int)):
        raise BalanceLimit(f"the sums are no longer whole numbers: {balance!r}, {cumulative!r}")
    if abs(balance) > MAX_SUM_CENTS or abs(cumulative) > MAX_SUM_CENTS:
        raise BalanceLimit(f"balance {balance}, cumulative {cumulative}: past {MAX_SUM_CENTS}")
    return LedgerSums(balance, cumulative)


async def add_activation_entry(
    db: Db, sql: LedgerSql, account_pk: int, campaign_pk: int, customer_pk: int, user_name: str, at: datetime
) -> None:
    """Append the entry that enrols the customer in the campaign (the caller knows they have none there yet)."""
    d = sql.d
    values = (account_pk, campaign_pk, customer_pk, d.at(at), user_name, 0, None, *ACTIVATION, d.value(False))
    await db.one(sql.insert, (*values, None, None))
    await db.run(sql.upsert, (account_pk, campaign_pk, customer_pk, ACTIVATION[1], 0, 0))


class LedgerWrites:
    """The ledger's operations of :class:`WriteTx`."""

    __slots__ = ()
    _db: Db
    _ledger_sql: LedgerSql

    async def append_ledger_entry(self, entry: NewLedgerEntry) -> AppendedEntry:
        sql = self._ledger_sql
        d = sql.d
        values = (
            entry.account_pk,
            entry.campaign_pk,
            entry.customer_pk,
            d.at(entry.at),
            entry.user_name,
            entry.amount_cents,
            entry.purchase_cents,
            entry.authorization,
            entry.service_product,
            d.value(entry.redeemed),
            entry.reverses_pk,
            custom_fields_text(entry.custom_fields),
        )
        change = cumulative_change(entry.amount_cents, entry.reverses_pk)
        if sql.append:  # one statement
            row = await self._db.one(sql.append, (*values, change))
            assert row is not None
            pk, item_balance, item_cumulative, balance, cumulative = row
        else:
            pk = await self._db.value(sql.insert, values)
            product = entry.service_product
            await self._db.run(
                sql.upsert,
                (entry.account_pk, entry.campaign_pk, entry.customer_pk, product, entry.amount_cents, change),
            )
            after = await self._db.one(sql.sums_after, (product, product, entry.campaign_pk, entry.customer_pk))
            assert after is not None
            balance, cumulative, item_balance, item_cumulative = after
        # Past the limit the transaction's caller rolls back: nothing of the entry is kept.
        total = checked_sums(balance, cumulative)
        return AppendedEntry(int(pk), item=LedgerSums(int(item_balance), int(item_cumulative)), total=total)

    async def record_sale(self, sale: NewSale) -> RecordedSale | None:
        """The sale in three statements, where the transaction holds the whole database (SQLite): nobody else can
        change the customer's balances between the read and the appends."""
        sql = self._ledger_sql
        d = sql.d
        db = self._db
        account_pk = sale.account_pk
        pool = sale.coalition_type
        key, value = sale.customer_key, sale.customer_value
        if pool is None:
            found = await db.one(sql.sale_customer[key], (sale.campaign_pk, account_pk, value))
        else:
            found = await db.one(sql.sale_customer_pooled[key], (pool, sale.campaign_pk, account_pk, value))
        if found is None:
            return None
        card = customer_card(found)
        customer_pk = card.pk
        rows, balance, cumulative = found[_CARD_COLUMNS : _CARD_COLUMNS + 3]
        campaign_pk, amount, product = sale.campaign_pk, sale.amount_cents, sale.service_product
        change = cumulative_change(amount, None)
        total = checked_sums(balance + amount, cumulative + change)  # refused before anything is written
        if not rows:  # the customer's first entry in the campaign: the activation entry goes first
            await add_activation_entry(db, sql, account_pk, campaign_pk, customer_pk, sale.user_name, sale.at)
        entry_pk = await db.value(
            sql.insert,
            (
                account_pk,
                campaign_pk,
                customer_pk,
                d.at(sale.at),
                sale.user_name,
                amount,
                sale.purchase_cents,
                sale.authorization,
                product,
                d.value(False),
                None,
                custom_fields_text(sale.custom_fields),
            ),
        )
        if sale.promo_pk is not None:
            await self.mark_promotion(int(entry_pk), sale.promo_pk)
        item = await db.one(sql.upsert_returning, (account_pk, campaign_pk, customer_pk, product, amount, change))
        assert item is not None
        # The customer's balances cannot have changed since they were read: the sums after are those before plus
        # this entry.
        entry = AppendedEntry(int(entry_pk), item=LedgerSums(int(item[0]), int(item[1])), total=total)
        # The sale's campaign is one of the pooled ones: the coalition total after it is the one before plus it.
        coalition = None if pool is None else int(found[_CARD_COLUMNS + 3]) + change
        return RecordedSale(card, entry, coalition)

    async def mark_promotion(self, entry_pk: int, promo_pk: int) -> None:
        """Record on the sale's entry which promotion it applied."""
        await self._db.run(self._ledger_sql.mark_promotion, (promo_pk, entry_pk))

    async def coalition_cumulative(self, account_pk: int, customer_pk: int, campaign_type: str) -> int:
        sql = self._ledger_sql
        return int(await self._db.value(sql.coalition_cumulative, (customer_pk, account_pk, campaign_type)))

    async def ledger_sums(self, campaign_pk: int, customer_pk: int, service_product: str | None) -> LedgerSums:
        sql = self._ledger_sql
        if service_product is None:
            row = await self._db.one(sql.sums, (campaign_pk, customer_pk))
        else:
            row = await self._db.one(sql.item_sums, (campaign_pk, customer_pk, service_product))
        if row is None:  # no entry of that item yet
            return LedgerSums(balance_cents=0, cumulative_cents=0)
        return LedgerSums(balance_cents=int(row[0]), cumulative_cents=int(row[1]))

    async def reversible_entry(self, campaign_pk: int, customer_pk: int, entry_pk: int) -> LedgerEntry | None:
        sql = self._ledger_sql
        row = await self._db.one(sql.reversible, (entry_pk, campaign_pk, customer_pk))
        return None if row is None else ledger_entry_from_row(sql.d, row)


class LedgerReads:
    """The ledger's reads of :class:`Store`, each in one snapshot."""

    __slots__ = ()
    _reads: ReadDb
    _ledger_sql: LedgerSql

    async def customer_ledger(self, campaign_pk: int, customer_pk: int, limit: int) -> CustomerLedger:
        sql = self._ledger_sql
        d = sql.d
        of_customer = (campaign_pk, customer_pk)

        async def work(db: Db) -> tuple[list[Row], list[Row], Row | None, list[Row]]:
            sums = await db.all(sql.read_sums, of_customer)
            rows = await db.all(sql.read_entries, (*of_customer, limit))
            summary = await db.one(sql.read_summary, of_customer * 3)
            names = await db.all(sql.item_names, (campaign_pk, campaign_pk))
            return sums, rows, summary, names

        sums, rows, summary, names = await self._reads.read(work)
        assert summary is not None
        count, last_at, last_cents, last_redeemed_at, last_redeemed_cents = summary
        item_sums = {str(row[0]): LedgerSums(int(row[1]), int(row[2])) for row in sums}
        return CustomerLedger(
            has_entries=bool(item_sums),
            sums=LedgerSums(
                sum(s.balance_cents for s in item_sums.values()), sum(s.cumulative_cents for s in item_sums.values())
            ),
            item_sums=item_sums,
            item_names={str(row[0]): str(row[1]) for row in names},
            entries=[ledger_entry_from_row(d, row) for row in rows],
            shown_count=int(count),
            last_transaction_at=None if last_at is None else d.time(last_at),
            last_transaction_cents=0 if last_cents is None else int(last_cents),
            last_redemption_at=None if last_redeemed_at is None else d.time(last_redeemed_at),
            last_redemption_cents=0 if last_redeemed_cents is None else int(last_redeemed_cents),
        )

    async def balance_mismatches(self) -> list[BalanceMismatch]:
        mismatches = self._ledger_sql.mismatches

        async def work(db: Db) -> list[Row]:  # one snapshot of the ledger and the balances
            return await db.all(mismatches)

        return [balance_mismatch(tuple(row)) for row in await self._reads.read(work)]
