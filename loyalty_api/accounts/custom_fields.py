"""Custom fields: the rules of their definitions and of their values, shared by the customer, transaction and reward
fields (``manage_fields``, ``transaction_fields``, ``manage_reward_fields``; ``docs/customers.md``).

Pure functions.  A field is ``custom_field_N`` (a
customer's or a transaction's) or ``reward_custom_field_N`` (a reward's); its definition gives its label, whether it
is shown, its type and choices, and whether it is searchable and unique.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Final

from loyalty_api.errors import ApiError
from loyalty_api.handler.fields import Fields
from loyalty_api.store.models import FIELD_COLUMNS, FieldDefinition
from loyalty_api.values import quoted

__all__ = [
    "CHOICE_LIMIT",
    "FIELD_CALLS",
    "FREE_TEXT_LIMIT",
    "LABEL_LIMIT",
    "MAX_CHOICES",
    "MAX_FIELDS",
    "MAX_FIELD_NUMBER",
    "SEARCHABLE_TEXT_LIMIT",
    "TEXT_LIMIT",
    "check_value",
    "checked_values",
    "field_name",
    "field_number",
    "sent_values",
]

#: The call that defines each kind of field (named in error messages).
FIELD_CALLS: Final = {
    "customer": "manage_fields",
    "transaction": "transaction_fields",
    "reward": "manage_reward_fields",
}
#: Limits of the definitions (docs/security.md): numbers 1 (2 for customers) to MAX_FIELD_NUMBER, at most MAX_FIELDS
#: definitions of each kind per account, labels of LABEL_LIMIT characters, MAX_CHOICES choices of CHOICE_LIMIT each.
MAX_FIELD_NUMBER: Final = 100
MAX_FIELDS: Final = 50
LABEL_LIMIT: Final = 100
MAX_CHOICES: Final = 50
CHOICE_LIMIT: Final = 100
#: The longest value of a Text field; of a searchable or unique one; of a field without a definition (1 to 20).
TEXT_LIMIT: Final = 64000
SEARCHABLE_TEXT_LIMIT: Final = 255
FREE_TEXT_LIMIT: Final = 1000
_PREFIXES: Final = {"customer": "custom_field_", "transaction": "custom_field_", "reward": "reward_custom_field_"}
_NUMBERED: Final = {
    kind: re.compile(rf"{re.escape(prefix)}([1-9]\d{{0,8}})", re.ASCII) for kind, prefix in _PREFIXES.items()
}
_DATE: Final = re.compile(r"(\d{4})[-.](\d\d)[-.](\d\d)(?:[ T](\d\d):(\d\d)(?::(\d\d))?)?", re.ASCII)
# What legacy clients send for "no date" (a form's empty date, the legacy API's own empty date).
_NO_DATE: Final = frozenset({"--", "0000-00-00", "0000-00-00 00:00:00", "0000.00.00", "0000.00.00 00:00:00"})


def field_name(kind: str, number: int) -> str:
    """``custom_field_N`` or ``reward_custom_field_N``."""
    return f"{_PREFIXES[kind]}{number}"


def field_number(kind: str, name: str) -> int | None:
    """N of a field name of ``kind`` (``custom_field_N``), None for any other name."""
    match = _NUMBERED[kind].fullmatch(name)
    return None if match is None else int(match.group(1))


def sent_values(fields: Fields, kind: str) -> dict[int, str]:
    """The numbered fields of ``kind`` the request sent, blank ones included: number -> trimmed text ('' blank)."""
    found: dict[int, str] = {}
    prefix = _PREFIXES[kind]
    pattern = _NUMBERED[kind]
    for name in fields.names():
        match = pattern.fullmatch(name) if name.startswith(prefix) else None
        if match is not None:
            found[int(match.group(1))] = (fields.raw(name) or "").strip()
    return found


def checked_values(kind: str, definitions: Iterable[FieldDefinition], sent: Mapping[int, str]) -> dict[int, str]:
    """``sent`` checked against the definitions and normalised, in number order ('' : no value).  A number without
    a definition takes free text up to 20 (the customers' columns, and the numbers transactions always took), and
    is ``parameter_invalid`` above (unless blank: then it is left out)."""
    by_number = {definition.number: definition for definition in definitions}
    checked: dict[int, str] = {}
    for number in sorted(sent):
        name = field_name(kind, number)
        definition = by_number.get(number)
        text = sent[number]
        if definition is None and number > FIELD_COLUMNS:
            if not text:
                continue  # blank: nothing to keep, nothing to clear

            raise ApiError(
                "parameter_invalid",
                detail=f"The field {name} is not defined in this account (define it with {FIELD_CALLS[kind]}"
                " first); only custom_field_1 to custom_field_20 take text without a definition.",
            )
        checked[number] = check_value(definition, name, text) if text else ""
    return checked


def check_value(definition: FieldDefinition | None, name: str, text: str) -> str:
    """A field's value (trimmed, not blank) checked against its definition and normalised; '' for a Date field's
    "no date" (``0000-00-00``, ``--``)."""
    limit = _limit(definition)
    if len(text) > limit:
        raise ApiError("string_parameter_too_long", field=name, limit=limit)
    if definition is None or definition.type == "Text":
        return text
    if definition.type == "Date":
        return _date(name, text)
    choices = {choice.lower(): choice for choice in definition.choices}
    if definition.type == "Pick":
        picked = choices.get(text.lower())
        if picked is None:
            raise ApiError("parameter_invalid", detail=f"The field {name} must be one of {_listed(definition)}.")
        return picked
    items = [item.strip() for item in text.split(",") if item.strip()]
    unknown = [item for item in items if item.lower() not in choices]
    if unknown or not items:
        raise ApiError(
            "parameter_invalid",
            detail=f"The field {name} must be a comma list of {_listed(definition)}, not {quoted(text)}.",
        )
    return ",".join(dict.fromkeys(choices[item.lower()] for item in items))


def _limit(definition: FieldDefinition | None) -> int:
    if definition is None:
        return FREE_TEXT_LIMIT
    return SEARCHABLE_TEXT_LIMIT if definition.searchable or definition.unique else TEXT_LIMIT


def _listed(definition: FieldDefinition) -> str:
    return ", ".join(definition.choices)


def _date(name: str, text: str) -> str:
    if text in _NO_DATE:
        return ""
    match = _DATE.fullmatch(text)
    try:
        if match is None:
            raise ValueError(text)
        year, month, day, hour, minute, second = (int(part) if part else 0 for part in match.groups())
        moment = datetime(year, month, day, hour, minute, second)
    except ValueError:
        raise ApiError(
            "parameter_invalid",
            detail=f"The field {name} must be a date, YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, not {quoted(text)}.",
        ) from None
    return moment.strftime("%Y-%m-%d %H:%M:%S" if match.group(4) else "%Y-%m-%d")
