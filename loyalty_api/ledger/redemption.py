"""What ``redeem`` takes, by campaign type: the cost in hundredths of the campaign's unit, or what names it (a
reward or a buyx item, looked up by the handler).  Pure functions over the request's fields and the campaign."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Final

from loyalty_api.campaigns.creation import DEFAULT_POINTS_RATIO
from loyalty_api.errors import ApiError
from loyalty_api.handler.fields import Fields
from loyalty_api.ledger.rules import MAX_ENTRY_CENTS, MONEY_TYPES
from loyalty_api.store.models import Campaign
from loyalty_api.values import MONEY_DECIMALS, parse_number

__all__ = ["REDEEM_FIELDS", "Redemption", "plan_redemption"]

REDEEM_FIELDS: Final = ("custom_points_redeem", "custom_dollars_redeem", "reward_to_redeem")
_POINTS_ONLY: Final = ("custom_points_redeem", "custom_dollars_redeem")
_HUNDRED: Final = Decimal(100)


@dataclass(frozen=True, slots=True)
class Redemption:
    """``cost_cents`` when the request gives the cost; else ``reward_name`` (a reward id, points and events) or
    ``item_name`` (a buyx item id or identifier) whose level is the cost."""

    cost_cents: int | None = None
    reward_name: str | None = None
    item_name: str | None = None


def plan_redemption(campaign: Campaign, fields: Fields) -> Redemption:
    sent = [name for name in REDEEM_FIELDS if fields.value(name) is not None]
    if len(sent) > 1:
        raise ApiError(
            "parameter_mismatch", detail=f"Send one of {', '.join(REDEEM_FIELDS)}, not {' and '.join(sent)}."
        )
    kind = campaign.type
    if kind != "points":
        for name in _POINTS_ONLY:
            if fields.value(name) is not None:
                raise ApiError(
                    "parameter_mismatch",
                    detail=f"The field {name} is for points campaigns; campaign {campaign.campaign_id} is a {kind}"
                    " campaign.",
                )
    if not sent:
        names = REDEEM_FIELDS if kind == "points" else ("reward_to_redeem",)
        raise ApiError("parameter_missing", field=" or ".join(names))
    (name,) = sent
    text = fields.required(name)
    if name == "custom_points_redeem":
        points = parse_number(name, text, decimals=2, allow_zero=False, what="a number of points over 0")
        return Redemption(cost_cents=_checked(points * _HUNDRED))
    if name == "custom_dollars_redeem":
        money = parse_number(name, text, decimals=MONEY_DECIMALS, allow_zero=False, what="a money amount over 0")
        if campaign.reward_ratio is None:
            raise ApiError("currency_redemption_off", campaign_id=campaign.campaign_id)
        ratio = campaign.points_ratio if campaign.points_ratio is not None else DEFAULT_POINTS_RATIO
        # Rounded up: the customer never pays fewer points than the value.
        return Redemption(cost_cents=_checked(money * campaign.reward_ratio * ratio * _HUNDRED))
    if kind in MONEY_TYPES:
        money = parse_number(name, text, decimals=MONEY_DECIMALS, allow_zero=False, what="a money amount over 0")
        return Redemption(cost_cents=_checked(money * _HUNDRED))
    if kind == "buyx":
        return Redemption(item_name=text)
    return Redemption(reward_name=text)


def _checked(cents: Decimal) -> int:
    whole = int(cents.to_integral_value(rounding=ROUND_CEILING))
    if whole > MAX_ENTRY_CENTS:
        raise ApiError("parameter_invalid", detail="The amount is too large for one transaction.")
    return whole
