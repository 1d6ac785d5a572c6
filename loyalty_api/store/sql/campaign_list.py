"""The SQL of a :class:`CampaignQuery`, for any backend: the WHERE and ORDER BY of a campaigns list.

Column names come only from the whitelists below, never from the request; every value the client sent is a
bound parameter.  The clauses are over the table ``campaigns`` (no alias), with ``?`` placeholders, in the
dialect's spelling of case folding, numbers and the creation stamp.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from loyalty_api.store.models import CampaignQuery, Match
from loyalty_api.store.sql.dialect import Dialect

__all__ = [
    "FLAG_COLUMNS",
    "NUMBER_COLUMNS",
    "TEXT_COLUMNS",
    "CampaignListSql",
    "ListBuilder",
    "campaign_list_sql",
    "match_condition",
]

TEXT_COLUMNS: Final = frozenset({"campaign_id", "name", "description", "created_stamp", "type"})
NUMBER_COLUMNS: Final = frozenset({"points_ratio", "reward_ratio", "amount_per_event"})
FLAG_COLUMNS: Final = frozenset({"coalition_opt_out", "two_tier_opt_out"})
_NUMERIC_OPS: Final = frozenset({"eq", "ne", "in", "ni"})
_NEGATED: Final = {"ne": "eq", "bn": "bw", "en": "ew", "nc": "cn", "ni": "in"}
_LIKE_ESCAPE: Final = "\\"


@dataclass(slots=True)
class CampaignListSql:
    where: str
    order_by: str
    params: list[object] = field(default_factory=list)


class ListBuilder:
    """Binds values and names whitelisted columns: the campaigns' by default, or another list's."""

    def __init__(
        self,
        dialect: Dialect,
        text_columns: frozenset[str] = TEXT_COLUMNS,
        number_columns: frozenset[str] = NUMBER_COLUMNS,
    ) -> None:
        self.dialect = dialect
        self.text_columns = text_columns
        self.number_columns = number_columns
        self.params: list[object] = []

    def bind(self, value: object) -> str:
        self.params.append(value)
        return "?"

    def column(self, name: str) -> str:
        if name == "created_stamp" and self.text_columns is TEXT_COLUMNS:
            return self.dialect.created_stamp
        if name in self.text_columns or name in self.number_columns or name in FLAG_COLUMNS or name == "created_at":
            return name
        raise ValueError(f"not a list column: {name!r}")

    def fold(self, sql: str) -> str:
        return f"{self.dialect.fold}({sql})"

    def number(self, sql: str) -> str:
        return self.dialect.number.format(sql)


def campaign_list_sql(account_pk: int, query: CampaignQuery, dialect: Dialect) -> CampaignListSql:
    """The WHERE clause (with its parameters) and the ORDER BY of ``query`` on the account's campaigns."""
    b = ListBuilder(dialect)
    conditions = [f"account_pk = {b.bind(account_pk)}", f"active = {b.bind(dialect.value(query.active))}"]
    if query.campaign_ids is not None:
        conditions.append(_one_of(b, "campaign_id", sorted(query.campaign_ids)))
    if query.types is not None:
        conditions.append(_one_of(b, "type", sorted(query.types)))
    for column, value in query.flags:
        if column not in FLAG_COLUMNS:
            raise ValueError(f"not a flag column: {column!r}")
        conditions.append(f"{column} = {b.bind(dialect.value(value))}")
    if query.match is not None:
        conditions.append(match_condition(b, query.match))
    return CampaignListSql(" AND ".join(conditions), _order_by(b, query), b.params)


def _one_of(b: ListBuilder, column: str, values: list[str]) -> str:
    if not values:
        return "1 = 0"
    return f"{column} IN ({', '.join(b.bind(v) for v in values)})"


def match_condition(b: ListBuilder, match: Match) -> str:
    """The SQL condition of ``match`` over the builder's columns (its values bound)."""
    op = match.op
    if op not in _NEGATED and op not in _NEGATED.values():
        raise ValueError(f"not a search operator: {op!r}")
    column = match.column
    if column not in b.text_columns and column not in b.number_columns:
        raise ValueError(f"not a searchable column: {column!r}")
    if not match.values or (op not in ("in", "ni") and len(match.values) != 1):
        raise ValueError(f"{op} takes {'one or more values' if op in ('in', 'ni') else 'one value'}")
    positive = _NEGATED.get(op, op)
    negated = positive != op
    if column in b.number_columns and op in _NUMERIC_OPS:
        value_sql = b.number(b.column(column))
        if positive == "eq":
            test = f"{value_sql} = {b.number(b.bind(match.values[0]))}"
        else:
            test = f"{value_sql} IN ({', '.join(b.number(b.bind(v)) for v in match.values)})"
        # A missing number equals nothing, so it is "not equal" to everything.
        return f"({column} IS NULL OR NOT ({test}))" if negated else test
    value_sql = b.column(column)
    if column in b.number_columns:
        value_sql = b.dialect.number_text.format(value_sql)
    text_sql = b.fold(f"coalesce({value_sql}, '')")
    if positive == "eq":
        test = f"{text_sql} = {b.fold(b.bind(match.values[0]))}"
    elif positive == "in":
        test = f"{text_sql} IN ({', '.join(b.fold(b.bind(v)) for v in match.values)})"
    else:
        escaped = _like_escaped(match.values[0])
        pattern = {"bw": escaped + "%", "ew": "%" + escaped, "cn": "%" + escaped + "%"}[positive]
        test = f"{text_sql} LIKE {b.fold(b.bind(pattern))} ESCAPE '{_LIKE_ESCAPE}'"
    return f"NOT ({test})" if negated else test


def _like_escaped(text: str) -> str:
    return (
        text.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2).replace("%", _LIKE_ESCAPE + "%").replace("_", _LIKE_ESCAPE + "_")
    )


def _order_by(b: ListBuilder, query: CampaignQuery) -> str:
    direction = "DESC" if query.descending else "ASC"
    keys: list[str] = []
    sort = query.sort
    if sort is not None and sort not in ("created_stamp", "created_at"):
        column = b.column(sort)
        if sort in NUMBER_COLUMNS:
            # Missing numbers sort as the smallest values, whatever the backend's NULL ordering.
            keys.append(f"({column} IS NULL) {'ASC' if query.descending else 'DESC'}")
            keys.append(f"{b.number(column)} {direction}")
        elif sort in FLAG_COLUMNS:
            keys.append(f"{column} {direction}")
        else:
            text = b.fold(f"coalesce({column}, '')")
            keys.append(f"{text} {direction}")
        keys.extend(["created_at ASC", "pk ASC"])
    else:
        keys.extend([f"created_at {direction}", f"pk {direction}"])
    return ", ".join(keys)
