"""Row conversion for customers (SQLite)."""

from __future__ import annotations

from typing import Any, Final

from loyalty_api.store._customer_sql import CUSTOMER_COLUMNS
from loyalty_api.store.models import CUSTOMER_PROFILE_FIELDS, Customer
from loyalty_api.store.sqlite._rows import parse_time

__all__ = ["CUSTOMER_COLUMNS", "customer_from_row"]

_FIXED: Final = 7  # pk, account_pk, code, created_at, registered, password_hash, pin_hash


def customer_from_row(row: Any) -> Customer:
    pk, account_pk, code, created, registered, password_hash, pin_hash = row[:_FIXED]
    values = row[_FIXED:]
    return Customer(
        pk=int(pk),
        account_pk=int(account_pk),
        code=str(code),
        profile={
            name: "" if value is None else str(value)
            for name, value in zip(CUSTOMER_PROFILE_FIELDS, values, strict=True)
        },
        registered=bool(registered),
        created_at=parse_time(str(created)),
        password_hash=None if password_hash is None else str(password_hash),
        pin_hash=None if pin_hash is None else str(pin_hash),
    )
