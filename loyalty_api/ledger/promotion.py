"""A promotion applied to a ``record_activity`` sale of a points campaign (``docs/value-over-time.md``).

``x`` multiplies the sale's points by the amount (rounded down to the hundredth of a point, as sales are); ``+``
adds the amount, never taking the sale below 0 points.  The promotion must be live, of the sale's campaign and
open at the sale's moment in the account's time zone; each other case is its own error.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_FLOOR, Decimal
from typing import Final, NamedTuple

from loyalty_api.campaigns.promotions import local_now, parse_promo_id, window_state
from loyalty_api.errors import ApiError
from loyalty_api.ledger.rules import MAX_ENTRY_CENTS
from loyalty_api.store.interface import WriteTx
from loyalty_api.store.models import Campaign, Principal
from loyalty_api.store.promotion_models import Promotion
from loyalty_api.values import clipped

__all__ = ["AppliedPromotion", "applied_promotion", "sale_promotion"]

_HUNDRED: Final = Decimal(100)


class AppliedPromotion(NamedTuple):
    promotion: Promotion
    points_cents: int  # what the promotion added to the sale (negative: took away), in hundredths of a point


async def sale_promotion(tx: WriteTx, principal: Principal, campaign: Campaign, text: str, now: datetime) -> Promotion:
    """The promotion ``promo_id`` names, if it may apply to a sale of ``campaign`` at ``now``; else the error of
    its case: ``promotion_not_found`` (unknown, or another account's), ``promotion_deleted``,
    ``promotion_wrong_campaign``, ``promotion_not_active``."""
    shown = clipped(text)
    promo_pk = parse_promo_id(text)
    promotion = None if promo_pk is None else await tx.promotion_in_account(principal.account.pk, promo_pk)
    if promotion is None:
        raise ApiError("promotion_not_found", promo_id=shown, campaign_id=campaign.campaign_id)
    if promotion.archived_at is not None:
        raise ApiError("promotion_deleted", promo_id=shown)
    if promotion.campaign_pk != campaign.pk:
        raise ApiError("promotion_wrong_campaign", promo_id=shown, campaign_id=campaign.campaign_id)
    state = window_state(promotion, local_now(principal.account.timezone, now))
    if state == "before":
        raise ApiError("promotion_not_active", promo_id=shown, when=f"starts at {promotion.start_date}")
    if state == "after":
        raise ApiError("promotion_not_active", promo_id=shown, when=f"ended at {promotion.end_date}")
    return promotion


def applied_promotion(promotion: Promotion, points_cents: int) -> AppliedPromotion:
    """What ``promotion`` adds to a sale of ``points_cents``."""
    if promotion.operation == "x":
        total = int((Decimal(points_cents) * promotion.amount).to_integral_value(rounding=ROUND_FLOOR))
    else:
        total = max(0, points_cents + int(promotion.amount * _HUNDRED))
    if total > MAX_ENTRY_CENTS:
        raise ApiError("parameter_invalid", detail="The amount is too large for one transaction.")
    return AppliedPromotion(promotion, total - points_cents)
