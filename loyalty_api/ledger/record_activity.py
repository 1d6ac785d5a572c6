"""``type=record_activity``: a sale, a load, a visit, an event or purchases of a buyx item, answered by a receipt.

Every user of the account may record, in the campaigns they may see.  The customer is enrolled in the campaign by
their first entry in it.  A deactivated campaign refuses new entries (``campaign_inactive``).  The checks come in
the order campaign, fields, buyx item, customer: the store locks the customer and appends in one step
(``WriteTx.record_sale``), and redeem takes its locks in the same order (campaign, item, customer).
"""

from __future__ import annotations

from loyalty_api.accounts.field_labels import receipt_labels
from loyalty_api.campaigns.rewards import find_item
from loyalty_api.errors import ApiError
from loyalty_api.handler.context import Answer, CallContext
from loyalty_api.ledger.entries import entry_campaign, read_entry_request
from loyalty_api.ledger.promotion import applied_promotion, sale_promotion
from loyalty_api.ledger.receipt import Receipt, beyond_values, coalition_total, coalition_type, receipt_element
from loyalty_api.ledger.rules import plan_sale
from loyalty_api.store.interface import SaleWork, WriteTx, run_sale
from loyalty_api.store.ledger_models import NewSale, RecordedSale
from loyalty_api.store.models import utc_now
from loyalty_api.values import quoted
from renderers import Element, response

__all__ = ["record_activity"]


async def record_activity(ctx: CallContext) -> Answer:
    fields = ctx.fields
    principal = ctx.principal
    key, value, campaign_id, authorization, custom_fields = await read_entry_request(ctx)
    labels = await receipt_labels(ctx.store, principal.account.pk)
    promo_text = fields.value("promo_id")

    async def work(tx: WriteTx) -> SaleWork[Element]:
        account_pk = principal.account.pk
        campaign = await entry_campaign(tx, principal, campaign_id)
        sale = plan_sale(campaign, fields)
        item = None if sale.item_name is None else await find_item(tx, campaign, sale.item_name)
        beyond = await beyond_values(tx, account_pk, key, value, labels)
        now = utc_now()
        amount_cents, applied = sale.amount_cents, None
        if promo_text is not None and campaign.type == "points":
            promotion = await sale_promotion(tx, principal, campaign, promo_text, now)
            applied = applied_promotion(promotion, amount_cents)
            amount_cents += applied.points_cents
        entry = NewSale(
            account_pk=account_pk,
            customer_key=key,
            customer_value=value,
            campaign_pk=campaign.pk,
            user_name=principal.user_name,
            at=now,
            amount_cents=amount_cents,
            purchase_cents=sale.purchase_cents,
            authorization=authorization,
            service_product="" if item is None else str(item.pk),
            custom_fields=custom_fields,
            coalition_type=coalition_type(principal.account, campaign),
            promo_pk=None if applied is None else applied.promotion.pk,
        )

        def receipt(recorded: RecordedSale | None) -> Element:
            if recorded is None:
                raise ApiError("customer_not_found", field=key, value=quoted(value))
            appended = recorded.entry
            sums = appended.total if item is None else appended.item
            description = authorization or (campaign.name if item is None else item.description)
            answer = Receipt(
                campaign,
                recorded.customer,
                appended.pk,
                now,
                amount_cents,
                sale.purchase_cents,
                description,
                sums,
                item,
                coalition_total(principal.account, campaign, sums, recorded.coalition_cumulative),
                labels,
                beyond,
                applied,
            )
            return response("success", [receipt_element(principal, answer)])

        return entry, receipt

    if promo_text is not None:  # an ordinary write: the sale's entry is then marked with its promotion
        return await ctx.write_answer(lambda tx: run_sale(tx, work))
    return await ctx.write_sale_answer(work)
