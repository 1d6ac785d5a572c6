"""``customer_search`` (criteria on fields), ``customer_find`` (free text) and ``customer_exists``.

Search and find answer the same shapes: in XML each ``<customer>`` straight under ``<response>`` (legacy clients
read ``$result['customer']``, one or many), in JSON always a ``"customers"`` array; ``status="no_match"`` when
nothing matches (with a message, and in JSON an empty ``"customers"``).

A search with ``customer_password`` or ``customer_PIN`` is a login: ``card_number`` or ``customer_username`` names
one customer exactly, and the secrets are verified as ``validate_customer_password`` does, under its lockout; a
wrong secret answers ``no_match``, as an unknown card does.
"""

from __future__ import annotations

import re
from typing import Final

from loyalty_api.accounts.custom_fields import field_name, sent_values
from loyalty_api.accounts.field_labels import labels_of
from loyalty_api.customers.access import lookup_key
from loyalty_api.customers.documents import beyond_values, campaigns_element, customer_element
from loyalty_api.customers.fields import NO_DATES, SECRET_FIELDS, read_secrets, wants, with_aliases
from loyalty_api.customers.validate_customer_password import verify_login
from loyalty_api.errors import ApiError
from loyalty_api.handler.context import CallContext
from loyalty_api.handler.fields import Fields
from loyalty_api.store.models import (
    CUSTOMER_PROFILE_FIELDS,
    FIELD_COLUMNS,
    Customer,
    CustomerMatch,
    CustomerQuery,
    FieldDefinition,
)
from loyalty_api.values import quoted
from renderers import Element, el, response

__all__ = ["NO_MATCH", "customer_exists", "customer_find", "customer_search", "find_groups"]

NO_MATCH: Final = "No customer matches data provided."
EXISTS: Final = "The information entered matches an existing customer."
DEFAULT_LENGTH: Final = 100
MAX_LENGTH: Final = 1000
# The work one search may ask for (docs/security.md): each word is a substring test over every field of every
# customer of the account, each criterion one over one field.
FIND_MAX_CHARACTERS: Final = 256
FIND_MAX_GROUPS: Final = 10
FIND_MAX_WORDS: Final = 20
SEARCH_VALUE_LIMIT: Final = 255
_SEARCH_FIELDS: Final = ("code", *CUSTOMER_PROFILE_FIELDS)
_EXACT_MODES: Final = {"insensitive": "insensitive", "sensitive": "sensitive"}
_COUNT: Final = re.compile(r"\d{1,9}", re.ASCII)
# The fields that name the customer of a login (customer_search with a secret), the first sent wins; each one sent
# must be the customer's, exactly.
_LOGIN_KEYS: Final = ("card_number", "customer_username")
# customer_exists: field -> how it compares
_EXISTS_FIELDS: Final = {
    "card_number": "sensitive",
    "code": "sensitive",
    "customer_username": "sensitive",
    "email": "insensitive",
}


async def customer_search(ctx: CallContext) -> Element:
    fields = with_aliases(ctx.fields)
    mode = _exact_mode(fields)
    criteria = [
        CustomerMatch(name, mode, _search_value(name, value))
        for name in _SEARCH_FIELDS
        if (value := fields.value(name)) is not None and not (name == "custom_date" and value in NO_DATES)
    ]
    definitions = await ctx.store.list_fields(ctx.principal.account.pk, "customer")
    defined = {definition.number for definition in definitions}
    for number, value in sent_values(fields, "customer").items():
        name = field_name("customer", number)
        if number <= FIELD_COLUMNS or not value:
            continue  # a column's criterion is among the others; a blank one is no criterion
        if number not in defined:
            raise ApiError(
                "parameter_invalid",
                detail=f"The field {name} is not defined in this account, so no customer has it (manage_fields).",
            )
        criteria.append(CustomerMatch(name, mode, _search_value(name, value)))
    read_secrets(fields)  # the limits
    # A secret sent, even blank (which no customer has), makes the search a login.
    secrets = {name: raw for name in SECRET_FIELDS if (raw := fields.raw(name)) is not None}
    if secrets:
        return await _login(ctx, fields, tuple(criteria), secrets, definitions)
    return await _answer(ctx, fields, tuple(criteria), None, definitions)


async def _login(
    ctx: CallContext,
    fields: Fields,
    criteria: tuple[CustomerMatch, ...],
    secrets: dict[str, str],
    definitions: list[FieldDefinition],
) -> Element:
    """The one customer whose card number (or username) and secrets these are, and who meets the other criteria."""
    key, value = lookup_key(fields, _LOGIN_KEYS)
    _search_value(key, value)

    def others_match(customer: Customer) -> bool:
        return all(customer.profile[name] == sent for name in _LOGIN_KEYS if (sent := fields.value(name)) is not None)

    customer = await verify_login(ctx, key, value, secrets, others_match)
    if customer is None:
        return _no_match()
    others = tuple(match for match in criteria if match.column not in _LOGIN_KEYS)
    login = (CustomerMatch("code", "sensitive", customer.code), *others)
    return await _answer(ctx, fields, login, None, definitions)


async def customer_find(ctx: CallContext) -> Element:
    groups = find_groups(ctx.fields.required("find_customer"))
    definitions = await ctx.store.list_fields(ctx.principal.account.pk, "customer")
    return await _answer(ctx, ctx.fields, (), groups, definitions)


def find_groups(text: str) -> tuple[tuple[str, ...], ...]:
    """``find_customer``'s alternatives (commas) of words (spaces), within the limits of one search."""
    if len(text) > FIND_MAX_CHARACTERS:
        raise ApiError(
            "parameter_invalid",
            detail=f"The field find_customer may hold at most {FIND_MAX_CHARACTERS} characters, not {len(text)}.",
        )
    groups = tuple(tuple(words) for part in text.split(",") if (words := part.split()))
    if not groups:
        raise ApiError(
            "parameter_invalid",
            detail="The field find_customer must hold words to look for (commas separate alternatives),"
            f" not {quoted(text)}.",
        )
    count = sum(len(group) for group in groups)
    if len(groups) > FIND_MAX_GROUPS or count > FIND_MAX_WORDS:
        raise ApiError(
            "parameter_invalid",
            detail=f"The field find_customer may hold at most {FIND_MAX_WORDS} words in at most {FIND_MAX_GROUPS}"
            f" alternatives, not {count} words in {len(groups)}.",
        )
    return groups


def _search_value(name: str, value: str) -> str:
    if len(value) > SEARCH_VALUE_LIMIT:
        raise ApiError(
            "parameter_invalid",
            detail=f"A search on {name} takes at most {SEARCH_VALUE_LIMIT} characters, not {len(value)}.",
        )
    return value


async def customer_exists(ctx: CallContext) -> Element:
    fields = ctx.fields
    criteria = tuple(
        CustomerMatch(name, mode, _search_value(name, value))
        for name, mode in _EXISTS_FIELDS.items()
        if (value := fields.value(name))
    )
    if not criteria:
        raise ApiError("parameter_missing", field="card_number, code, customer_username or email")
    page = await ctx.store.search_customers(ctx.principal.account.pk, CustomerQuery(criteria=criteria, limit=1))
    if page.total == 0:
        return response("no_match", [el("message", NO_MATCH)])
    return response("success", [el("message", EXISTS)])


def _exact_mode(fields: Fields) -> str:
    text = fields.value("exact_match")
    if text is None:
        return "contains"
    mode = _EXACT_MODES.get(text.lower())
    if mode is None:
        raise ApiError(
            "parameter_invalid", detail=f"The field exact_match must be insensitive or sensitive, not {quoted(text)}."
        )
    return mode


def _count(fields: Fields, name: str, default: int) -> int:
    text = fields.value(name)
    if text is None:
        return default
    if _COUNT.fullmatch(text) is None:
        raise ApiError(
            "parameter_invalid", detail=f"The field {name} must be a whole number of at least 0, not {quoted(text)}."
        )
    return int(text)


def _no_match() -> Element:
    """Nothing found: the message, and in JSON an empty ``customers`` array (nothing in XML)."""
    return response(
        "no_match", [el("message", NO_MATCH), Element("customers", children=[], repeated=True, inline=True)]
    )


async def _first_campaign(ctx: CallContext, fields: Fields, include_balances: bool) -> str | None:
    """``campaign_id`` with ``include_balances``: the campaign listed first in each customer's campaigns."""
    campaign_id = fields.value("campaign_id")
    if campaign_id is None or not include_balances:
        return None
    principal = ctx.principal
    if not principal.can_see(campaign_id) or await ctx.store.get_campaign(principal.account.pk, campaign_id) is None:
        raise ApiError("campaign_not_found", campaign_id=campaign_id)
    return campaign_id


async def _answer(
    ctx: CallContext,
    fields: Fields,
    criteria: tuple[CustomerMatch, ...],
    groups: tuple[tuple[str, ...], ...] | None,
    definitions: list[FieldDefinition],
) -> Element:
    include_balances = wants(fields, "include_balances", default=False)
    first = await _first_campaign(ctx, fields, include_balances)
    offset = _count(fields, "offset", 0)
    length = min(_count(fields, "length", DEFAULT_LENGTH), MAX_LENGTH)
    query = CustomerQuery(criteria=criteria, any_words=groups, offset=offset, limit=length)
    page = await ctx.store.search_customers(ctx.principal.account.pk, query)
    if page.total == 0:
        return _no_match()
    campaigns = (
        await campaigns_element(ctx.store, ctx.principal, page.customers, first=first) if include_balances else {}
    )
    labels = labels_of(definitions)
    beyond = await beyond_values(ctx.store, labels, page.customers)
    items = [
        customer_element(
            customer,
            extra=[campaigns[customer.pk]] if include_balances else None,
            labels=labels,
            beyond=beyond.get(customer.pk),
        )
        for customer in page.customers
    ]
    pagination = Element(
        "pagination", children=[el("total", page.total), el("offset", offset), el("length", len(items))]
    )
    return response("success", [Element("customers", children=items, repeated=True, inline=True), pagination])
