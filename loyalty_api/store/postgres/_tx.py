"""PostgreSQL's write transaction: the shared operations, and its own way of appending a sale (one call of the
``record_sale`` function of migration 0008, one round trip instead of three).

Entries are appended under a share lock of the campaign row (``campaign_for_entries``) and, for the customer's
balance, the customer row's lock (``customer_for_update``, or the function's) that the caller takes first: two
redemptions of one customer queue one behind the other and the second reads the balances the first committed
(READ COMMITTED reads anew at each statement).  Audit records are not inserted when appended: the group-commit
writer inserts those of its batch's successful jobs with one statement (:func:`insert_audit_rows`) before
``COMMIT``; no write reads the audit.
"""

from __future__ import annotations

from typing import Final

from loyalty_api.store.ledger_models import (
    AppendedEntry,
    CustomerCard,
    LedgerSums,
    NewSale,
    RecordedSale,
    numbered_custom,
)
from loyalty_api.store.models import NewAudit
from loyalty_api.store.postgres._db import Conn, ConnDb
from loyalty_api.store.postgres._dialect import SQL
from loyalty_api.store.sql.campaigns import CampaignRows
from loyalty_api.store.sql.db import Row
from loyalty_api.store.sql.ledger import checked_sums
from loyalty_api.store.sql.rows import changes_to_json, custom_fields_text
from loyalty_api.store.sql.write_tx import SqlWriteTx

__all__ = ["RECORD_SALE", "PostgresWriteTx", "insert_audit_rows", "record_sale_args", "recorded_sale"]

#: The function of migrations 0008 and 0013: the whole of a sale in one round trip, answering one row (see them).
RECORD_SALE: Final = "SELECT * FROM record_sale($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
# The audit rows of a whole batch, in one statement, in the order their jobs appended them (identity order).
_INSERT_AUDIT_ROWS: Final = (
    "INSERT INTO audit (at, account_pk, user_name, entity, entity_id, campaign_id, action, changes)"
    " SELECT at, account_pk, user_name, entity, entity_id, campaign_id, action, changes::jsonb"
    " FROM unnest($1::timestamptz[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],"
    " $8::text[]) WITH ORDINALITY AS r (at, account_pk, user_name, entity, entity_id, campaign_id, action, changes, n)"
    " ORDER BY n"
)


class PostgresWriteTx(SqlWriteTx, statements=SQL):
    """``audit``: where :meth:`append_audit` puts the job's audit records, which the writer inserts once the job has
    succeeded, with those of the rest of its batch (a round trip saved per write)."""

    __slots__ = ("_audit",)
    _db: ConnDb

    def __init__(self, db: ConnDb, campaigns: CampaignRows, audit: list[NewAudit]) -> None:
        super().__init__(db, campaigns)
        self._audit = audit

    async def append_audit(self, entry: NewAudit) -> None:
        self._audit.append(entry)

    async def record_sale(self, sale: NewSale) -> RecordedSale | None:
        args = record_sale_args(sale._replace(promo_pk=None))
        recorded = recorded_sale(await self._db.one(RECORD_SALE, args))
        if recorded is not None and sale.promo_pk is not None:
            await self.mark_promotion(recorded.entry.pk, sale.promo_pk)
        return recorded


def record_sale_args(sale: NewSale, lock_timeout: str | None = None) -> tuple[object, ...]:
    """The arguments of :data:`RECORD_SALE` for ``sale``; ``lock_timeout``: set it for the rest of the transaction
    after the sale.  A sale with a promotion goes through :meth:`PostgresWriteTx.record_sale`, which marks its entry
    (the function does not)."""
    if sale.promo_pk is not None:
        raise ValueError("a sale with a promotion is recorded by PostgresWriteTx.record_sale")
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
        sale.coalition_type,
    )


def recorded_sale(row: Row | None) -> RecordedSale | None:
    """The row :data:`RECORD_SALE` answered, None when it names no customer (nothing was written)."""
    if row is None or row[0] is None:
        return None
    pk, code, card_number, first_name, last_name, phone, email, street1, custom_date, custom = row[:10]
    entry_pk, item_b, item_c, balance, cumulative, coalition = row[10:]
    # Past the limit, BalanceLimit: the writer undoes the job, so nothing of the sale is kept.
    total = checked_sums(balance, cumulative)
    card = CustomerCard(
        int(pk),
        str(code),
        card_number or "",
        str(first_name),
        str(last_name),
        str(phone),
        str(email),
        str(street1),
        custom_date or "",
        numbered_custom(custom),
    )
    entry = AppendedEntry(int(entry_pk), item=LedgerSums(int(item_b), int(item_c)), total=total)
    return RecordedSale(card, entry, None if coalition is None else int(coalition))


async def insert_audit_rows(conn: Conn, entries: list[NewAudit]) -> None:
    """Insert ``entries`` into the audit, in their order, with one statement."""
    await conn.execute(
        _INSERT_AUDIT_ROWS,
        [e.at for e in entries],
        [e.account_pk for e in entries],
        [e.user_name for e in entries],
        [e.entity for e in entries],
        [e.entity_id for e in entries],
        [e.campaign_id for e in entries],
        [e.action for e in entries],
        [changes_to_json(e.changes) for e in entries],
    )
