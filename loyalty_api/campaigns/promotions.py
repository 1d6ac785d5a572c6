"""Promotions of points campaigns: what one may be, how ``campaign_new`` / ``campaign_update`` (``action=promo``)
read one, and when one applies.  The rules are in ``docs/value-over-time.md``.

``promo_operation`` ``x`` multiplies the points a sale earns by ``promo_amount`` (above 0, up to 4 decimals);
``+`` adds ``promo_amount`` points (not 0, may be negative, up to 2 decimals).  ``promo_start_date`` and
``promo_end_date`` bound when it applies, in the account's time zone: ``2013-08-01 00:00:00``, ``2013-08-01 00:00``
or ``2013-08-01`` (a start date alone means that day's first second, an end date alone its last).
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from loyalty_api.errors import ApiError
from loyalty_api.handler.fields import Fields
from loyalty_api.store.models import Campaign, Change, NewAudit, Principal
from loyalty_api.store.promotion_models import NewPromotion, Promotion
from loyalty_api.values import decimal_text, parse_number, parse_text, quoted

__all__ = [
    "CUSTOM_ID_LIMIT",
    "DESCRIPTION_LIMIT",
    "MAX_PROMOTIONS",
    "UPDATE_FIELDS",
    "check_points_campaign",
    "check_update_fields",
    "local_now",
    "parse_new_promotion",
    "parse_promo_id",
    "plan_promotion_update",
    "promotion_audit",
    "promotion_changes",
    "promotion_snapshot",
    "window_state",
]

DESCRIPTION_LIMIT: Final = 255
CUSTOM_ID_LIMIT: Final = 64
#: The most live promotions one campaign may have (docs/security.md).
MAX_PROMOTIONS: Final = 100
_MULTIPLIER_DECIMALS: Final = 4
_POINTS_DECIMALS: Final = 2
_PROMO_ID: Final = re.compile(r"\d{1,18}", re.ASCII)
_DATE: Final = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?", re.ASCII)
_STAMP: Final = "%Y-%m-%d %H:%M:%S"
#: ``campaign_update`` field -> the column it changes.
UPDATE_FIELDS: Final = {
    "new_promo_operation": "operation",
    "new_promo_amount": "amount",
    "new_promo_description": "description",
    "new_promo_custom_id": "custom_id",
    "new_promo_start_date": "start_date",
    "new_promo_end_date": "end_date",
}
#: At least one of these must be sent to ``campaign_update``, and none of them blank.
_MAIN_UPDATE_FIELDS: Final = ("new_promo_operation", "new_promo_amount", "new_promo_description")


def check_points_campaign(campaign: Campaign) -> None:
    """``parameter_mismatch`` unless the campaign is a points campaign."""
    if campaign.type != "points":
        raise ApiError(
            "parameter_mismatch",
            detail=f"Promotions belong to points campaigns; campaign {campaign.campaign_id} is a {campaign.type}"
            " campaign.",
        )


def parse_promo_id(text: str) -> int | None:
    """The promotion ``<id>`` as a number; None for text that no id can be (it then matches no promotion)."""
    return int(text) if _PROMO_ID.fullmatch(text) else None


def parse_new_promotion(fields: Fields) -> NewPromotion:
    operation = _parse_operation("promo_operation", fields.required("promo_operation"))
    amount = _parse_amount("promo_amount", fields.required("promo_amount"), operation)
    description = parse_text("promo_description", fields.required("promo_description"), limit=DESCRIPTION_LIMIT)
    custom_id = fields.value("promo_custom_id")
    start_text, end_text = fields.value("promo_start_date"), fields.value("promo_end_date")
    start = None if start_text is None else _parse_date("promo_start_date", start_text, end=False)
    end = None if end_text is None else _parse_date("promo_end_date", end_text, end=True)
    _check_window(start, end)
    return NewPromotion(
        operation=operation,
        amount=amount,
        description=description,
        custom_id=None if custom_id is None else parse_text("promo_custom_id", custom_id, limit=CUSTOM_ID_LIMIT),
        start_date=start,
        end_date=end,
    )


def check_update_fields(fields: Fields) -> None:
    """``parameter_missing`` unless the update sends a new operation, amount or description (blank ones are
    refused by :func:`plan_promotion_update`, after the checks of the campaign and the caller's role)."""
    if all(name not in fields for name in _MAIN_UPDATE_FIELDS):
        raise ApiError("parameter_missing", field=" or ".join(_MAIN_UPDATE_FIELDS))


def plan_promotion_update(promotion: Promotion, fields: Fields) -> dict[str, object]:
    """The columns that really change (call :func:`check_update_fields` first).  A blank custom id or date
    clears it; an absent one leaves it as it is."""
    for name in _MAIN_UPDATE_FIELDS:
        if fields.is_blank(name):
            raise ApiError("parameter_invalid", detail=f"The field {name} may not be blank.")
    operation_text = fields.value("new_promo_operation")
    operation = (
        promotion.operation if operation_text is None else _parse_operation("new_promo_operation", operation_text)
    )
    amount_text = fields.value("new_promo_amount")
    if amount_text is None:
        amount = promotion.amount
        _check_amount("promo_amount", amount, operation)  # the kept amount must suit a new operation
    else:
        amount = _parse_amount("new_promo_amount", amount_text, operation)
    values: dict[str, object] = {"operation": operation, "amount": amount}
    description = fields.value("new_promo_description")
    if description is not None:
        values["description"] = parse_text("new_promo_description", description, limit=DESCRIPTION_LIMIT)
    if "new_promo_custom_id" in fields:
        custom_id = fields.value("new_promo_custom_id")
        values["custom_id"] = (
            None if custom_id is None else parse_text("new_promo_custom_id", custom_id, limit=CUSTOM_ID_LIMIT)
        )
    start, end = promotion.start_date, promotion.end_date
    if "new_promo_start_date" in fields:
        text = fields.value("new_promo_start_date")
        start = values["start_date"] = None if text is None else _parse_date("new_promo_start_date", text, end=False)
    if "new_promo_end_date" in fields:
        text = fields.value("new_promo_end_date")
        end = values["end_date"] = None if text is None else _parse_date("new_promo_end_date", text, end=True)
    _check_window(start, end)
    return {column: value for column, value in values.items() if getattr(promotion, column) != value}


def local_now(timezone: str, now: datetime) -> str:
    """``now`` as the account's wall-clock time (``YYYY-MM-DD HH:MM:SS``); UTC for an unknown or empty zone."""
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).strftime(_STAMP)


def window_state(promotion: Promotion, local: str) -> str:
    """``"before"``, ``"after"`` or ``"open"``: where the wall-clock time ``local`` falls in the promotion's
    window (both bounds included)."""
    if promotion.start_date is not None and local < promotion.start_date:
        return "before"
    if promotion.end_date is not None and local > promotion.end_date:
        return "after"
    return "open"


def promotion_snapshot(promotion: Promotion | NewPromotion) -> dict[str, str | None]:
    """The promotion's columns as the audit trail shows them."""
    return {
        "operation": promotion.operation,
        "amount": decimal_text(promotion.amount),
        "description": promotion.description,
        "custom_id": promotion.custom_id,
        "start_date": promotion.start_date,
        "end_date": promotion.end_date,
    }


def promotion_changes(before: dict[str, str | None], after: dict[str, str | None]) -> tuple[Change, ...]:
    columns = [*before, *(c for c in after if c not in before)]
    return tuple(
        Change(column, before.get(column), after.get(column))
        for column in columns
        if before.get(column) != after.get(column)
    )


def promotion_audit(
    principal: Principal,
    campaign: Campaign,
    promotion: Promotion,
    action: str,
    changes: tuple[Change, ...],
    at: datetime,
) -> NewAudit:
    return NewAudit(
        account_pk=principal.account.pk,
        user_name=principal.user_name,
        entity="promo",
        entity_id=str(promotion.pk),
        action=action,
        changes=changes,
        at=at,
        campaign_id=campaign.campaign_id,
    )


def _parse_operation(field_name: str, text: str) -> str:
    operation = text.lower()
    if operation not in ("x", "+"):
        raise ApiError("parameter_invalid", detail=f"The field {field_name} must be x or +, not {quoted(text)}.")
    return operation


def _parse_amount(field_name: str, text: str, operation: str) -> Decimal:
    negative = text.startswith("-")
    digits = text[1:] if negative else text
    if operation == "x":
        if negative:
            raise ApiError(
                "parameter_invalid",
                detail=f"The field {field_name} must be a multiplier above 0 for operation x, not {quoted(text)}.",
            )
        what = "a multiplier above 0"
        decimals = _MULTIPLIER_DECIMALS
    else:
        what = "a number of points other than 0"
        decimals = _POINTS_DECIMALS
    value = parse_number(field_name, digits, decimals=decimals, allow_zero=False, what=what)
    return -value if negative else value


def _check_amount(field_name: str, amount: Decimal, operation: str) -> None:
    if operation == "x" and amount <= 0:
        raise ApiError(
            "parameter_invalid",
            detail=f"The {field_name} {decimal_text(amount)} cannot multiply points; send new_promo_amount with"
            " new_promo_operation x.",
        )
    if operation == "+" and amount != amount.quantize(Decimal("0.01")):
        raise ApiError(
            "parameter_invalid",
            detail=f"The {field_name} {decimal_text(amount)} has more than 2 decimals for operation +; send"
            " new_promo_amount with new_promo_operation +.",
        )


def _parse_date(field_name: str, text: str, *, end: bool) -> str:
    match = _DATE.fullmatch(text)
    problem = f"The field {field_name} must be a date (2013-08-01) or a date and time (2013-08-01 00:00:00)"
    if match is None:
        raise ApiError("parameter_invalid", detail=f"{problem}, not {quoted(text)}.")
    year, month, day, hour, minute, second = match.groups()
    if hour is None:
        hour, minute, second = ("23", "59", "59") if end else ("00", "00", "00")
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
    except ValueError:
        raise ApiError("parameter_invalid", detail=f"{problem}, not {quoted(text)}.") from None
    return moment.strftime(_STAMP)


def _check_window(start: str | None, end: str | None) -> None:
    if start is not None and end is not None and end < start:
        raise ApiError(
            "parameter_invalid",
            detail=f"The promotion would end ({end}) before it starts ({start}).",
        )
