"""Currency glyphs: the symbol shown beside an account's ISO 4217 currency code (``USD`` gives ``$``).

Legacy answers carry ``<currency>`` and ``<glyph>``; a currency missing from this table has an empty glyph,
as legacy answers show for some accounts.
"""

from __future__ import annotations

from typing import Final

__all__ = ["GLYPHS", "glyph_for"]

GLYPHS: Final[dict[str, str]] = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "CNY": "¥",
    "AUD": "$",
    "CAD": "$",
    "NZD": "$",
    "HKD": "$",
    "SGD": "$",
    "MXN": "$",
    "BRL": "R$",
    "INR": "₹",
    "KRW": "₩",
    "RUB": "₽",
    "TRY": "₺",
    "ILS": "₪",
    "PHP": "₱",
    "THB": "฿",
    "VND": "₫",
    "NGN": "₦",
    "UAH": "₴",
    "PLN": "zł",
    "ZAR": "R",
    "SEK": "kr",
    "NOK": "kr",
    "DKK": "kr",
    "CHF": "Fr",
    "RWF": "Fr",
}


def glyph_for(currency: str) -> str:
    """The glyph of ``currency`` (any case), ``""`` when unknown."""
    return GLYPHS.get(currency.upper(), "")
