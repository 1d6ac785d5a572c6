"""Promotions of points campaigns as the store hands them out, and its list queries of them
(``docs/value-over-time.md``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Final

from loyalty_api.store.models import Match

__all__ = [
    "PROMOTION_NUMBER_COLUMNS",
    "PROMOTION_OPERATIONS",
    "PROMOTION_TEXT_COLUMNS",
    "NewPromotion",
    "Promotion",
    "PromotionPage",
    "PromotionQuery",
]

#: ``x`` multiplies the points a sale earns by the amount; ``+`` adds the amount to them.
PROMOTION_OPERATIONS: Final = ("x", "+")
#: The columns a promotion list may search or sort on (``Match.column``, ``PromotionQuery.sort``).
PROMOTION_TEXT_COLUMNS: Final = frozenset({"description", "operation", "custom_id", "start_date", "end_date"})
PROMOTION_NUMBER_COLUMNS: Final = frozenset({"amount"})


@dataclass(frozen=True, slots=True)
class NewPromotion:
    operation: str  # one of PROMOTION_OPERATIONS
    amount: Decimal  # never 0; may be negative for "+"
    description: str
    custom_id: str | None
    start_date: str | None  # "YYYY-MM-DD HH:MM:SS", the account's wall-clock time; None: no start
    end_date: str | None  # the same; None: no end


@dataclass(frozen=True, slots=True)
class Promotion:
    """A live or archived promotion; its pk is the promotion ``<id>`` clients see, never reused."""

    pk: int
    campaign_pk: int
    operation: str
    amount: Decimal
    description: str
    custom_id: str | None
    start_date: str | None
    end_date: str | None
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None  # set when deleted: gone for the API, kept for the sales that used it


@dataclass(frozen=True, slots=True)
class PromotionQuery:
    """Which live promotions of one campaign a list wants, in which order, and which page of them."""

    match: Match | None = None  # on a PROMOTION_TEXT_COLUMNS or PROMOTION_NUMBER_COLUMNS column
    sort: str | None = None  # such a column; None: by id
    descending: bool = False
    offset: int = 0
    limit: int | None = None


@dataclass(frozen=True, slots=True)
class PromotionPage:
    promotions: list[Promotion]
    total: int  # promotions matching the query, whatever the page
