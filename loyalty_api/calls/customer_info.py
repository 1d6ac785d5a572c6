"""``type=customer_info`` (a customer and their campaigns) and ``type=generate_card_number`` (an unused number)."""

from __future__ import annotations

from typing import Final

from loyalty_api.calls._context import CallContext
from loyalty_api.calls._customer_access import named_customer
from loyalty_api.customer_fields import (
    customer_element,
    generate_digits,
    membership_element,
    parse_card_number_request,
    wants,
)
from loyalty_api.errors import ApiError
from loyalty_api.store.interface import Store
from loyalty_api.store.models import Customer, Principal
from renderers import Element, el, response

__all__ = ["campaigns_element", "customer_info", "generate_card_number"]

_DEFAULT_DIGITS: Final = 16
_GENERATION_ATTEMPTS: Final = 50


async def customer_info(ctx: CallContext) -> Element:
    fields = ctx.fields
    include_balances = wants(fields, "include_balances", default=True)
    hide_custom = wants(fields, "hide_custom_field", default=False)
    only = fields.value("campaign_id")
    customer = await named_customer(ctx.store, ctx.principal, fields, ("code", "card_number"))
    children = [customer_element(customer, hide_custom=hide_custom)]
    if include_balances:
        memberships = await campaigns_element(ctx.store, ctx.principal, [customer], only=only)
        children.append(memberships[customer.pk])
    return response("success", children)


async def campaigns_element(
    store: Store, principal: Principal, customers: list[Customer], *, only: str | None = None
) -> dict[int, Element]:
    """``<campaigns>`` for each customer: the campaigns they belong to that the caller may see (only ``only``)."""
    found = await store.customer_memberships([customer.pk for customer in customers])
    elements: dict[int, Element] = {}
    for customer in customers:
        items = [
            membership_element(membership, principal.account)
            for membership in found.get(customer.pk, [])
            if principal.can_see(membership.campaign.campaign_id)
            and (only is None or membership.campaign.campaign_id == only)
        ]
        elements[customer.pk] = Element("campaigns", children=items, repeated=True)
    return elements


async def generate_card_number(ctx: CallContext) -> Element:
    request = parse_card_number_request(ctx.fields, "how_many_digits", _DEFAULT_DIGITS)
    assert request is not None
    for _ in range(_GENERATION_ATTEMPTS):
        candidate = generate_digits(request)
        if await ctx.store.get_customer(ctx.principal.account.pk, "card_number", candidate) is None:
            return response("success", [Element("customer", children=[el("card_number", candidate)])])
    raise ApiError(
        "parameter_invalid",
        detail="No unused card number of that form was found: ask for more digits in how_many_digits.",
    )
