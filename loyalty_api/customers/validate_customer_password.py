"""``type=validate_customer_password``: does the customer named by ``code``, ``card_number`` or
``customer_username`` have this ``customer_password`` and/or ``customer_PIN`` (and ``phone``, when sent)?

Every given field must match.  The lockout (``customers/lockout.py``) is checked and the attempt recorded before any
secret is verified.  An unknown customer, or a secret never set, is verified against a dummy hash: the answers and
their timing are those of a wrong secret.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from loyalty_api.customers import lockout as customer_login
from loyalty_api.customers.access import lookup_key
from loyalty_api.customers.fields import SECRET_COLUMNS, read_secrets
from loyalty_api.customers.secrets import verify_secret
from loyalty_api.errors import ApiError
from loyalty_api.handler.context import CallContext
from loyalty_api.store.interface import WriteTx
from loyalty_api.store.models import Customer
from renderers import Element, response

__all__ = ["validate_customer_password", "verify_login"]

_IDENTIFIERS: Final = ("code", "card_number", "customer_username")


async def validate_customer_password(ctx: CallContext) -> Element:
    fields = ctx.fields
    key, value = lookup_key(fields, _IDENTIFIERS)
    secrets = read_secrets(fields)
    if not secrets:
        raise ApiError("parameter_missing", field="customer_password or customer_PIN")
    if await verify_login(ctx, key, value, secrets, lambda customer: _others_match(customer, ctx)) is None:
        raise ApiError("invalid_customer_credentials")
    return response("success")


async def verify_login(
    ctx: CallContext, key: str, value: str, secrets: dict[str, str], others_match: Callable[[Customer], bool]
) -> Customer | None:
    """The customer whose ``key`` is ``value`` when every secret (field -> secret) is theirs and ``others_match``
    accepts them, else None (unknown customer, wrong secret, other fields: one answer, the same work); under the
    lockout, whose refusal is ``too_many_attempts``.  Also the login of ``customer_search``."""
    account_pk = ctx.principal.account.pk
    customer = await ctx.store.get_customer(account_pk, key, value)
    subject = customer_login.subject_of(customer, key, value)
    now = customer_login.clock()

    async def reserve(tx: WriteTx) -> bool:
        since = now - customer_login.WINDOW
        return await tx.reserve_login_attempt(account_pk, subject, now, since, customer_login.MAX_FAILURES)

    if not await ctx.store.write(reserve):
        raise ApiError("too_many_attempts", subject="customer")
    matched = customer is not None and others_match(customer)
    for name, secret in secrets.items():
        stored = None if customer is None else getattr(customer, SECRET_COLUMNS[name])
        # Every secret is verified, whatever the others gave: the same work for every kind of failure.
        matched = await verify_secret(stored, secret) and matched
    if not matched:
        return None

    async def clear(tx: WriteTx) -> None:
        await tx.clear_login_failures(account_pk, subject)

    await ctx.store.write(clear)
    return customer


def _others_match(customer: Customer, ctx: CallContext) -> bool:
    """The identifiers and the phone sent beside the first identifier name the same customer."""
    fields = ctx.fields
    for name in (*_IDENTIFIERS, "phone"):
        text = fields.value(name)
        if text is None:
            continue
        stored = customer.code if name == "code" else customer.profile[name]
        if (stored.casefold() != text.casefold()) if name == "phone" else stored != text:
            return False
    return True
