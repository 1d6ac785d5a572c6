"""What the two backends' SQL spells differently, and how their values differ on the way in and out.

Statements are written once with ``?`` placeholders and the dialect's pieces (``d.for_update``, ``d.fold``, ...);
:meth:`Dialect.sql` turns the ``?`` into the backend's placeholders (``$1``, ``$2``, ... for PostgreSQL).  Values
go in through :meth:`Dialect.at` (a moment) and :meth:`Dialect.value` (a column value of any type), and come out
through :meth:`Dialect.time` and :meth:`Dialect.decimal`: SQLite keeps moments as sortable UTC text and decimals as
exact text; PostgreSQL has ``timestamptz`` and ``numeric``, which asyncpg hands over as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final

__all__ = ["Dialect", "numbered_placeholders", "one_of"]


# A quoted literal or identifier (left as it is), or a placeholder.
_TOKENS: Final = re.compile(r"'[^']*'|\"[^\"]*\"|\?")
_UNCLOSED: Final = re.compile(r"['\"]")


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True, slots=True)
class Dialect:
    """One backend's SQL.  Every text field is a fragment put into statements as it is.

    ``fold``: a function that lower-cases all of Unicode alike on both sides of a comparison.  ``contains``: a
    template of ``{haystack}`` and ``{needle}`` true when needle occurs in haystack.  ``number``: a template that
    makes a stored decimal (or a bound decimal text) a number.  ``number_text``: a template that makes a stored
    decimal its text.  ``created_stamp``: a campaign's creation time as ``YYYY-MM-DD HH:MM:SS`` UTC text.
    ``for_update`` / ``for_share``: the row locks a ``SELECT`` takes (nothing where the whole database is
    write-locked by the transaction).  ``skip_locked``: the lock of a subquery that leaves rows others are changing.
    ``overriding``: what lets an ``INSERT`` give an identity column its value.  ``whole``: a template that makes a
    sum of whole numbers a whole number again.  ``json_text``: a template that reads a JSON column as text;
    ``json_value``: one that makes a text the value of a JSON column.  ``changes_in_cte``: whether a ``WITH`` may
    insert, so that one statement can append and answer.  ``arrays``: whether a list of numbers binds as one array
    parameter.  ``next_pk``: a template of ``{table}`` giving a new row of that table an id above every live and
    archived one, or ``""`` where identity columns do it.  ``no_limit``: the ``LIMIT`` parameter that limits nothing.
    ``update_returns``: whether an ``UPDATE`` should answer the row it changed (``RETURNING``): on PostgreSQL that
    saves the round trip of reading it again; SQLite buffers what ``RETURNING`` answers, which costs more than a
    plain ``UPDATE`` and a ``SELECT`` of the row after it (10.9 against 3.2 + 4.3 µs).
    """

    name: str
    numbered: bool
    fold: str
    contains: str
    number: str
    number_text: str
    created_stamp: str
    for_update: str
    for_share: str
    skip_locked: str
    overriding: str
    whole: str
    json_text: str
    json_value: str
    changes_in_cte: bool
    arrays: bool
    next_pk: str
    no_limit: Any
    update_returns: bool = True
    at: Callable[[datetime], Any] = _same
    value: Callable[[Any], Any] = _same
    time: Callable[[Any], datetime] = _same
    decimal: Callable[[Any], Decimal | None] = _same

    def sql(self, text: str) -> str:
        """``text`` with its ``?`` placeholders in this backend's spelling."""
        return numbered_placeholders(text) if self.numbered else text


@lru_cache(maxsize=4096)
def numbered_placeholders(text: str) -> str:
    """``?`` -> ``$1``, ``$2``, ... in order, outside quoted literals and identifiers (remembered: list and search
    statements are built per request, from a bounded set of shapes)."""
    number = 0

    def numbered(match: re.Match[str]) -> str:
        nonlocal number
        if match.group() != "?":
            return match.group()
        number += 1
        return f"${number}"

    result = _TOKENS.sub(numbered, text)
    if _UNCLOSED.search(_TOKENS.sub("", text)):
        raise ValueError(f"unterminated quote in {text!r}")
    return result


def one_of(d: Dialect, column: str, values: Sequence[int]) -> tuple[str, list[object]]:
    """``column`` is one of the whole numbers ``values``: the condition and its parameters."""
    if d.arrays:
        return f"{column} = ANY(?::bigint[])", [list(values)]
    return f"{column} IN ({', '.join('?' for _ in values)})", list(values)
