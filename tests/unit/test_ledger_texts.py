"""How ledger amounts and times are written in receipts, as properties: ``cents_text`` against the Decimal
arithmetic it replaced, ``stamp_text`` against ``strftime``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Final

from hypothesis import example, given
from hypothesis import strategies as st

from loyalty_api.ledger.receipt import stamp_text
from loyalty_api.ledger.rules import cents_text
from loyalty_api.values import decimal_text, money_text

KINDS: Final = st.sampled_from(["points", "giftcard", "earned", "events", "buyx"])
_LIMIT: Final = 10**28  # Decimal's default precision: where the reference's division starts to round


def _reference(cents: int, kind: str) -> str:
    """The Decimal version: hundredths divided by 100, money with 2 decimals, anything else without trailing zeros."""
    value = Decimal(cents) / Decimal(100)
    if kind in ("giftcard", "earned"):
        return money_text(value)
    return decimal_text(value)


def _outcome(cents: int, kind: str, text_of: Callable[[int, str], str]) -> str:
    try:
        return text_of(cents, kind)
    except InvalidOperation:  # money beyond 28 digits: quantize refuses
        return "InvalidOperation"


@given(
    st.integers()
    | st.integers(-(10**6), 10**6)
    | st.integers(_LIMIT - 10**4, _LIMIT + 10**4)
    | st.integers(-_LIMIT - 10**4, -_LIMIT + 10**4),
    KINDS,
)
@example(0, "points")
@example(0, "giftcard")
@example(5, "points")
@example(5, "giftcard")
@example(50, "points")
@example(50, "earned")
@example(105, "points")
@example(105, "giftcard")
@example(-5, "points")
@example(-5, "giftcard")
@example(-50, "points")
@example(-100, "events")
@example(1000, "points")
@example(_LIMIT - 1, "points")
@example(_LIMIT - 1, "giftcard")
@example(_LIMIT, "points")
@example(_LIMIT, "giftcard")
@example(-_LIMIT + 1, "giftcard")
@example(-_LIMIT, "points")
@example(_LIMIT + 1, "points")
@example(10**40 + 1, "points")
@example(-(10**40) - 5, "giftcard")
def test_cents_text_is_the_decimal_text(cents: int, kind: str) -> None:
    assert _outcome(cents, kind, cents_text) == _outcome(cents, kind, _reference)


@given(st.integers(-(10**15), 10**15))
def test_cents_text_reads_back_as_the_amount(cents: int) -> None:
    money, points = cents_text(cents, "giftcard"), cents_text(cents, "points")
    assert Decimal(money) * 100 == Decimal(points) * 100 == cents
    assert money.partition(".")[2].isdigit() and len(money.partition(".")[2]) == 2
    assert not points.endswith("0") or "." not in points


_OFFSETS: Final = st.integers(-23 * 60, 23 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))


@given(
    st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(9999, 12, 30)),
    st.sampled_from([UTC, None]) | _OFFSETS,
)
@example(datetime(2026, 11, 23, 15, 41, 34, 999999), UTC)
@example(datetime(2026, 1, 1, 0, 30), timezone(timedelta(hours=1)))
@example(datetime(1000, 1, 2), UTC)
def test_stamp_text_is_strftime_in_utc(moment: datetime, zone: timezone | None) -> None:
    aware = moment.replace(tzinfo=zone)
    assert stamp_text(aware) == aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(999, 12, 31)).map(lambda d: d.replace(tzinfo=UTC)))
@example(datetime(5, 1, 1, 12, tzinfo=UTC))
def test_stamp_text_before_year_1000_as_strftime_writes_it(moment: datetime) -> None:
    assert stamp_text(moment) == moment.strftime("%Y-%m-%d %H:%M:%S")


@given(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    st.lists(st.integers(-2_000_000, 2_000_000), min_size=1, max_size=8),
    st.sampled_from([UTC, None]) | _OFFSETS,
)
@example(datetime(2026, 11, 23, 15, 41, 34), [0, 999_999, 1_000_000, 999_999, -1, 0], UTC)
@example(datetime(9999, 12, 31, 23, 59, 57), [2_999_999, 2_999_999, 2_000_000, 2_999_999], UTC)
def test_stamp_text_of_moments_close_together(moment: datetime, shifts_us: list[int], zone: timezone | None) -> None:
    """The last second's text is kept for the next stamps: moments around it (the same second, the ones before and
    after, the last second there is) are each written as strftime writes them."""
    for shift in shifts_us:
        aware = (moment + timedelta(microseconds=shift)).replace(tzinfo=zone)
        assert stamp_text(aware) == aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
