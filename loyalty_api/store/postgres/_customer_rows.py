"""Row conversion for customers (PostgreSQL)."""

from __future__ import annotations

from asyncpg import Record

from loyalty_api.store.models import CUSTOMER_PROFILE_FIELDS, Customer

__all__ = ["customer_from_row"]


def customer_from_row(row: Record) -> Customer:
    return Customer(
        pk=row["pk"],
        account_pk=row["account_pk"],
        code=row["code"],
        profile={name: row[name] or "" for name in CUSTOMER_PROFILE_FIELDS},
        registered=row["registered"],
        created_at=row["created_at"],
        password_hash=row["password_hash"],
        pin_hash=row["pin_hash"],
    )
