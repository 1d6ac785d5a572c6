"""``type=customer_info``: a customer, named by ``code`` or ``card_number``, and the campaigns they belong to."""

from __future__ import annotations

from loyalty_api.accounts.field_labels import labels_of
from loyalty_api.customers.access import named_customer
from loyalty_api.customers.documents import beyond_values, campaigns_element, customer_element
from loyalty_api.customers.fields import wants
from loyalty_api.handler.context import CallContext
from renderers import Element, response

__all__ = ["customer_info"]


async def customer_info(ctx: CallContext) -> Element:
    fields = ctx.fields
    include_balances = wants(fields, "include_balances", default=True)
    hide_custom = wants(fields, "hide_custom_field", default=False)
    only = fields.value("campaign_id")
    customer = await named_customer(ctx.store, ctx.principal, fields, ("code", "card_number"))
    labels: dict[str, str] = {}
    beyond: dict[int, dict[str, str]] = {}
    if not hide_custom:
        labels = labels_of(await ctx.store.list_fields(ctx.principal.account.pk, "customer"))
        beyond = await beyond_values(ctx.store, labels, [customer])
    element = customer_element(customer, labels=labels, hide_custom=hide_custom, beyond=beyond.get(customer.pk))
    children = [element]
    if include_balances:
        memberships = await campaigns_element(ctx.store, ctx.principal, [customer], only=only)
        children.append(memberships[customer.pk])
    return response("success", children)
