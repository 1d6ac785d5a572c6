"""Conversions between PostgreSQL rows and the store's records, and the statements' column lists."""

from __future__ import annotations

import json
from typing import Final, TypeAlias

from asyncpg import Connection, Record
from asyncpg.pool import PoolConnectionProxy

from loyalty_api.store._ledger_sql import custom_fields_from_text
from loyalty_api.store.ledger_models import LedgerEntry
from loyalty_api.store.models import Account, AuditRecord, Campaign, Change, Reward

__all__ = [
    "ledger_entry_from_row",
    "LockedCampaigns",
    "ACCOUNT_COLUMNS",
    "AUDIT_COLUMNS",
    "CAMPAIGN_COLUMNS",
    "LEDGER_COLUMNS",
    "REWARD_COLUMNS",
    "Conn",
    "account_from_row",
    "allowed_set",
    "audit_from_row",
    "campaign_from_row",
    "changes_to_json",
    "reward_from_row",
]

# A connection taken from the pool (reads), or the group-commit writer's own connection (writes).
Conn: TypeAlias = "Connection[Record] | PoolConnectionProxy[Record]"
# The campaign rows a write transaction holds locked, as they now are, by (account pk, campaign id), each with
# whether the lock is exclusive (``FOR UPDATE``) or shared (``FOR SHARE``): see ``PostgresWriteTx``.
LockedCampaigns: TypeAlias = "dict[tuple[int, str], tuple[Record, bool]]"

ACCOUNT_COLUMNS: Final = "a.pk, a.account_id, a.name, a.currency, a.in_coalition, a.in_two_tier"
CAMPAIGN_COLUMNS: Final = (
    "pk, account_pk, campaign_id, type, name, description, points_ratio, reward_ratio, amount_per_event,"
    " coalition_opt_out, two_tier_opt_out, active, latitude, longitude, created_at, updated_at"
)
REWARD_COLUMNS: Final = "pk, campaign_pk, level, description, identifier, created_at, updated_at"
LEDGER_COLUMNS: Final = (
    'pk, account_pk, campaign_pk, customer_pk, at, user_name, amount_cents, purchase_cents, "authorization",'
    " service_product, redeemed, reverses_pk, custom_fields"
)
AUDIT_COLUMNS: Final = "au.pk, au.at, a.account_id, au.user_name, au.entity, au.entity_id, au.action, au.changes::text"


def account_from_row(row: Record) -> Account:
    pk, account_id, name, currency, coalition, two_tier = row[:6]
    return Account(pk, account_id, name, currency, coalition, two_tier)


def campaign_from_row(row: Record) -> Campaign:
    # Columns are named as the record's fields; asyncpg hands out int, str, Decimal (numeric), bool and
    # aware datetimes (timestamptz) as they are.
    return Campaign(**dict(row.items()))


def reward_from_row(row: Record) -> Reward:
    return Reward(
        pk=row["pk"],
        campaign_pk=row["campaign_pk"],
        level=row["level"],
        description=row["description"],
        identifier=row["identifier"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def allowed_set(text: str | None) -> frozenset[str] | None:
    if text is None:
        return None
    return frozenset(part for part in text.split(",") if part)


def changes_to_json(changes: tuple[Change, ...]) -> str:
    return json.dumps([{"field": c.field, "old": c.old, "new": c.new} for c in changes], ensure_ascii=False)


def audit_from_row(row: Record) -> AuditRecord:
    pk, at, account_id, user_name, entity, entity_id, action, changes = tuple(row)
    items = json.loads(changes)
    return AuditRecord(
        id=pk,
        at=at,
        account_id=account_id,
        user_name=user_name,
        entity=entity,
        entity_id=entity_id,
        action=action,
        changes=tuple(Change(i["field"], i["old"], i["new"]) for i in items),
    )


def ledger_entry_from_row(row: Record) -> LedgerEntry:
    """A ledger entry from the columns pk, at, user_name, amount_cents, authorization, service_product, redeemed,
    custom_fields and, when selected, purchase_cents (in that order)."""
    purchase = row[8] if len(row) > 8 else None
    return LedgerEntry(
        int(row[0]),
        row[1],
        str(row[2]),
        int(row[3]),
        str(row[4]),
        str(row[5]),
        bool(row[6]),
        None if purchase is None else int(purchase),
        custom_fields_from_text(row[7]),
    )
