"""SQLite's spelling of the shared SQL, and how its values are kept: moments as sortable UTC text
(``2026-11-23T10:55:00.123456Z``), decimals as exact text, booleans as 0/1."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final

from loyalty_api.store.sql.dialect import Dialect
from loyalty_api.store.sql.statements import Statements

__all__ = ["FOLD_FUNCTION", "SQL", "SQLITE", "db_value", "parse_time", "time_text", "unicode_lower"]

# SQLite's own lower() folds ASCII only; this one, registered on every connection, folds all of Unicode.
FOLD_FUNCTION: Final = "unicode_lower"


def time_text(moment: datetime) -> str:
    """``2026-11-23T10:55:00.123456Z``: UTC, microseconds, sorts as text."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_time(text: Any) -> datetime:
    return datetime.fromisoformat(str(text))


def _decimal(text: Any) -> Decimal | None:
    return None if text is None else Decimal(text)


def db_value(value: Any) -> Any:
    """A Python value as SQLite stores it (decimals as exact text, booleans as 0/1, moments as :func:`time_text`)."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return time_text(value)
    return value


def unicode_lower(value: object) -> str | bytes | int | float | None:
    if isinstance(value, str):
        return value.lower()
    if value is None or isinstance(value, bytes | int | float):
        return value
    return str(value)


SQLITE: Final = Dialect(
    name="sqlite",
    numbered=False,
    fold=FOLD_FUNCTION,
    contains="instr({haystack}, {needle}) > 0",
    number="CAST({} AS REAL)",
    number_text="{}",
    created_stamp="replace(substr(created_at, 1, 19), 'T', ' ')",
    # The write transaction (BEGIN IMMEDIATE) holds the whole database: no row locks to take.
    for_update="",
    for_share="",
    skip_locked="",
    overriding="",
    whole="{}",
    json_text="{}",
    json_value="{}",
    changes_in_cte=False,
    arrays=False,
    # Customers' ids: above every live and archived one (the table is not AUTOINCREMENT).
    next_pk=(
        "(SELECT max(coalesce((SELECT max(pk) FROM {table}), 0),"
        " coalesce((SELECT max(pk) FROM {table}_archive), 0)) + 1)"
    ),
    no_limit=-1,
    at=time_text,
    value=db_value,
    time=parse_time,
    decimal=_decimal,
    update_returns=False,
)
SQL: Final = Statements(SQLITE)
