"""``loyalty_api.values``: the number, flag and text rules, as properties.

The grammar of a number, written out again here independently of the implementation: ASCII digits
with at most one decimal separator (``.`` or ``,``), at least one digit, at most 12 digits before the
separator, at most ``decimals`` digits after it once trailing zeros are dropped; no sign, exponent,
space, thousands separator, NaN or Infinity.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from loyalty_api.errors import ApiError
from loyalty_api.values import (
    MONEY_DECIMALS,
    RATIO_DECIMALS,
    decimal_text,
    money_text,
    parse_flag,
    parse_number,
    parse_text,
)

_DIGITS: Final = st.text(alphabet="0123456789", max_size=14)
_REFERENCE: Final = re.compile(r"([0-9]*)(?:[.,]([0-9]*))?")


def _reference(text: str, decimals: int, allow_zero: bool) -> Decimal | None:
    """What ``text`` is worth under the rules, or None when it must be refused."""
    match = _REFERENCE.fullmatch(text)
    if match is None:
        return None
    whole, fraction = match.group(1), (match.group(2) or "")
    if not whole and not fraction:
        return None
    if len(whole) > 12 or len(fraction.rstrip("0")) > decimals:
        return None
    value = Decimal(int(whole or "0")) + (Decimal(int(fraction)) / 10 ** len(fraction) if fraction else 0)
    if value == 0 and not allow_zero:
        return None
    return value


def _parse(text: str, decimals: int, allow_zero: bool) -> Decimal:
    return parse_number("new_points_ratio", text, decimals=decimals, allow_zero=allow_zero, what="a number")


def _refused(text: str, decimals: int = RATIO_DECIMALS, allow_zero: bool = False) -> ApiError:
    with pytest.raises(ApiError) as caught:
        _parse(text, decimals, allow_zero)
    assert caught.value.code == "parameter_invalid"
    assert "new_points_ratio" in caught.value.message
    return caught.value


@st.composite
def _number_texts(draw: st.DrawFn) -> str:
    """Texts inside or near the grammar: digits, an optional separator, digits."""
    whole = draw(_DIGITS)
    separator = draw(st.sampled_from(["", ".", ","]))
    fraction = draw(_DIGITS) if separator else ""
    return whole + separator + fraction


@given(_number_texts(), st.sampled_from([RATIO_DECIMALS, MONEY_DECIMALS]), st.booleans())
@example("9,95", MONEY_DECIMALS, True)
@example("5.950", MONEY_DECIMALS, True)
@example("123456789012.9999", RATIO_DECIMALS, False)
@example("1234567890123", RATIO_DECIMALS, True)
@example(".", RATIO_DECIMALS, True)
@example(".0", RATIO_DECIMALS, False)
@example(",00", MONEY_DECIMALS, True)
@example("0,0", RATIO_DECIMALS, False)
def test_digits_and_one_separator(text: str, decimals: int, allow_zero: bool) -> None:
    expected = _reference(text, decimals, allow_zero)
    if expected is None:
        _refused(text, decimals, allow_zero)
        return
    value = _parse(text, decimals, allow_zero)
    assert isinstance(value, Decimal)
    assert value == expected
    assert value.is_finite() and value >= 0
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int) and -exponent <= decimals
    assert Decimal(decimal_text(value)) == value


@given(st.text(max_size=30), st.sampled_from([RATIO_DECIMALS, MONEY_DECIMALS]), st.booleans())
@example("NaN", RATIO_DECIMALS, True)
@example("-Infinity", RATIO_DECIMALS, True)
@example("1e3", RATIO_DECIMALS, True)
@example("1_000", RATIO_DECIMALS, True)
@example("+1", RATIO_DECIMALS, True)
@example("٣", RATIO_DECIMALS, True)
@example(" 1", RATIO_DECIMALS, True)
def test_any_text_is_a_value_or_parameter_invalid(text: str, decimals: int, allow_zero: bool) -> None:
    expected = _reference(text, decimals, allow_zero)
    if expected is None:
        _refused(text, decimals, allow_zero)
    else:
        assert _parse(text, decimals, allow_zero) == expected


_NEAR_MISSES: Final = st.one_of(
    st.tuples(st.sampled_from(["+", "-", "−"]), _number_texts()).map("".join),
    st.tuples(_number_texts(), st.sampled_from(["e", "E"]), st.sampled_from(["", "+", "-"]), _DIGITS).map("".join),
    st.tuples(_DIGITS, st.sampled_from([" ", "_", "'", "\u00a0", "\u202f"]), _DIGITS).map("".join),
    st.tuples(_DIGITS, st.sampled_from([".", ","]), _DIGITS, st.sampled_from([".", ","]), _DIGITS).map("".join),
    st.sampled_from(["NaN", "nan", "sNaN", "Inf", "inf", "Infinity", "-Infinity", "infinity", "0x1F", "١٢", "１２"]),
)


@given(_NEAR_MISSES)
def test_sign_exponent_grouping_and_specials_are_refused(text: str) -> None:
    error = _refused(text, RATIO_DECIMALS, True)
    assert error.http_status == 200


@pytest.mark.parametrize(("text", "value"), [("0", Decimal(0)), ("0.00", Decimal(0)), ("0,5", Decimal("0.5"))])
def test_zero_only_where_allowed(text: str, value: Decimal) -> None:
    assert _parse(text, MONEY_DECIMALS, True) == value
    if value == 0:
        assert "must be" in _refused(text, RATIO_DECIMALS, False).message


def test_messages_say_what_is_wrong() -> None:
    assert "12 digits" in _refused("1234567890123").message
    assert "4 decimals" in _refused("0.12345").message
    assert "2 decimals" in _refused("0.125", MONEY_DECIMALS, True).message
    long_text = "x" * 200
    assert len(_refused(long_text).message) < 120  # the text is shortened in the message


@pytest.mark.parametrize(("text", "wanted"), [("Y", True), ("y", True), ("yes", True), ("YeS", True), ("N", False)])
def test_flags(text: str, wanted: bool) -> None:
    assert parse_flag("coalition_opt_out", text) is wanted
    assert parse_flag("coalition_opt_out", text.swapcase()) is wanted


@given(st.text(max_size=8).filter(lambda t: t.lower() not in {"y", "yes", "n", "no"}))
def test_other_flags_are_refused(text: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_flag("two_tier_opt_out", text)
    assert caught.value.code == "parameter_invalid"
    assert "two_tier_opt_out" in caught.value.message


@given(st.text(max_size=20), st.integers(min_value=0, max_value=20))
def test_text_length_limit(text: str, limit: int) -> None:
    if len(text) <= limit:
        assert parse_text("description", text, limit=limit) == text
    else:
        with pytest.raises(ApiError) as caught:
            parse_text("description", text, limit=limit)
        assert caught.value.code == "string_parameter_too_long"
        assert "description" in caught.value.message and str(limit) in caught.value.message


@pytest.mark.parametrize(
    ("value", "decimal", "money"),
    [
        (Decimal("100"), "100", "100.00"),
        (Decimal("1E+2"), "100", "100.00"),
        (Decimal("0.0500"), "0.05", "0.05"),
        (Decimal("5.95"), "5.95", "5.95"),
        (Decimal("0"), "0", "0.00"),
        (Decimal("123456789012.9999"), "123456789012.9999", "123456789013.00"),
    ],
)
def test_decimal_and_money_text(value: Decimal, decimal: str, money: str) -> None:
    assert decimal_text(value) == decimal
    assert money_text(value) == money


@given(st.decimals(min_value=0, max_value=Decimal("999999999999.9999"), places=4))
def test_decimal_text_round_trips(value: Decimal) -> None:
    text = decimal_text(value)
    assert re.fullmatch(r"[0-9]+(\.[0-9]*[1-9])?", text), text
    assert Decimal(text) == value
    assert _parse(text, RATIO_DECIMALS, True) == value
