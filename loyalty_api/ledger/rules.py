"""What ``record_activity`` records, by campaign type, and how ledger amounts are shown.

Ledger amounts are integer hundredths of the campaign's unit: points, money, events or purchases of a buyx item
(``docs/ledger.md``).  Pure functions over the request's fields and the campaign: no SQL, no HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Final

from loyalty_api.accounts.custom_fields import checked_values, field_name
from loyalty_api.campaigns.creation import DEFAULT_POINTS_RATIO
from loyalty_api.errors import ApiError
from loyalty_api.handler.fields import Fields
from loyalty_api.store.models import Campaign, FieldDefinition
from loyalty_api.values import MONEY_DECIMALS, clipped, decimal_text, money_text, parse_number, parse_text

__all__ = [
    "AUTHORIZATION_LIMIT",
    "MAX_ENTRY_CENTS",
    "MONEY_TYPES",
    "Sale",
    "cents_text",
    "check_type_fields",
    "parse_authorization",
    "plan_sale",
    "transaction_fields",
]

AUTHORIZATION_LIMIT: Final = 255
MONEY_TYPES: Final = frozenset({"giftcard", "earned"})
# No single entry may move more than this many hundredths (10^15: far beyond any real sale, far inside bigint).
MAX_ENTRY_CENTS: Final = 10**15
_QUANTITY: Final = re.compile(r"\d{1,6}", re.ASCII)
# Fields that belong to some campaign types only: sent with a value to another type, they are parameter_mismatch.
# An earned campaign accepts service_product and ignores it (a legacy point-of-sale app sends it): the ledger's
# service_product is a buyx item's id, the key of its running balance, and stays '' for earned entries.
_TYPE_FIELDS: Final = {
    "amount": frozenset({"points", "giftcard"}),
    "service_product": frozenset({"buyx", "earned"}),
    "buyx_quantity": frozenset({"buyx"}),
    "promo_id": frozenset({"points"}),
}
_TYPE_FIELD_NAMES: Final = tuple(_TYPE_FIELDS)
_HUNDRED: Final = Decimal(100)
# cents_text: the fraction written after the whole units, by hundredths: money always ".dd"; anything else without
# trailing zeros ("", ".5", ".05").  Below _EXACT_CENTS (28 digits) Decimal(cents) / 100 is exact.
_MONEY_FRACTIONS: Final = tuple(f".{n:02}" for n in range(100))
_PLAIN_FRACTIONS: Final = tuple(f".{n:02}".rstrip("0").rstrip(".") for n in range(100))
_EXACT_CENTS: Final = 10**28


@dataclass(frozen=True, slots=True)
class Sale:
    """What one record_activity adds: ``amount_cents`` of the campaign's unit; for points, the money spent; for
    buyx, the item named (still to be looked up) and the quantity."""

    amount_cents: int
    purchase_cents: int | None = None
    item_name: str | None = None


def check_type_fields(campaign: Campaign, fields: Fields, names: tuple[str, ...]) -> None:
    """``parameter_mismatch`` for a field of ``names`` that belongs to other campaign types and has a value."""
    for name in names:
        types = _TYPE_FIELDS.get(name)
        if types is not None and campaign.type not in types and fields.value(name) is not None:
            raise ApiError(
                "parameter_mismatch",
                detail=f"The field {name} is for {' and '.join(sorted(types))} campaigns; campaign"
                f" {campaign.campaign_id} is a {campaign.type} campaign.",
            )


def plan_sale(campaign: Campaign, fields: Fields) -> Sale:
    """What the request adds to the customer's balance in ``campaign`` (all fields checked)."""
    check_type_fields(campaign, fields, _TYPE_FIELD_NAMES)
    kind = campaign.type
    if kind == "points":
        spent = _money(fields, "amount")
        ratio = campaign.points_ratio if campaign.points_ratio is not None else DEFAULT_POINTS_RATIO
        points_cents = int((spent * ratio * _HUNDRED).to_integral_value(rounding=ROUND_FLOOR))
        return Sale(amount_cents=_checked(points_cents), purchase_cents=int(spent * _HUNDRED))
    if kind == "giftcard":
        return Sale(amount_cents=_checked(int(_money(fields, "amount") * _HUNDRED)))
    if kind == "events":
        return Sale(amount_cents=100)
    if kind == "earned":
        per_event = campaign.amount_per_event
        if per_event is None or per_event <= 0:
            raise ApiError(
                "parameter_invalid",
                detail=f"Campaign {campaign.campaign_id} has no amount_per_event to add (set it with campaign_update).",
            )
        return Sale(amount_cents=_checked(int(per_event * _HUNDRED)))
    item_name = fields.required("service_product")
    return Sale(amount_cents=_quantity(fields) * 100, item_name=item_name)


def parse_authorization(fields: Fields) -> str:
    text = fields.value("authorization")
    return "" if text is None else parse_text("authorization", text, limit=AUTHORIZATION_LIMIT)


def transaction_fields(sent: Mapping[int, str], definitions: Iterable[FieldDefinition]) -> dict[str, str]:
    """The transaction custom fields sent (``sent_values``) checked against the account's transaction field
    definitions (as customers' are: ``accounts/custom_fields.py``), with a value, in number order: name -> value.
    Without a definition, custom_field_1 to custom_field_20 take free text of at most 1,000 characters."""
    checked = checked_values("transaction", definitions, sent)
    return {field_name("transaction", number): value for number, value in checked.items() if value}


def cents_text(cents: int, kind: str) -> str:
    """Hundredths of a campaign unit as the API shows them: money with 2 decimals, points with up to 2 (no
    trailing zeros), events and buyx purchases as whole numbers.

    The text ``money_text`` / ``decimal_text`` give for ``Decimal(cents) / 100``, written with whole-number
    arithmetic (a quarter of the cost); beyond the 28 digits of Decimal's default precision, where that division
    rounds, the Decimal version itself answers."""
    fractions = _MONEY_FRACTIONS if kind in MONEY_TYPES else _PLAIN_FRACTIONS
    if 0 <= cents < _EXACT_CENTS:
        return f"{cents // 100}{fractions[cents % 100]}"
    if -_EXACT_CENTS < cents < 0:
        magnitude = -cents
        return f"-{magnitude // 100}{fractions[magnitude % 100]}"
    return _decimal_cents_text(cents, kind)


def _decimal_cents_text(cents: int, kind: str) -> str:
    value = Decimal(cents) / _HUNDRED
    if kind in MONEY_TYPES:
        return money_text(value)
    return decimal_text(value)


def _money(fields: Fields, name: str) -> Decimal:
    return parse_number(
        name, fields.required(name), decimals=MONEY_DECIMALS, allow_zero=False, what="a money amount over 0"
    )


def _quantity(fields: Fields) -> int:
    text = fields.value("buyx_quantity")
    if text is None:
        return 1
    if _QUANTITY.fullmatch(text) is None or int(text) == 0:
        shown = clipped(text)
        raise ApiError(
            "parameter_invalid",
            detail=f'The field buyx_quantity must be a whole number from 1 to 999999, not "{shown}".',
        )
    return int(text)


def _checked(cents: int) -> int:
    if cents > MAX_ENTRY_CENTS:
        raise ApiError("parameter_invalid", detail="The amount is too large for one transaction.")
    if cents <= 0:
        raise ApiError("parameter_invalid", detail="The amount gives nothing to record (it rounds down to 0).")
    return cents
