"""The WHERE clause of a :class:`CustomerQuery` (customer_search, customer_find), over the table ``customers``.

Column names come only from the whitelists of ``store/models.py``, never from the request; every value the client
sent is a bound parameter (``?``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from loyalty_api.store.models import (
    CUSTOMER_MATCH_MODES,
    CUSTOMER_NULLABLE_FIELDS,
    CUSTOMER_PROFILE_FIELDS,
    CUSTOMER_TEXT_FIELDS,
    FIELD_COLUMNS,
    CustomerQuery,
)
from loyalty_api.store.sql.dialect import Dialect

__all__ = ["FIND_COLUMNS", "SEARCH_COLUMNS", "CustomerWhere", "customer_where"]

SEARCH_COLUMNS: Final = frozenset({"code", *CUSTOMER_PROFILE_FIELDS})
# The fields customer_find looks in (every searchable field but the custom date), folded into search_text.
FIND_COLUMNS: Final = ("code", "card_number", "customer_username", *CUSTOMER_TEXT_FIELDS)
# A custom field numbered above the columns: a row of customer_field_values (migration 0012).
_BEYOND: Final = re.compile(r"custom_field_([1-9]\d{0,8})", re.ASCII)


@dataclass(slots=True)
class CustomerWhere:
    where: str
    params: list[object] = field(default_factory=list)


def _text_of(column: str) -> str:
    return f"coalesce({column}, '')" if column in CUSTOMER_NULLABLE_FIELDS else column


def customer_where(account_pk: int, query: CustomerQuery, dialect: Dialect) -> CustomerWhere:
    """The WHERE clause (over the table ``customers``, no alias) and its parameters."""
    params: list[object] = []

    def bind(value: object) -> str:
        params.append(value)
        return "?"

    def folded(expression: str) -> str:
        return f"{dialect.fold}({expression})"

    conditions = [f"account_pk = {bind(account_pk)}"]
    for match in query.criteria:
        beyond = _BEYOND.fullmatch(match.column)
        number = int(beyond.group(1)) if beyond else 0
        if (match.column not in SEARCH_COLUMNS and number <= FIELD_COLUMNS) or match.mode not in CUSTOMER_MATCH_MODES:
            raise ValueError(f"not a customer search: {match.column} {match.mode}")
        # The field's number is bound first: it comes first in the statement (below).
        row_of = f"v.customer_pk = customers.pk AND v.number = {bind(number)} AND " if number > FIELD_COLUMNS else ""
        column = "v.value" if row_of else _text_of(match.column)
        if match.mode == "sensitive":
            condition = f"{column} = {bind(match.value)}"
        elif match.mode == "insensitive":
            condition = f"{folded(column)} = {folded(bind(match.value))}"
        else:
            condition = dialect.contains.format(haystack=folded(column), needle=folded(bind(match.value)))
        if row_of:  # a customer without a value of the field has none to match
            condition = f"EXISTS (SELECT 1 FROM customer_field_values v WHERE {row_of}{condition})"
        conditions.append(condition)
    if query.any_words is not None:
        # search_text is the folded text of FIND_COLUMNS, a space between fields (migration 0010): a word holds no
        # space, so it cannot match across two fields.
        haystack = "search_text"
        groups = []
        for words in query.any_words:
            tests = [dialect.contains.format(haystack=haystack, needle=folded(bind(word))) for word in words]
            groups.append("(" + " AND ".join(tests) + ")")
        conditions.append("(" + " OR ".join(groups) + ")" if groups else "1 = 0")
    return CustomerWhere(" AND ".join(conditions), params)
