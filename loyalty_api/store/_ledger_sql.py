"""The SQL of the ledger reads, for every backend: ``p(n)`` gives the n-th (1-based) placeholder of the dialect.

Parameters: 1 campaign_pk, 2 customer_pk (and 3 the limit of the entries query).  An entry is *shown* unless it
is a reversal or has been reversed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["CUMULATIVE_SUM", "LedgerReadSql", "custom_fields_from_text", "custom_fields_text", "ledger_read_sql"]

#: The cumulative balance over the entries ``l``: the positive entries, less the reversals of positive entries.
CUMULATIVE_SUM = (
    "sum(CASE WHEN l.reverses_pk IS NULL AND l.amount_cents > 0 THEN l.amount_cents"
    " WHEN l.reverses_pk IS NOT NULL AND l.amount_cents < 0 THEN l.amount_cents ELSE 0 END)"
)
_SHOWN = "l.reverses_pk IS NULL AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses_pk = l.pk)"


@dataclass(frozen=True, slots=True)
class LedgerReadSql:
    sums: str  # service_product, balance, cumulative
    entries: str  # pk, at, user_name, amount_cents, authorization, service_product, redeemed, custom_fields
    summary: str  # shown count, last transaction time, last redemption time
    item_names: str  # pk, description of the campaign's items, live and archived


def ledger_read_sql(p: Callable[[int], str]) -> LedgerReadSql:
    of_customer = f"l.campaign_pk = {p(1)} AND l.customer_pk = {p(2)}"
    return LedgerReadSql(
        sums=(
            f"SELECT l.service_product, sum(l.amount_cents), {CUMULATIVE_SUM}"
            f" FROM ledger l WHERE {of_customer} GROUP BY l.service_product"
        ),
        entries=(
            'SELECT l.pk, l.at, l.user_name, l.amount_cents, l."authorization", l.service_product, l.redeemed,'
            f" l.custom_fields FROM ledger l WHERE {of_customer} AND {_SHOWN} ORDER BY l.pk DESC LIMIT {p(3)}"
        ),
        summary=(
            "SELECT count(*), max(CASE WHEN l.service_product <> 'Activation' THEN l.at END),"
            f" max(CASE WHEN l.redeemed THEN l.at END) FROM ledger l WHERE {of_customer} AND {_SHOWN}"
        ),
        item_names=(
            f"SELECT pk, description FROM rewards WHERE campaign_pk = {p(1)}"
            f" UNION ALL SELECT pk, description FROM rewards_archive WHERE campaign_pk = {p(1)}"
        ),
    )


def custom_fields_text(fields: Mapping[str, str]) -> str | None:
    """The ``custom_fields`` column of an entry: its transaction custom fields as one JSON object, NULL for none."""
    return json.dumps(dict(fields), ensure_ascii=False, separators=(",", ":")) if fields else None


def custom_fields_from_text(text: str | None) -> dict[str, str]:
    """The transaction custom fields of a ``custom_fields`` column (in the order they were written)."""
    if text is None:
        return {}
    loaded = json.loads(text)
    assert isinstance(loaded, dict), text
    return {str(name): str(value) for name, value in loaded.items()}
