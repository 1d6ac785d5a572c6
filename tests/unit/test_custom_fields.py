"""The rules of custom field values (``accounts/custom_fields.py``), one definition type at a time, and the names
of numbered fields."""

from __future__ import annotations

import pytest

from loyalty_api.accounts.custom_fields import check_value, checked_values, field_name, field_number, sent_values
from loyalty_api.errors import ApiError
from loyalty_api.handler.fields import Fields
from loyalty_api.store.models import FieldDefinition

DATE = FieldDefinition("customer", 3, "Birthday", True, "Date")
LIST = FieldDefinition("customer", 4, "Cheeses", True, "List", ("Gouda", "Emental", "Swiss"))
PICK = FieldDefinition("customer", 2, "Status", True, "Pick", ("Single", "Married"))
TEXT = FieldDefinition("customer", 5, "Notes", True, "Text")
SEARCHABLE = FieldDefinition("customer", 6, "Member", True, "Text", searchable=True)


def _error(definition: FieldDefinition | None, text: str) -> str:
    with pytest.raises(ApiError) as caught:
        check_value(definition, "custom_field_9", text)
    return caught.value.code


@pytest.mark.parametrize(
    ("definition", "text", "kept"),
    [
        (DATE, "2012-07-28", "2012-07-28"),
        (DATE, "2012.07.28 22:59:59", "2012-07-28 22:59:59"),
        (DATE, "2012-07-28 22:59", "2012-07-28 22:59:00"),
        (DATE, "2012-07-28T00:00:00", "2012-07-28 00:00:00"),
        (DATE, "2024-02-29", "2024-02-29"),
        (DATE, "0000-00-00", ""),
        (DATE, "0000-00-00 00:00:00", ""),
        (DATE, "--", ""),
        (LIST, "swiss", "Swiss"),
        (LIST, "Swiss,gouda,SWISS", "Swiss,Gouda"),
        (PICK, "MARRIED", "Married"),
        (TEXT, "x" * 64000, "x" * 64000),
        (SEARCHABLE, "x" * 255, "x" * 255),
        (None, "x" * 1000, "x" * 1000),
    ],
)
def test_values_kept(definition: FieldDefinition | None, text: str, kept: str) -> None:
    assert check_value(definition, "custom_field_9", text) == kept


@pytest.mark.parametrize(
    ("definition", "text", "code"),
    [
        (DATE, "2023-02-29", "parameter_invalid"),
        (DATE, "2012-7-28", "parameter_invalid"),
        (DATE, "2012-07-28 24:00:00", "parameter_invalid"),
        (DATE, "20120728", "parameter_invalid"),
        (LIST, "Brie", "parameter_invalid"),
        (LIST, " , ", "parameter_invalid"),
        (PICK, "Single,Married", "parameter_invalid"),
        (TEXT, "x" * 64001, "string_parameter_too_long"),
        (SEARCHABLE, "x" * 256, "string_parameter_too_long"),
        (None, "x" * 1001, "string_parameter_too_long"),
        (LIST, "x" * 64001, "string_parameter_too_long"),
    ],
)
def test_values_refused(definition: FieldDefinition | None, text: str, code: str) -> None:
    assert _error(definition, text) == code


def test_names_and_numbers() -> None:
    assert field_name("reward", 3) == "reward_custom_field_3"
    assert field_number("reward", "reward_custom_field_3") == 3
    assert field_number("customer", "reward_custom_field_3") is None
    assert field_number("customer", "custom_field_03") is None
    assert field_number("transaction", "custom_field_0") is None


def test_sent_values_are_the_numbered_fields_blank_ones_included() -> None:
    fields = Fields({"custom_field_3": " a ", "custom_field_22": " ", "custom_field": "x", "custom_field_3_label": "L"})
    assert sent_values(fields, "customer") == {3: "a", 22: ""}
    assert sent_values(Fields({"reward_custom_field_1": "r", "custom_field_2": "c"}), "reward") == {1: "r"}


def test_checked_values_in_number_order() -> None:
    checked = checked_values("customer", [DATE, LIST], {4: "gouda", 3: "", 2: "free", 30: ""})
    assert list(checked.items()) == [(2, "free"), (3, ""), (4, "Gouda")]
    with pytest.raises(ApiError) as caught:
        checked_values("customer", [DATE], {21: "x"})
    assert caught.value.code == "parameter_invalid" and "manage_fields" in caught.value.message
