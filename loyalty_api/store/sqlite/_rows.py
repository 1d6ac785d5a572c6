"""Conversions between SQLite rows and the store's records."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from loyalty_api.store._ledger_sql import custom_fields_from_text
from loyalty_api.store.ledger_models import LedgerEntry
from loyalty_api.store.models import Account, AuditRecord, Campaign, Change

__all__ = [
    "ledger_entry_from_row",
    "ACCOUNT_COLUMNS",
    "CAMPAIGN_COLUMNS",
    "account_from_row",
    "audit_from_row",
    "campaign_from_row",
    "changes_to_json",
    "db_value",
    "dec",
    "parse_time",
    "time_text",
]

ACCOUNT_COLUMNS = "a.pk, a.account_id, a.name, a.currency, a.in_coalition, a.in_two_tier"
CAMPAIGN_COLUMNS = (
    "pk, account_pk, campaign_id, type, name, description, points_ratio, reward_ratio, amount_per_event,"
    " coalition_opt_out, two_tier_opt_out, active, latitude, longitude, created_at, updated_at"
)


def time_text(moment: datetime) -> str:
    """``2026-11-23T10:55:00.123456Z``: UTC, microseconds, sorts as text."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def dec(text: Any) -> Decimal | None:
    return None if text is None else Decimal(text)


def db_value(value: object) -> object:
    """A Python value as SQLite stores it (decimals as exact text, booleans as 0/1)."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return time_text(value)
    return value


def account_from_row(row: Any) -> Account:
    pk, account_id, name, currency, coalition, two_tier = row[:6]
    return Account(int(pk), str(account_id), str(name), str(currency), bool(coalition), bool(two_tier))


def campaign_from_row(row: Any) -> Campaign:
    (pk, account_pk, campaign_id, type_, name, description, points, reward, per_event, c_opt, t_opt, active, lat, lon,
     created, updated) = row  # fmt: skip
    return Campaign(
        pk=int(pk),
        account_pk=int(account_pk),
        campaign_id=str(campaign_id),
        type=str(type_),
        name=str(name),
        description=None if description is None else str(description),
        points_ratio=dec(points),
        reward_ratio=dec(reward),
        amount_per_event=dec(per_event),
        coalition_opt_out=bool(c_opt),
        two_tier_opt_out=bool(t_opt),
        active=bool(active),
        latitude=dec(lat),
        longitude=dec(lon),
        created_at=parse_time(str(created)),
        updated_at=parse_time(str(updated)),
    )


def changes_to_json(changes: tuple[Change, ...]) -> str:
    return json.dumps([{"field": c.field, "old": c.old, "new": c.new} for c in changes], ensure_ascii=False)


def audit_from_row(row: Any) -> AuditRecord:
    pk, at, account_id, user_name, entity, entity_id, action, changes = row
    items = json.loads(str(changes))
    return AuditRecord(
        id=int(pk),
        at=parse_time(str(at)),
        account_id=str(account_id),
        user_name=str(user_name),
        entity=str(entity),
        entity_id=str(entity_id),
        action=str(action),
        changes=tuple(Change(i["field"], i["old"], i["new"]) for i in items),
    )


def ledger_entry_from_row(row: Any) -> LedgerEntry:
    """A ledger entry from the columns pk, at, user_name, amount_cents, authorization, service_product, redeemed,
    custom_fields and, when selected, purchase_cents (in that order)."""
    pk, at, user, amount, auth, product, redeemed, custom = row[:8]
    purchase = row[8] if len(row) > 8 else None
    return LedgerEntry(
        int(pk),
        parse_time(str(at)),
        str(user),
        int(amount),
        str(auth),
        str(product),
        bool(redeemed),
        None if purchase is None else int(purchase),
        custom_fields_from_text(custom),
    )
