"""What the calls that append entries (record_activity, redeem, transaction_delete) share: the customer's key, the
campaign entries go to, and the customer, each with the error that answers when it is missing."""

from __future__ import annotations

from typing import Final, NamedTuple

from loyalty_api.accounts.custom_fields import sent_values
from loyalty_api.campaigns.access import check_visible
from loyalty_api.customers.access import lookup_key
from loyalty_api.errors import ApiError
from loyalty_api.handler.context import CallContext
from loyalty_api.ledger.rules import parse_authorization, transaction_fields
from loyalty_api.store.interface import WriteTx
from loyalty_api.store.models import Campaign, Customer, Principal
from loyalty_api.values import quoted

__all__ = ["CUSTOMER_KEYS", "EntryRequest", "entry_campaign", "entry_customer", "read_entry_request"]

#: The fields that name the customer of an entry, in the order they are looked for.
CUSTOMER_KEYS: Final = ("code", "card_number")


class EntryRequest(NamedTuple):
    """What a call appending an entry (record_activity, redeem) reads before its transaction."""

    key: str  # "code" or "card_number"
    value: str
    campaign_id: str
    authorization: str
    custom_fields: dict[str, str]


async def read_entry_request(ctx: CallContext) -> EntryRequest:
    """The customer's key, the campaign (which the caller must be allowed to see), the entry's authorization and
    transaction custom fields (checked against the account's definitions, read only when some were sent); in that
    order of checks."""
    fields = ctx.fields
    key, value = lookup_key(fields, CUSTOMER_KEYS)
    campaign_id = fields.required("campaign_id")
    check_visible(ctx.principal, campaign_id)
    authorization = parse_authorization(fields)
    sent = sent_values(fields, "transaction")
    custom: dict[str, str] = {}
    if sent:  # nearly every request sends none: no definition to read
        definitions = await ctx.store.list_fields(ctx.principal.account.pk, "transaction")
        custom = transaction_fields(sent, definitions)
    return EntryRequest(key, value, campaign_id, authorization, custom)


async def entry_campaign(tx: WriteTx, principal: Principal, campaign_id: str) -> Campaign:
    """The live, active campaign entries are appended to (share-locked), else the error to answer."""
    campaign = await tx.campaign_for_entries(principal.account.pk, campaign_id)
    if campaign is None:
        raise ApiError("campaign_not_found", campaign_id=campaign_id)
    if not campaign.active:
        raise ApiError("campaign_inactive", campaign_id=campaign_id)
    return campaign


async def entry_customer(tx: WriteTx, principal: Principal, key: str, value: str) -> Customer:
    """The customer named by ``key``, locked until the transaction ends, else ``customer_not_found``."""
    customer = await tx.customer_for_update(principal.account.pk, key, value)
    if customer is None:
        raise ApiError("customer_not_found", field=key, value=quoted(value))
    return customer
