"""Rules for the values clients send: numbers, flags, text lengths.

Numbers are digits with at most one decimal separator (``.`` or ``,`` since legacy clients send
``9,95``), no sign, exponent, thousands separator, NaN or Infinity, at most 12 digits before the
separator.  Trailing zeros after the separator do not count towards the decimals allowed
(``5.950`` is the money amount 5.95).  Everything is :class:`~decimal.Decimal`, never float.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final

from loyalty_api.errors import ApiError

__all__ = [
    "MONEY_DECIMALS",
    "RATIO_DECIMALS",
    "decimal_text",
    "money_text",
    "parse_flag",
    "parse_number",
    "parse_text",
]

RATIO_DECIMALS: Final = 4
MONEY_DECIMALS: Final = 2
_INT_DIGITS: Final = 12
_NUMBER = re.compile(r"(\d*)(?:[.,](\d*))?", re.ASCII)
_YES: Final = frozenset({"y", "yes"})
_NO: Final = frozenset({"n", "no"})
#: How many characters of a client's text an error message quotes.
SHOWN_LIMIT: Final = 40


def parse_number(field: str, text: str, *, decimals: int, allow_zero: bool, what: str) -> Decimal:
    """Parse ``text`` (already trimmed, non-empty) under the number rules, or raise ``parameter_invalid``."""
    match = _NUMBER.fullmatch(text)
    whole, fraction = (match.group(1), match.group(2) or "") if match else ("", "")
    if match is None or not (whole or fraction):
        raise ApiError("parameter_invalid", detail=f"The field {field} must be {what}, not {quoted(text)}.")
    if len(whole) > _INT_DIGITS:
        raise ApiError(
            "parameter_invalid", detail=f"The field {field} has more than {_INT_DIGITS} digits before the separator."
        )
    fraction = fraction.rstrip("0")
    if len(fraction) > decimals:
        raise ApiError("parameter_invalid", detail=f"The field {field} allows at most {decimals} decimals.")
    value = Decimal(f"{whole or '0'}.{fraction}" if fraction else whole or "0")
    if not allow_zero and value == 0:
        raise ApiError("parameter_invalid", detail=f"The field {field} must be {what}, not {quoted(text)}.")
    return value


def parse_flag(field: str, text: str) -> bool:
    """``Y``/``yes`` is True, ``N``/``no`` is False (any case)."""
    lowered = text.lower()
    if lowered in _YES:
        return True
    if lowered in _NO:
        return False
    raise ApiError("parameter_invalid", detail=f"The field {field} must be Y or N, not {quoted(text)}.")


def parse_text(field: str, text: str, *, limit: int) -> str:
    if len(text) > limit:
        raise ApiError("string_parameter_too_long", field=field, limit=limit)
    return text


def decimal_text(value: Decimal) -> str:
    """A decimal as plain digits, without exponent or trailing fraction zeros (``100``, ``0.05``)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def money_text(value: Decimal) -> str:
    """A money amount with exactly two decimals (``5.95``, ``0.00``)."""
    return format(value.quantize(Decimal("0.01")), "f")


def clipped(text: str) -> str:
    """The client's text as an error message shows it: its first ``SHOWN_LIMIT`` characters, then ``...`` when it
    was longer."""
    return text if len(text) <= SHOWN_LIMIT else text[:SHOWN_LIMIT] + "..."


def quoted(text: str) -> str:
    """:func:`clipped` text in double quotes: ``"abc"``."""
    return '"' + clipped(text) + '"'


def yes_no(flag: bool) -> str:
    """``Y`` or ``N``: how the legacy documents write a flag."""
    return "Y" if flag else "N"
