"""The calls that list and change an account's custom field definitions: ``manage_fields`` (customers),
``transaction_fields`` and ``manage_reward_fields``, each with ``action`` list, add, update or delete
(``docs/customers.md``).  Every user of the account may list; administrators alone may change.  Every answer is the
account's whole list, as the legacy ``delete`` answered it.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Final

from loyalty_api.accounts.custom_fields import (
    CHOICE_LIMIT,
    LABEL_LIMIT,
    MAX_CHOICES,
    MAX_FIELD_NUMBER,
    MAX_FIELDS,
    field_name,
    field_number,
)
from loyalty_api.accounts.field_labels import forget_labels
from loyalty_api.accounts.permissions import ADMINS
from loyalty_api.errors import ApiError
from loyalty_api.handler.context import CallContext
from loyalty_api.handler.fields import Fields
from loyalty_api.store.interface import WriteTx
from loyalty_api.store.models import FIELD_TYPES, Change, FieldDefinition, NewAudit, Principal, utc_now
from loyalty_api.values import parse_flag, quoted, yes_no
from renderers import Element, el, node, response

__all__ = ["FIXED_CUSTOMER_FIELDS", "add_fields", "delete_fields", "list_fields", "update_fields"]

#: The customer fields every account has, as ``manage_fields`` lists them (name, label, type); none can be deleted.
FIXED_CUSTOMER_FIELDS: Final = (
    ("card_number", "Card #", "Text"),
    ("first_name", "First Name", "Text"),
    ("last_name", "Last Name", "Text"),
    ("phone", "Phone", "Text"),
    ("email", "Email", "Text"),
    ("street1", "Street 1", "Text"),
    ("street2", "Street 2", "Text"),
    ("city", "City", "Text"),
    ("state", "State", "Text"),
    ("postal_code", "Zip", "Text"),
    ("country", "Country", "Text"),
    ("customer_username", "Username", "Text"),
    ("customer_PIN", "PIN", "Text"),
    ("customer_password", "Password", "Text"),
    ("custom_date", "Custom Date", "Date"),
    ("custom_field_1", "Custom Field", "Text"),
)
# The fixed names a delete refuses: those listed, and the legacy database's name of postal_code.
_FIXED_NAMES: Final = frozenset({name for name, _label, _type in FIXED_CUSTOMER_FIELDS} | {"zip"})
_UNIQUE_FIXED: Final = frozenset({"card_number", "customer_username"})
_SECRETS: Final = frozenset({"customer_PIN", "customer_password"})
_SETTINGS: Final = ("label", "show", "type", "choices", "searchable", "unique")
_SETTING: Final = {
    kind: re.compile(rf"{re.escape(field_name(kind, 0)[:-1])}([1-9]\d{{0,8}})_({'|'.join(_SETTINGS)})", re.ASCII)
    for kind in ("customer", "transaction", "reward")
}
_TYPES: Final = {name.lower(): name for name in FIELD_TYPES}
_CHOICE_TYPES: Final = frozenset({"List", "Pick"})


async def list_fields(ctx: CallContext, kind: str) -> Element:
    definitions = await ctx.store.list_fields(ctx.principal.account.pk, kind)
    return _answer(ctx.principal, kind, definitions)


async def add_fields(ctx: CallContext, kind: str) -> Element:
    return await _change(ctx, kind, adding=True)


async def update_fields(ctx: CallContext, kind: str) -> Element:
    return await _change(ctx, kind, adding=False)


async def delete_fields(ctx: CallContext, kind: str) -> Element:
    principal = _administrator(ctx)
    names = _field_list(ctx.fields)

    async def work(tx: WriteTx) -> Element:
        account_pk = principal.account.pk
        definitions = {d.number: d for d in await tx.fields_for_update(account_pk, kind)}
        now = utc_now()
        for name in names:
            if kind == "customer" and name in _FIXED_NAMES:
                raise ApiError("field_not_deletable", field=name)
            number = field_number(kind, name)
            if number is None or number not in definitions:
                raise ApiError("field_not_found", field=quoted(name))
            old = definitions.pop(number)
            await tx.delete_field(account_pk, kind, number)
            await tx.append_audit(_audit(principal, kind, name, "delete", _changes(old, None), now))
        return _answer(principal, kind, sorted(definitions.values(), key=lambda d: d.number))

    answer = await ctx.store.write(work)
    forget_labels(ctx.store, principal.account.pk)
    return answer


def _administrator(ctx: CallContext) -> Principal:
    principal = ctx.principal
    if principal.role not in ADMINS:
        raise ApiError("permission_denied", user_id=principal.user_name, what="change custom field definitions")
    return principal


def _field_list(fields: Fields) -> list[str]:
    """``field_list``: names separated by ``|`` (or commas), duplicates dropped."""
    text = fields.required("field_list")
    names = list(dict.fromkeys(part.strip() for part in re.split(r"[|,]", text) if part.strip()))
    if len(names) > MAX_FIELD_NUMBER:
        raise ApiError(
            "parameter_invalid",
            detail=f"The field field_list names at most {MAX_FIELD_NUMBER} fields, not {len(names)}.",
        )
    if not names:
        raise ApiError("parameter_missing", field="field_list")
    return names


def _settings(fields: Fields, kind: str) -> dict[int, dict[str, str]]:
    """The settings sent (``custom_field_N_label`` ...), by number: setting -> trimmed text ('' when blank)."""
    found: dict[int, dict[str, str]] = {}
    pattern = _SETTING[kind]
    for name in fields.names():
        match = pattern.fullmatch(name)
        if match is not None:
            found.setdefault(int(match.group(1)), {})[match.group(2)] = (fields.raw(name) or "").strip()
    return found


async def _change(ctx: CallContext, kind: str, *, adding: bool) -> Element:
    principal = _administrator(ctx)
    requested = _settings(ctx.fields, kind)
    if not requested:
        raise ApiError("parameter_missing", field=f"{field_name(kind, 0)[:-1]}#_label")
    lowest = 2 if kind == "customer" else 1  # custom_field_1 is a fixed customer field
    for number in requested:
        if not lowest <= number <= MAX_FIELD_NUMBER:
            raise ApiError(
                "parameter_invalid",
                detail=f"The field {field_name(kind, number)} cannot be defined: the numbers go from {lowest} to"
                f" {MAX_FIELD_NUMBER}.",
            )

    async def work(tx: WriteTx) -> Element:
        account_pk = principal.account.pk
        definitions = {d.number: d for d in await tx.fields_for_update(account_pk, kind)}
        now = utc_now()
        for number in sorted(requested):
            name = field_name(kind, number)
            old = definitions.get(number)
            if adding and old is not None:
                raise ApiError("field_exists", field=name)
            new = _definition(kind, number, requested[number], old)
            definitions[number] = new
            if len(definitions) > MAX_FIELDS:
                raise ApiError("too_many_fields", limit=MAX_FIELDS, kind=kind, count=len(definitions) - 1)
            if old is None:
                await tx.insert_field(account_pk, new, now)
                await tx.append_audit(_audit(principal, kind, name, "create", _changes(None, new), now))
            elif new != old:
                await tx.update_field(account_pk, new, now)
                await tx.append_audit(_audit(principal, kind, name, "update", _changes(old, new), now))
        return _answer(principal, kind, sorted(definitions.values(), key=lambda d: d.number))

    answer = await ctx.store.write(work)
    forget_labels(ctx.store, principal.account.pk)
    return answer


def _definition(kind: str, number: int, sent: dict[str, str], old: FieldDefinition | None) -> FieldDefinition:
    """The definition ``sent`` makes (a new field), or makes of ``old`` (whose type and uniqueness stay)."""
    name = field_name(kind, number)
    label = sent.get("label") or (old.label if old is not None else "")
    if not label:
        raise ApiError("parameter_missing", field=f"{name}_label")
    if len(label) > LABEL_LIMIT:
        raise ApiError("string_parameter_too_long", field=f"{name}_label", limit=LABEL_LIMIT)
    type_ = old.type if old is not None else _type(name, sent.get("type") or "Text")
    unique = old.unique if old is not None else _flag(name, sent, "unique", default=False)
    if unique and type_ != "Text":
        raise ApiError("parameter_mismatch", detail=f"Only Text fields may be unique; {name} is a {type_} field.")
    choices = old.choices if old is not None else ()
    if sent.get("choices"):
        if type_ not in _CHOICE_TYPES:
            raise ApiError(
                "parameter_mismatch",
                detail=f"The field {name}_choices is for List and Pick fields; {name} is a {type_} field.",
            )
        choices = _choices(name, sent["choices"])
    if type_ in _CHOICE_TYPES and not choices:
        raise ApiError("parameter_missing", field=f"{name}_choices")
    return FieldDefinition(
        kind=kind,
        number=number,
        label=label,
        show=_flag(name, sent, "show", default=old.show if old is not None else False),
        type=type_,
        choices=choices,
        searchable=_flag(name, sent, "searchable", default=old.searchable if old is not None else False),
        unique=unique,
    )


def _type(name: str, text: str) -> str:
    found = _TYPES.get(text.lower())
    if found is None:
        raise ApiError(
            "parameter_invalid", detail=f"The field {name}_type must be Text, Date, List or Pick, not {quoted(text)}."
        )
    return found


def _flag(name: str, sent: dict[str, str], setting: str, *, default: bool) -> bool:
    text = sent.get(setting)
    return parse_flag(f"{name}_{setting}", text) if text else default


def _choices(name: str, text: str) -> tuple[str, ...]:
    """``"Single, Married, Other"``: the choices, trimmed, duplicates (ignoring case) dropped."""
    items: dict[str, str] = {}
    for part in text.split(","):
        choice = part.strip()
        if len(choice) > CHOICE_LIMIT:
            raise ApiError("string_parameter_too_long", field=f"{name}_choices (one choice)", limit=CHOICE_LIMIT)
        if choice:
            items.setdefault(choice.lower(), choice)
    if len(items) > MAX_CHOICES:
        raise ApiError(
            "parameter_invalid",
            detail=f"The field {name}_choices holds at most {MAX_CHOICES} choices, not {len(items)}.",
        )
    return tuple(items.values())


def _changes(old: FieldDefinition | None, new: FieldDefinition | None) -> list[Change]:
    def shown(definition: FieldDefinition | None) -> dict[str, str | bool | None]:
        if definition is None:
            return dict.fromkeys(_SETTINGS)
        return {
            "label": definition.label,
            "show": definition.show,
            "type": definition.type,
            "choices": ", ".join(definition.choices) or None,
            "searchable": definition.searchable,
            "unique": definition.unique,
        }

    before, after = shown(old), shown(new)
    return [
        Change(setting, before[setting], after[setting]) for setting in _SETTINGS if before[setting] != after[setting]
    ]


def _audit(principal: Principal, kind: str, name: str, action: str, changes: list[Change], at: datetime) -> NewAudit:
    return NewAudit(
        account_pk=principal.account.pk,
        user_name=principal.user_name,
        entity=f"{kind}_field",
        entity_id=name,
        action=action,
        changes=tuple(changes),
        at=at,
    )


def _answer(principal: Principal, kind: str, definitions: list[FieldDefinition]) -> Element:
    items: list[Element] = []
    if kind == "customer":
        for name, label, type_ in FIXED_CUSTOMER_FIELDS:
            searchable = name not in _SECRETS  # customer_search takes every fixed field but the secrets
            items.append(_field_element(name, label, True, type_, (), searchable, name in _UNIQUE_FIXED))
    for d in definitions:
        items.append(
            _field_element(field_name(kind, d.number), d.label, d.show, d.type, d.choices, d.searchable, d.unique)
        )
    account = node(
        "account", [el("account_id", principal.account.account_id), Element("fields", children=items, repeated=True)]
    )
    return response("success", [account])


def _field_element(
    name: str, label: str, show: bool, type_: str, choices: tuple[str, ...], searchable: bool, unique: bool
) -> Element:
    children = [el("name", name), el("label", label), el("show", yes_no(show)), el("type", type_)]
    if type_ in _CHOICE_TYPES:
        children.append(Element("choices", children=[el("choice", choice) for choice in choices], repeated=True))
    children += [el("searchable", yes_no(searchable)), el("unique", yes_no(unique))]
    return node("field", children)
