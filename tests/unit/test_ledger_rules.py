"""The rules of record_activity (``loyalty_api/ledger/rules.py``): what a sale adds in each campaign type (points
rounded down, an earned campaign's amount per event, the largest entry), and reading the transaction custom fields
from what the request sent (``Fields.sent``), as properties: the same values, in the same order, and the same first
error, as asking for every name in turn."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Final

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from loyalty_api.accounts.custom_fields import sent_values
from loyalty_api.customers.fields import parse_value
from loyalty_api.errors import ApiError
from loyalty_api.handler.fields import Fields
from loyalty_api.ledger.rules import MAX_ENTRY_CENTS, Sale, plan_sale, transaction_fields
from loyalty_api.store.models import Campaign

# Transaction custom fields without definitions: 1 to 20 take free text, others need a definition.
_NUMBERED: Final = tuple(f"custom_field_{n}" for n in (1, 2, 3, 20, 21))
_NAMES: Final = st.sampled_from(
    [*_NUMBERED, "custom_field_01", "custom_field", "amount", "service_product"]
    + ["buyx_quantity", "promo_id", "code", "type"]
)
_VALUES: Final = st.sampled_from(["", "  ", "x", " kept ", "9,95", "0", "3", "W", "x" * 1001]) | st.text(max_size=5)
_FIELDS: Final = st.dictionaries(_NAMES, _VALUES, max_size=8)


def _outcome(call: Callable[[], dict[str, str]]) -> dict[str, str] | tuple[str, str]:
    try:
        return call()
    except ApiError as error:
        return (error.code, error.message)


def _reference_transaction_fields(fields: Fields) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in _NUMBERED:  # in number order
        text = fields.value(name)
        if text is None:
            continue
        if name == "custom_field_21":
            raise ApiError("parameter_invalid", detail="not defined")
        found[name] = parse_value(name, text)
    return found


@given(_FIELDS)
@example({"custom_field_2": "x" * 1001, "custom_field_1": "x" * 1001})
@example({"custom_field_3": "  ", "custom_field_1": "a"})
@example({"custom_field_21": "x", "custom_field_1": "x" * 1001})
def test_transaction_fields_without_definitions_take_free_text_up_to_20(data: dict[str, str]) -> None:
    fields = Fields(data)
    found = _outcome(lambda: transaction_fields(sent_values(fields, "transaction"), []))
    expected = _outcome(lambda: _reference_transaction_fields(fields))
    if isinstance(found, tuple) and isinstance(expected, tuple):  # the same error (messages differ in wording)
        assert found[0] == expected[0]
    else:
        assert found == expected
    if isinstance(found, dict):
        assert list(found) == [name for name in _NUMBERED if name in found]


@given(_FIELDS, st.frozensets(_NAMES))
def test_sent_is_the_names_present_blank_or_not(data: dict[str, str], names: frozenset[str]) -> None:
    assert Fields(data).sent(names) == {name for name in names if Fields(data).raw(name) is not None}


# --- what a sale adds ----------------------------------------------------------------------------------------------

_WHEN: Final = datetime(2026, 11, 23, tzinfo=UTC)
_NOTHING: Final = "The amount gives nothing to record (it rounds down to 0)."
_TOO_LARGE: Final = "The amount is too large for one transaction."


def _campaign(kind: str, *, points_ratio: str | None = None, amount_per_event: Decimal | None = None) -> Campaign:
    ratio = None if points_ratio is None else Decimal(points_ratio)
    return Campaign(
        1, 1, "C1", kind, "C", None, ratio, None, amount_per_event, False, False, True, None, None, _WHEN, _WHEN
    )


def _refusal(campaign: Campaign, fields: dict[str, str]) -> tuple[str, str]:
    with pytest.raises(ApiError) as refused:
        plan_sale(campaign, Fields(fields))
    return refused.value.code, refused.value.message


@pytest.mark.parametrize(
    ("ratio", "amount", "cents"),
    [
        ("0.3333", "2", 66),  # 66.66 hundredths: 66 rounded down, 67 to the nearest
        ("1.5", "0.01", 1),  # 1.5: 1 rounded down, 2 half-even
        ("0.5", "0.03", 1),  # 1.5: 1 rounded down, 2 half-even
        ("0.9999", "9.99", 998),  # 998.9001: 998 rounded down, 999 to the nearest
        ("50", "0.01", 50),  # exact
    ],
)
def test_points_are_the_amount_times_the_ratio_rounded_down(ratio: str, amount: str, cents: int) -> None:
    sale = plan_sale(_campaign("points", points_ratio=ratio), Fields({"amount": amount}))
    assert sale == Sale(amount_cents=cents, purchase_cents=int(Decimal(amount) * 100))


def test_points_rounding_down_to_nothing_are_refused() -> None:
    # 0.02 x 0.3333 = 0.6666 hundredths: 0 rounded down, 1 to the nearest.
    assert _refusal(_campaign("points", points_ratio="0.3333"), {"amount": "0.02"}) == ("parameter_invalid", _NOTHING)


@pytest.mark.parametrize("per_event", [None, Decimal("0.00"), Decimal(0), Decimal("-1.00")])
def test_an_earned_campaign_without_an_amount_per_event_refuses(per_event: Decimal | None) -> None:
    assert _refusal(_campaign("earned", amount_per_event=per_event), {}) == (
        "parameter_invalid",
        "Campaign C1 has no amount_per_event to add (set it with campaign_update).",
    )


def test_an_earned_campaign_adds_its_amount_per_event() -> None:
    assert plan_sale(_campaign("earned", amount_per_event=Decimal("0.01")), Fields({})) == Sale(amount_cents=1)


def test_the_largest_entry_is_accepted_and_one_hundredth_more_refused() -> None:
    largest = plan_sale(_campaign("points", points_ratio="100"), Fields({"amount": "100000000000"}))
    assert largest.amount_cents == MAX_ENTRY_CENTS == 10**15
    over = _campaign("points", points_ratio="100.001")  # 99,999,000,010 x 100.001 x 100 = 10^15 + 1
    assert _refusal(over, {"amount": "99999000010"}) == ("parameter_invalid", _TOO_LARGE)
    per_event = Decimal(MAX_ENTRY_CENTS) / 100
    assert plan_sale(_campaign("earned", amount_per_event=per_event), Fields({})).amount_cents == MAX_ENTRY_CENTS
    more = _campaign("earned", amount_per_event=per_event + Decimal("0.01"))
    assert _refusal(more, {}) == ("parameter_invalid", _TOO_LARGE)
