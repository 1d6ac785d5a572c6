"""``type=record_customer``: ``customer_action`` ``new``, ``register`` (enrols themselves: registered Y) and
``edit`` (which, as the legacy service did, creates the customer when ``code`` is absent or names nobody; without
``code``, a ``card_number`` that a customer holds names that customer).  The action may also come in ``action``
(``calls/_table.py``); the legacy names ``address1``, ``address2`` and ``custom1`` are read as their fields.

Secrets are hashed before the write transaction (argon2id takes tens of milliseconds) and never leave it but as
hashes; the audit records only that they changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from loyalty_api.accounts.custom_fields import checked_values, field_name, sent_values
from loyalty_api.campaigns.access import visible_campaign_for_update
from loyalty_api.customers.access import audit_record, campaign_id_list
from loyalty_api.customers.fields import (
    SECRET_COLUMNS,
    CardNumberRequest,
    ProfileChanges,
    generate_digits,
    new_code,
    parse_card_number_request,
    parse_profile,
    parse_value,
    read_secrets,
    with_aliases,
)
from loyalty_api.customers.secrets import hash_secret
from loyalty_api.errors import ApiError
from loyalty_api.handler.context import Answer, CallContext
from loyalty_api.handler.fields import Fields
from loyalty_api.store.interface import CUSTOMER_KEYS, WriteTx
from loyalty_api.store.models import FIELD_COLUMNS, Change, Customer, Principal, utc_now
from loyalty_api.values import quoted
from renderers import Element, el, response

__all__ = ["record_customer_edit", "record_customer_new", "record_customer_register"]

_GENERATION_ATTEMPTS: Final = 50


@dataclass(slots=True)
class _Request:
    code: str | None
    profile: ProfileChanges
    card: CardNumberRequest | None
    campaign_ids: list[str]
    hashes: dict[str, str] = field(default_factory=dict)  # hash column -> argon2id hash
    # Custom fields numbered above the columns: number -> value ('' clears); the unique fields sent with a value.
    beyond: dict[int, str] = field(default_factory=dict)
    unique: dict[int, str] = field(default_factory=dict)


async def record_customer_new(ctx: CallContext) -> Answer:
    return await _record(ctx, registered=False, edit=False)


async def record_customer_register(ctx: CallContext) -> Answer:
    return await _record(ctx, registered=True, edit=False)


async def record_customer_edit(ctx: CallContext) -> Answer:
    return await _record(ctx, registered=False, edit=True)


async def _read(ctx: CallContext, *, edit: bool) -> _Request:
    fields = with_aliases(ctx.fields)
    code_text = fields.value("code")
    code = None if code_text is None else parse_value("code", code_text)
    profile = parse_profile(fields, clear_blank=edit)
    card = parse_card_number_request(fields, "card_number_generate", None)
    if card is not None and fields.value("card_number") is not None:
        raise ApiError(
            "parameter_mismatch",
            detail="Send card_number or card_number_generate, not both: the card number is given or generated.",
        )
    campaign_ids = campaign_id_list(fields, ctx.principal)
    request = _Request(code, profile, card, campaign_ids)
    await _read_custom_fields(ctx, fields, request, edit=edit)
    request.hashes = {SECRET_COLUMNS[name]: await hash_secret(secret) for name, secret in read_secrets(fields).items()}
    return request


async def _read_custom_fields(ctx: CallContext, fields: Fields, request: _Request, *, edit: bool) -> None:
    """The numbered custom fields sent, checked against the account's definitions: those of the columns into the
    profile, the others into ``beyond``; blank ones clear (``edit``) or are left out."""
    sent = sent_values(fields, "customer")
    if not sent:  # most requests: no definition to read
        return
    definitions = await ctx.store.list_fields(ctx.principal.account.pk, "customer")
    unique = {definition.number for definition in definitions if definition.unique}
    for number, value in checked_values("customer", definitions, sent).items():
        if not value and not edit:
            continue
        if number <= FIELD_COLUMNS:
            request.profile.values[field_name("customer", number)] = value
        else:
            request.beyond[number] = value
        if value and number in unique:
            request.unique[number] = value


async def _record(ctx: CallContext, *, registered: bool, edit: bool) -> Answer:
    request = await _read(ctx, edit=edit)
    principal = ctx.principal

    async def work(tx: WriteTx) -> Element:
        now = utc_now()
        existing = None
        if edit and request.code is not None:
            existing = await tx.customer_for_update(principal.account.pk, "code", request.code)
        elif edit and (card_number := request.profile.values.get("card_number")):
            existing = await tx.customer_for_update(principal.account.pk, "card_number", card_number)
        if request.card is not None:
            request.profile.values["card_number"] = await _free_card_number(tx, principal, request.card)
        if existing is None:
            customer = await _create(tx, principal, request, registered=registered, generated_code=edit)
        else:
            customer = await _change(tx, principal, existing, request)
        for campaign_id in request.campaign_ids:
            campaign = await visible_campaign_for_update(tx, principal, campaign_id)
            if await tx.enrol_customer(principal.account.pk, campaign.pk, customer.pk, principal.user_name, now):
                change = Change("campaign", None, campaign_id)
                await tx.append_audit(audit_record(principal, customer.code, "enrol", [change], now, campaign_id))
        children = [el("code", customer.code), el("card_number", customer.profile["card_number"])]
        return response("success", [Element("customer", children=children)])

    return await ctx.write_answer(work)


async def _free_card_number(tx: WriteTx, principal: Principal, card: CardNumberRequest) -> str:
    for _ in range(_GENERATION_ATTEMPTS):
        candidate = generate_digits(card)
        if await tx.customer_key_holder(principal.account.pk, "card_number", candidate) is None:
            return candidate
    raise ApiError(
        "parameter_invalid",
        detail="No unused card number of that form was found: ask for more digits in card_number_generate.",
    )


async def _check_free(tx: WriteTx, principal: Principal, values: dict[str, object], owner: int | None) -> None:
    for key in CUSTOMER_KEYS:
        value = values.get(key)
        if not isinstance(value, str) or not value:
            continue
        holder = await tx.customer_key_holder(principal.account.pk, key, value)
        if holder is not None and holder != owner:
            raise ApiError("customer_exists", field=key, value=quoted(value))


async def _create(
    tx: WriteTx, principal: Principal, request: _Request, *, registered: bool, generated_code: bool
) -> Customer:
    values: dict[str, object] = {name: value for name, value in request.profile.values.items() if value}
    code = request.code
    if code is None and not generated_code:
        card_number = values.get("card_number")
        code = card_number if isinstance(card_number, str) else None
    if code is None:
        code = new_code()
        while await tx.customer_key_holder(principal.account.pk, "code", code) is not None:
            code = new_code()
    values["code"] = code
    await _check_free(tx, principal, values, None)
    await _check_unique(tx, principal, request.unique, None)
    values.update(request.hashes)
    values["registered"] = registered
    now = utc_now()
    customer = await tx.insert_customer(principal.account.pk, values, now)
    beyond = {number: value for number, value in request.beyond.items() if value}
    if beyond:
        await tx.set_customer_field_values(principal.account.pk, customer.pk, beyond)
    changes = [Change(name, None, value) for name, value in request.profile.values.items() if value]
    changes += [Change(field_name("customer", number), None, value) for number, value in beyond.items()]
    changes += [Change(name, None, "changed") for name in _secret_fields(request)]
    if registered:
        changes.append(Change("registered", None, True))
    await tx.append_audit(audit_record(principal, code, "create", changes, now))
    return customer


async def _change(tx: WriteTx, principal: Principal, customer: Customer, request: _Request) -> Customer:
    values: dict[str, object] = {}
    changes: list[Change] = []
    for name, value in request.profile.values.items():
        old = customer.profile[name]
        if (value or "") != old:
            values[name] = value
            changes.append(Change(name, old or None, value or None))
    stored = await tx.customer_field_values(customer.pk) if request.beyond else {}
    beyond: dict[int, str | None] = {}
    for number, value in request.beyond.items():
        old = stored.get(number, "")
        if value != old:
            beyond[number] = value
            changes.append(Change(field_name("customer", number), old or None, value or None))
    await _check_free(tx, principal, values, customer.pk)
    changed = {
        number: value
        for number, value in request.unique.items()
        if number in beyond or field_name("customer", number) in values
    }
    await _check_unique(tx, principal, changed, customer.pk)
    values.update(request.hashes)
    changes += [Change(name, None, "changed") for name in _secret_fields(request)]
    if not values and not beyond:
        return customer
    updated = await tx.update_customer(customer.pk, values) if values else customer
    if beyond:
        await tx.set_customer_field_values(principal.account.pk, customer.pk, beyond)
    await tx.append_audit(audit_record(principal, customer.code, "update", changes, utc_now()))
    return updated


async def _check_unique(tx: WriteTx, principal: Principal, values: dict[int, str], owner: int | None) -> None:
    """``customer_exists`` when another customer of the account has one of these values of a unique field."""
    for number, value in sorted(values.items()):
        if await tx.custom_value_holder(principal.account.pk, number, value, owner) is not None:
            raise ApiError("customer_exists", field=field_name("customer", number), value=quoted(value))


def _secret_fields(request: _Request) -> list[str]:
    return [name for name, column in SECRET_COLUMNS.items() if column in request.hashes]
