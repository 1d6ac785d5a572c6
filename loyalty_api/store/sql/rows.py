"""Column lists of the tables, and rows read back as the store's records (one mapper per record, both backends)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from loyalty_api.store.ledger_models import LedgerEntry
from loyalty_api.store.models import (
    CUSTOMER_PROFILE_FIELDS,
    Account,
    AuditRecord,
    Campaign,
    Change,
    Customer,
    Reward,
)
from loyalty_api.store.sql.db import Row
from loyalty_api.store.sql.dialect import Dialect

__all__ = [
    "ACCOUNT_COLUMNS",
    "ACCOUNT_WIDTH",
    "CAMPAIGN_COLUMNS",
    "CUSTOMER_COLUMNS",
    "LEDGER_COLUMNS",
    "REWARD_COLUMNS",
    "account_from_row",
    "audit_from_row",
    "audit_columns",
    "campaign_from_row",
    "changes_to_json",
    "columns_of",
    "custom_fields_from_text",
    "custom_fields_text",
    "customer_from_row",
    "ledger_entry_from_row",
    "reward_from_row",
]

#: The account's columns, of the table aliased ``a`` (``ACCOUNT_WIDTH`` of them).
ACCOUNT_COLUMNS: Final = (
    "a.pk, a.account_id, a.name, a.currency, a.in_coalition, a.in_two_tier, a.timezone, a.legacy_ampersand,"
    " a.agency_id, a.agency_name, a.agency_email, a.contact_email"
)
ACCOUNT_WIDTH: Final = 12
CAMPAIGN_COLUMNS: Final = (
    "pk, account_pk, campaign_id, type, name, description, points_ratio, reward_ratio, amount_per_event,"
    " coalition_opt_out, two_tier_opt_out, active, latitude, longitude, created_at, updated_at"
)
REWARD_COLUMNS: Final = "pk, campaign_pk, level, description, identifier, created_at, updated_at"
#: The columns of the ledger (and of ledger_archive, which adds archived_at, archived_by and archived_with).
LEDGER_COLUMNS: Final = (
    'pk, account_pk, campaign_pk, customer_pk, at, user_name, amount_cents, purchase_cents, "authorization",'
    " service_product, redeemed, reverses_pk, custom_fields, promo_pk"
)
#: The columns of the customers table (and of customers_archive, which adds archived_at and archived_by).
CUSTOMER_COLUMNS: Final = ", ".join(
    ("pk", "account_pk", "code", "created_at", "registered", "password_hash", "pin_hash", *CUSTOMER_PROFILE_FIELDS)
)
_CUSTOMER_FIXED: Final = 7  # pk, account_pk, code, created_at, registered, password_hash, pin_hash


def columns_of(alias: str, columns: str) -> str:
    """``columns`` (a list as above) of the table aliased ``alias``: ``c.pk, c.account_pk, ...``."""
    return ", ".join(f"{alias}.{name.strip()}" for name in columns.split(","))


def audit_columns(d: Dialect) -> str:
    """The audit's columns as :func:`audit_from_row` reads them, of ``audit au JOIN accounts a``."""
    changes = d.json_text.format("au.changes")
    return f"au.pk, au.at, a.account_id, au.user_name, au.entity, au.entity_id, au.action, {changes}"


def account_from_row(row: Row) -> Account:
    """An account from the first ``ACCOUNT_WIDTH`` columns of ``row`` (``ACCOUNT_COLUMNS``)."""
    pk, account_id, name, currency, coalition, two_tier, timezone, legacy, agency, agency_name, agency_email, email = (
        row[:ACCOUNT_WIDTH]
    )
    return Account(
        int(pk),
        str(account_id),
        str(name),
        str(currency),
        bool(coalition),
        bool(two_tier),
        str(timezone),
        bool(legacy),
        str(agency),
        str(agency_name),
        str(agency_email),
        str(email),
    )


def campaign_from_row(d: Dialect, row: Row) -> Campaign:
    (pk, account_pk, campaign_id, type_, name, description, points, reward, per_event, c_opt, t_opt, active, lat, lon,
     created, updated) = row  # fmt: skip
    decimal = d.decimal
    return Campaign(
        pk=int(pk),
        account_pk=int(account_pk),
        campaign_id=str(campaign_id),
        type=str(type_),
        name=str(name),
        description=None if description is None else str(description),
        points_ratio=decimal(points),
        reward_ratio=decimal(reward),
        amount_per_event=decimal(per_event),
        coalition_opt_out=bool(c_opt),
        two_tier_opt_out=bool(t_opt),
        active=bool(active),
        latitude=decimal(lat),
        longitude=decimal(lon),
        created_at=d.time(created),
        updated_at=d.time(updated),
    )


def reward_from_row(d: Dialect, row: Row) -> Reward:
    pk, campaign_pk, level, description, identifier, created, updated = row
    return Reward(
        pk=int(pk),
        campaign_pk=int(campaign_pk),
        level=int(level),
        description=str(description),
        identifier=None if identifier is None else str(identifier),
        created_at=d.time(created),
        updated_at=d.time(updated),
    )


def customer_from_row(d: Dialect, row: Row) -> Customer:
    pk, account_pk, code, created, registered, password_hash, pin_hash = row[:_CUSTOMER_FIXED]
    values = row[_CUSTOMER_FIXED:]
    return Customer(
        pk=int(pk),
        account_pk=int(account_pk),
        code=str(code),
        profile={
            name: "" if value is None else str(value)
            for name, value in zip(CUSTOMER_PROFILE_FIELDS, values, strict=True)
        },
        registered=bool(registered),
        created_at=d.time(created),
        password_hash=None if password_hash is None else str(password_hash),
        pin_hash=None if pin_hash is None else str(pin_hash),
    )


def changes_to_json(changes: tuple[Change, ...]) -> str:
    return json.dumps([{"field": c.field, "old": c.old, "new": c.new} for c in changes], ensure_ascii=False)


def audit_from_row(d: Dialect, row: Row) -> AuditRecord:
    pk, at, account_id, user_name, entity, entity_id, action, changes = row
    items = json.loads(str(changes))
    return AuditRecord(
        id=int(pk),
        at=d.time(at),
        account_id=str(account_id),
        user_name=str(user_name),
        entity=str(entity),
        entity_id=str(entity_id),
        action=str(action),
        changes=tuple(Change(i["field"], i["old"], i["new"]) for i in items),
    )


def ledger_entry_from_row(d: Dialect, row: Row) -> LedgerEntry:
    """A ledger entry from the columns pk, at, user_name, amount_cents, authorization, service_product, redeemed,
    custom_fields and, when selected, purchase_cents and promo_pk (in that order)."""
    pk, at, user, amount, auth, product, redeemed, custom = row[:8]
    purchase = row[8] if len(row) > 8 else None
    promo = row[9] if len(row) > 9 else None
    return LedgerEntry(
        int(pk),
        d.time(at),
        str(user),
        int(amount),
        str(auth),
        str(product),
        bool(redeemed),
        None if purchase is None else int(purchase),
        custom_fields_from_text(custom),
        None if promo is None else int(promo),
    )


def custom_fields_text(fields: Mapping[str, str]) -> str | None:
    """The ``custom_fields`` column of an entry: its transaction custom fields as one JSON object, NULL for none."""
    return json.dumps(dict(fields), ensure_ascii=False, separators=(",", ":")) if fields else None


def custom_fields_from_text(text: Any) -> dict[str, str]:
    """The transaction custom fields of a ``custom_fields`` column (in the order they were written)."""
    if text is None:
        return {}
    loaded = json.loads(str(text))
    assert isinstance(loaded, dict), text
    return {str(name): str(value) for name, value in loaded.items()}
