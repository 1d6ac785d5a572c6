"""PostgreSQL's spelling of the shared SQL.  asyncpg hands ``timestamptz``, ``numeric`` and ``boolean`` values over
as aware datetimes, Decimals and bools, and takes them so: values pass as they are."""

from __future__ import annotations

from typing import Final

from loyalty_api.store.sql.dialect import Dialect
from loyalty_api.store.sql.statements import Statements

__all__ = ["POSTGRES", "SQL"]

POSTGRES: Final = Dialect(
    name="postgresql",
    numbered=True,
    # lower() folds all of Unicode in a database whose LC_CTYPE is a UTF-8 locale (C.UTF-8, en_US.UTF-8, ...),
    # which docs/postgres.md asks for.
    fold="lower",
    contains="strpos({haystack}, {needle}) > 0",
    number="CAST({} AS numeric)",  # exact, like the stored values
    number_text="CAST({} AS text)",  # the stored decimal text: numeric keeps the scale it was given ("100.50")
    created_stamp="to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')",
    for_update=" FOR UPDATE",
    for_share=" FOR SHARE",
    skip_locked=" FOR UPDATE SKIP LOCKED",
    overriding=" OVERRIDING SYSTEM VALUE",
    whole="{}::bigint",  # a sum of bigints is a numeric
    json_text="{}::text",
    json_value="CAST({} AS jsonb)",
    changes_in_cte=True,
    arrays=True,
    next_pk="",  # identity columns
    no_limit=None,
)
SQL: Final = Statements(POSTGRES)
