"""``type=record_activity``: a sale, a load, a visit, an event or purchases of a buyx item, answered by a receipt.

Every user of the account may record, in the campaigns they may see.  The customer is enrolled in the campaign by
their first entry in it.  A deactivated campaign refuses new entries (``campaign_inactive``).  The checks come in
the order campaign, fields, buyx item, customer: the store locks the customer and appends in one step
(``WriteTx.record_sale``), and redeem takes its locks in the same order (campaign, item, customer).
"""

from __future__ import annotations

from typing import NamedTuple

from loyalty_api.calls._campaign_access import check_visible
from loyalty_api.calls._context import Answer, CallContext
from loyalty_api.calls._customer_access import lookup_key
from loyalty_api.calls.buyx_items import find_item
from loyalty_api.customer_fields import shown
from loyalty_api.errors import ApiError
from loyalty_api.ledger_receipt import Receipt, receipt_element
from loyalty_api.ledger_rules import parse_authorization, parse_transaction_fields, plan_sale
from loyalty_api.store.interface import SaleWork, WriteTx
from loyalty_api.store.ledger_models import NewSale, RecordedSale
from loyalty_api.store.models import Campaign, Customer, Principal, utc_now
from renderers import Element, response

__all__ = ["CUSTOMER_KEYS", "EntryRequest", "entry_campaign", "entry_customer", "read_entry_request", "record_activity"]

CUSTOMER_KEYS = ("code", "card_number")


async def record_activity(ctx: CallContext) -> Answer:
    fields = ctx.fields
    principal = ctx.principal
    key, value, campaign_id, authorization, custom_fields = read_entry_request(ctx)

    async def work(tx: WriteTx) -> SaleWork[Element]:
        account_pk = principal.account.pk
        campaign = await entry_campaign(tx, principal, campaign_id)
        sale = plan_sale(campaign, fields)
        item = None if sale.item_name is None else await find_item(tx, campaign, sale.item_name)
        now = utc_now()
        entry = NewSale(
            account_pk=account_pk,
            customer_key=key,
            customer_value=value,
            campaign_pk=campaign.pk,
            user_name=principal.user_name,
            at=now,
            amount_cents=sale.amount_cents,
            purchase_cents=sale.purchase_cents,
            authorization=authorization,
            service_product="" if item is None else str(item.pk),
            custom_fields=custom_fields,
        )

        def receipt(recorded: RecordedSale | None) -> Element:
            if recorded is None:
                raise ApiError("customer_not_found", field=key, value=shown(value))
            appended = recorded.entry
            sums = appended.total if item is None else appended.item
            description = authorization or (campaign.name if item is None else item.description)
            answer = Receipt(
                campaign,
                recorded.customer,
                appended.pk,
                now,
                sale.amount_cents,
                sale.purchase_cents,
                description,
                sums,
                item,
            )
            return response("success", [receipt_element(principal, answer)])

        return entry, receipt

    return await ctx.write_sale_answer(work)


class EntryRequest(NamedTuple):
    """What a call appending an entry (record_activity, redeem) reads before its transaction."""

    key: str  # "code" or "card_number"
    value: str
    campaign_id: str
    authorization: str
    custom_fields: dict[str, str]


def read_entry_request(ctx: CallContext) -> EntryRequest:
    """The customer's key, the campaign (which the caller must be allowed to see), the entry's authorization and
    transaction custom fields; in that order of checks."""
    fields = ctx.fields
    key, value = lookup_key(fields, CUSTOMER_KEYS)
    campaign_id = fields.required("campaign_id")
    check_visible(ctx.principal, campaign_id)
    return EntryRequest(key, value, campaign_id, parse_authorization(fields), parse_transaction_fields(fields))


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
        raise ApiError("customer_not_found", field=key, value=shown(value))
    return customer
