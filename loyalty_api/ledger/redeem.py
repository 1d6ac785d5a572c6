"""``type=redeem``: points, money, events or buyx purchases taken from a customer's balance, answered by a receipt.

Every user of the account may redeem, in the campaigns they may see.  More than the balance is
``insufficient_balance`` and records nothing.  The customer row stays locked from the balance check to the commit,
so concurrent redemptions of one customer run one after the other and none can spend what another spent.
"""

from __future__ import annotations

from loyalty_api.accounts.field_labels import receipt_labels
from loyalty_api.campaigns.rewards import find_item, find_reward
from loyalty_api.errors import ApiError
from loyalty_api.handler.context import Answer, CallContext
from loyalty_api.ledger.entries import entry_campaign, entry_customer, read_entry_request
from loyalty_api.ledger.receipt import Receipt, coalition_total, coalition_type, customer_beyond_values, receipt_element
from loyalty_api.ledger.redemption import plan_redemption
from loyalty_api.ledger.rules import cents_text
from loyalty_api.store.interface import WriteTx
from loyalty_api.store.ledger_models import CustomerCard, NewLedgerEntry
from loyalty_api.store.models import utc_now
from renderers import Element, response

__all__ = ["redeem"]


async def redeem(ctx: CallContext) -> Answer:
    fields = ctx.fields
    principal = ctx.principal
    key, value, campaign_id, authorization, custom_fields = await read_entry_request(ctx)
    labels = await receipt_labels(ctx.store, principal.account.pk)

    async def work(tx: WriteTx) -> Element:
        campaign = await entry_campaign(tx, principal, campaign_id)
        plan = plan_redemption(campaign, fields)
        # The same order of locks as record_activity's: the campaign, its item or reward, then the customer.
        item = None if plan.item_name is None else await find_item(tx, campaign, plan.item_name)
        reward = None if plan.reward_name is None else await find_reward(tx, campaign, plan.reward_name)
        customer = await entry_customer(tx, principal, key, value)
        cost = plan.cost_cents
        if cost is None:
            named = item if item is not None else reward
            assert named is not None
            cost = named.level * 100
        service_product = "" if item is None else str(item.pk)
        before = await tx.ledger_sums(campaign.pk, customer.pk, service_product if item is not None else None)
        if cost > before.balance_cents:
            raise ApiError(
                "insufficient_balance",
                needed=cents_text(cost, campaign.type),
                balance=cents_text(before.balance_cents, campaign.type),
            )
        now = utc_now()
        appended = await tx.append_ledger_entry(
            NewLedgerEntry(
                account_pk=principal.account.pk,
                campaign_pk=campaign.pk,
                customer_pk=customer.pk,
                user_name=principal.user_name,
                at=now,
                amount_cents=-cost,
                purchase_cents=None,
                authorization=authorization,
                service_product=service_product,
                redeemed=True,
                custom_fields=custom_fields,
            )
        )
        sums = appended.total if item is None else appended.item
        described = item if item is not None else reward
        description = authorization or (described.description if described is not None else campaign.name)
        account = principal.account
        pool = coalition_type(account, campaign)
        pooled = None if pool is None else await tx.coalition_cumulative(account.pk, customer.pk, pool)
        coalition = coalition_total(account, campaign, sums, pooled)
        card = CustomerCard.of(customer)
        beyond = await customer_beyond_values(tx, customer.pk, labels)
        receipt = Receipt(
            campaign, card, appended.pk, now, -cost, None, description, sums, item, coalition, labels, beyond
        )
        return response("success", [receipt_element(principal, receipt)])

    return await ctx.write_answer(work)
