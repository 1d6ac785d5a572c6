"""How customers are written out in answers: ``<customer>``, and the ``<campaigns>`` they belong to."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Final

from loyalty_api.accounts.field_labels import FIRST_LABEL, labelled_field
from loyalty_api.customers.fields import CUSTOM_FIELDS
from loyalty_api.store.interface import Store
from loyalty_api.store.models import NUMBERED_CUSTOM_FIELDS, Account, Customer, Membership, Principal
from loyalty_api.values import decimal_text, money_text, yes_no
from renderers import Element, el

__all__ = ["beyond_values", "campaigns_element", "customer_element", "membership_element"]

_NUMBERED: Final = frozenset(NUMBERED_CUSTOM_FIELDS)
# The order of a customer's fields in answers (the legacy documentation's, then the numbered custom fields).
_OUTPUT_ORDER: Final = (
    "card_number",
    "first_name",
    "last_name",
    "phone",
    "email",
    "street1",
    "street2",
    "city",
    "state",
    "postal_code",
    "country",
    "custom_date",
    "custom_field",
    "customer_username",
    *(f"custom_field_{n}" for n in range(1, 21)),
)


def customer_element(
    customer: Customer,
    *,
    labels: Mapping[str, str],
    hide_custom: bool = False,
    extra: list[Element] | None = None,
    beyond: Mapping[str, str] | None = None,
) -> Element:
    """``<customer>`` with every field but the secrets, then ``registered`` and ``created``.  Each numbered custom
    field is ``<custom_field_N><label/><data/></custom_field_N>``: its label in ``labels`` (``custom_field_N`` ->
    label, of the account's definitions) and its value; after ``custom_field_20``, the defined fields numbered
    above, their values in ``beyond``."""
    children = [el("code", customer.code)]
    profile = customer.profile
    for name in _OUTPUT_ORDER:
        if name in CUSTOM_FIELDS:
            if hide_custom:
                continue
            if name in _NUMBERED:
                children.append(labelled_field(name, _label(labels, name), profile[name]))
                continue
        children.append(el(name, profile[name]))
    if not hide_custom:
        values = beyond or {}
        for name, label in labels.items():
            if name not in _NUMBERED:
                children.append(labelled_field(name, label, values.get(name, "")))
    children.append(el("registered", yes_no(customer.registered)))
    children.append(el("created", customer.created_at.strftime("%Y-%m-%d %H:%M:%S")))
    children.extend(extra or [])
    return Element("customer", children=children)


def _label(labels: Mapping[str, str], name: str) -> str:
    label = labels.get(name)
    if label is None:
        return FIRST_LABEL if name == "custom_field_1" else ""
    return label


def _amount(cents: int, campaign_type: str) -> str:
    value = Decimal(cents) / 100
    return money_text(value) if campaign_type == "giftcard" else decimal_text(value)


def membership_element(membership: Membership, account: Account) -> Element:
    campaign = membership.campaign
    return Element(
        "campaign",
        children=[
            el("id", campaign.campaign_id),
            el("name", campaign.name),
            el("type", campaign.type),
            el("balance", _amount(membership.balance_cents, campaign.type)),
            el("cumulative", _amount(membership.cumulative_cents, campaign.type)),
            el("first_transaction", membership.first_at.strftime("%Y-%m-%d")),
            el("last_transaction", membership.last_at.strftime("%Y-%m-%d")),
            el("in_coalition", yes_no(account.in_coalition and not campaign.coalition_opt_out)),
        ],
    )


async def campaigns_element(
    store: Store, principal: Principal, customers: list[Customer], *, only: str | None = None, first: str | None = None
) -> dict[int, Element]:
    """``<campaigns>`` for each customer: the campaigns they belong to that the caller may see (only ``only``), the
    campaign ``first`` (when they belong to it) before the others."""
    found = await store.customer_memberships([customer.pk for customer in customers])
    elements: dict[int, Element] = {}
    for customer in customers:
        memberships = [
            membership
            for membership in found.get(customer.pk, [])
            if principal.can_see(membership.campaign.campaign_id)
            and (only is None or membership.campaign.campaign_id == only)
        ]
        if first is not None:  # a stable sort: the others keep their order
            memberships.sort(key=lambda membership: membership.campaign.campaign_id != first)
        items = [membership_element(membership, principal.account) for membership in memberships]
        elements[customer.pk] = Element("campaigns", children=items, repeated=True)
    return elements


async def beyond_values(
    store: Store, labels: Mapping[str, str], customers: list[Customer]
) -> dict[int, dict[str, str]]:
    """For each customer, their values of the defined fields numbered above the columns (``custom_field_N`` ->
    text); nothing read when none is defined."""
    if not customers or all(name in _NUMBERED for name in labels):
        return {}
    found = await store.custom_field_values([customer.pk for customer in customers])
    return {
        customer.pk: {f"custom_field_{number}": value for number, value in found.get(customer.pk, {}).items()}
        for customer in customers
    }
