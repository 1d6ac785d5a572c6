"""Customers' fields: what a request may set, how values are checked, generated codes and card numbers,
Pure functions: no SQL, no HTTP.  The rules are written out in ``docs/customers.md``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import Final

from loyalty_api.errors import ApiError
from loyalty_api.handler.fields import Fields
from loyalty_api.store.models import CUSTOMER_NULLABLE_FIELDS, CUSTOMER_PROFILE_FIELDS
from loyalty_api.values import parse_flag, parse_text, quoted

__all__ = [
    "CODE_DIGITS",
    "CUSTOM_FIELDS",
    "FIELD_ALIASES",
    "NO_DATES",
    "SECRET_COLUMNS",
    "SECRET_FIELDS",
    "CardNumberRequest",
    "ProfileChanges",
    "generate_digits",
    "new_code",
    "parse_card_number_request",
    "parse_profile",
    "parse_value",
    "read_secrets",
    "wants",
    "with_aliases",
]

CODE_DIGITS: Final = 16
SECRET_FIELDS: Final = ("customer_password", "customer_PIN")
# Secret field -> the column of its hash.
SECRET_COLUMNS: Final = {"customer_password": "password_hash", "customer_PIN": "pin_hash"}
CUSTOM_FIELDS: Final = frozenset({"custom_field", *(f"custom_field_{n}" for n in range(1, 21))})
# The legacy database's names of profile fields, which some clients send: alias -> field.
FIELD_ALIASES: Final = {"address1": "street1", "address2": "street2", "custom1": "custom_field_1"}
# What legacy clients send as custom_date for "no date": an empty birthday form, and the legacy API's own value.
NO_DATES: Final = frozenset({"--", "0000-00-00"})
# The numbered custom fields among the profile's columns: their values follow the account's definitions
# (accounts/custom_fields.py), read by record_customer with those of the fields numbered above.
_NUMBERED: Final = frozenset(f"custom_field_{n}" for n in range(1, 21))
# Field -> the longest value it takes (characters); every other profile field takes 1,000.
_LIMITS: Final = {"code": 64, "card_number": 64, "customer_username": 100}
_TEXT_LIMIT: Final = 1000
_SECRET_LIMIT: Final = 1000
_DIGITS: Final = re.compile(r"\d*", re.ASCII)
_DATE: Final = re.compile(r"\d{4}-\d\d-\d\d", re.ASCII)
_CARD_DIGITS_RANGE: Final = (6, 32)
_MIN_RANDOM_DIGITS: Final = 4


def parse_value(name: str, text: str) -> str:
    """A profile value (or the code), trimmed and non-empty, checked against the field's rules."""
    value = parse_text(name, text, limit=_LIMITS.get(name, _TEXT_LIMIT))
    if name == "custom_date":
        try:
            if _DATE.fullmatch(value) is None:
                raise ValueError(value)
            date.fromisoformat(value)
        except ValueError:
            raise ApiError(
                "parameter_invalid", detail=f"The field custom_date must be a date YYYY-MM-DD, not {quoted(value)}."
            ) from None
    return value


@dataclass(slots=True)
class ProfileChanges:
    """Profile columns to set (``None``/'' clears), from the fields the request sent."""

    values: dict[str, str | None] = field(default_factory=dict)


def with_aliases(fields: Fields) -> Fields:
    """The request's fields with each alias of :data:`FIELD_ALIASES` read as its field.  Both names sent with
    different values (after trimming) is ``parameter_mismatch``; the same value twice is no conflict."""
    sent = fields.sent(frozenset(FIELD_ALIASES))
    if not sent:
        return fields
    data = fields.as_dict()
    for alias in sorted(sent):
        name = FIELD_ALIASES[alias]
        value = data.pop(alias)
        other = data.get(name)
        if other is not None and other.strip() != value.strip():
            raise ApiError(
                "parameter_mismatch",
                detail=f"The fields {alias} and {name} are two names of one field: send one, or the same value.",
            )
        data[name] = value
    return Fields(data)


def _no_date(name: str, text: str | None) -> bool:
    return name == "custom_date" and text in NO_DATES


def parse_profile(fields: Fields, *, clear_blank: bool) -> ProfileChanges:
    """The profile fields sent with a value; with ``clear_blank``, the fields sent blank too (they clear).  A
    ``custom_date`` of :data:`NO_DATES` counts as blank.  Aliases must already be resolved (:func:`with_aliases`).
    Not the numbered custom fields, whose rules depend on the account (``record_customer`` reads them)."""
    changes = ProfileChanges()
    for name in CUSTOMER_PROFILE_FIELDS:
        if name in _NUMBERED:
            continue
        text = fields.value(name)
        if text is not None and not _no_date(name, text):
            changes.values[name] = parse_value(name, text)
        elif clear_blank and (text is not None or fields.is_blank(name)):
            changes.values[name] = None if name in CUSTOMER_NULLABLE_FIELDS else ""
    return changes


def read_secrets(fields: Fields) -> dict[str, str]:
    """The secrets sent with a value, as sent (not trimmed): field -> secret.  A blank secret is ignored."""
    found: dict[str, str] = {}
    for name in SECRET_FIELDS:
        raw = fields.raw(name)
        if raw is None or not raw.strip():
            continue
        if len(raw) > _SECRET_LIMIT:
            raise ApiError("string_parameter_too_long", field=name, limit=_SECRET_LIMIT)
        found[name] = raw
    return found


def new_code() -> str:
    """A random 16-digit code (the caller checks that it is unused in the account)."""
    return str(10 ** (CODE_DIGITS - 1) + secrets.randbelow(9 * 10 ** (CODE_DIGITS - 1)))


@dataclass(frozen=True, slots=True)
class CardNumberRequest:
    digits: int
    prefix: str
    suffix: str


def parse_card_number_request(fields: Fields, digits_field: str, default: int | None) -> CardNumberRequest | None:
    """How many digits in all (``digits_field``, else ``default``; None: no card number asked) and the prefix and
    suffix; raises ``parameter_invalid`` on a bad value."""
    text = fields.value(digits_field)
    if text is None and default is None:
        return None
    low, high = _CARD_DIGITS_RANGE
    digits = default
    if text is not None:
        digits = int(text) if _DIGITS.fullmatch(text) and len(text) <= 3 else -1
    assert digits is not None
    if not low <= digits <= high:
        raise ApiError(
            "parameter_invalid",
            detail=f"The field {digits_field} must be a whole number from {low} to {high}, not {quoted(text or '')}.",
        )
    parts = []
    for name in ("card_number_prefix", "card_number_suffix"):
        part = fields.value(name) or ""
        if _DIGITS.fullmatch(part) is None:
            raise ApiError("parameter_invalid", detail=f"The field {name} must hold digits only, not {quoted(part)}.")
        parts.append(part)
    prefix, suffix = parts
    if digits - len(prefix) - len(suffix) < _MIN_RANDOM_DIGITS:
        raise ApiError(
            "parameter_invalid",
            detail=f"The field {digits_field} must leave at least {_MIN_RANDOM_DIGITS} random digits beside"
            " card_number_prefix and card_number_suffix.",
        )
    return CardNumberRequest(digits, prefix, suffix)


def generate_digits(request: CardNumberRequest) -> str:
    """A random card number of the request's form (the caller checks that it is unused)."""
    count = request.digits - len(request.prefix) - len(request.suffix)
    middle = "".join(str(secrets.randbelow(10)) for _ in range(count))
    if not request.prefix and middle.startswith("0"):
        middle = str(1 + secrets.randbelow(9)) + middle[1:]
    return request.prefix + middle + request.suffix


def wants(fields: Fields, name: str, *, default: bool) -> bool:
    """A Y/N field (absent or blank: ``default``)."""
    text = fields.value(name)
    return default if text is None else parse_flag(name, text)
