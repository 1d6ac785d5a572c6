"""Reading record_activity's transaction custom fields from what the request sent (``Fields.sent``), as properties:
the same values, in the same order, and the same first error, as asking for every name in turn."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from hypothesis import example, given
from hypothesis import strategies as st

from loyalty_api.customers.fields import parse_value
from loyalty_api.errors import ApiError
from loyalty_api.handler.fields import Fields
from loyalty_api.ledger.rules import TRANSACTION_FIELDS, parse_transaction_fields

_NAMES: Final = st.sampled_from(
    [*TRANSACTION_FIELDS[:3], "custom_field_20", "custom_field_21", "custom_field", "amount", "service_product"]
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
    for name in TRANSACTION_FIELDS:
        text = fields.value(name)
        if text is not None:
            found[name] = parse_value(name, text)
    return found


@given(_FIELDS)
@example({"custom_field_2": "x" * 1001, "custom_field_1": "x" * 1001})
@example({"custom_field_3": "  ", "custom_field_1": "a"})
def test_transaction_fields_as_when_every_name_was_asked_for(data: dict[str, str]) -> None:
    fields = Fields(data)
    found = _outcome(lambda: parse_transaction_fields(fields))
    assert found == _outcome(lambda: _reference_transaction_fields(fields))
    if isinstance(found, dict):
        assert list(found) == [name for name in TRANSACTION_FIELDS if name in found]


@given(_FIELDS, st.frozensets(_NAMES))
def test_sent_is_the_names_present_blank_or_not(data: dict[str, str], names: frozenset[str]) -> None:
    assert Fields(data).sent(names) == {name for name in names if Fields(data).raw(name) is not None}
