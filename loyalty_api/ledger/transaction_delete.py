"""``type=transaction_delete``: a transaction is never removed; a reversing entry (its amount negated) is appended.

Administrators, and managers in their allowed campaigns, may delete.  The pair then no longer shows in
customer_balance and the balance is back where it was; a reversal that would take the balance below zero is
``insufficient_balance``.  Enrolment entries, reversals and transactions already reversed: ``transaction_not_found``.
"""

from __future__ import annotations

import re
from typing import Final

from loyalty_api.campaigns.access import MANAGERS, check_role, check_visible
from loyalty_api.customers.access import lookup_key
from loyalty_api.errors import ApiError
from loyalty_api.handler.context import Answer, CallContext
from loyalty_api.ledger.entries import CUSTOMER_KEYS, entry_campaign, entry_customer
from loyalty_api.ledger.rules import cents_text
from loyalty_api.store.interface import WriteTx
from loyalty_api.store.ledger_models import NewLedgerEntry
from loyalty_api.store.models import utc_now
from loyalty_api.values import clipped
from renderers import Element, el, response

__all__ = ["transaction_delete"]

_ENTRY_ID: Final = re.compile(r"\d{1,18}", re.ASCII)
_ACTIVATION: Final = "Activation"


async def transaction_delete(ctx: CallContext) -> Answer:
    fields = ctx.fields
    campaign_id = fields.required("campaign_id")
    key, value = lookup_key(fields, CUSTOMER_KEYS)
    entry_text = fields.required("transaction_id")
    principal = ctx.principal
    check_visible(principal, campaign_id)
    check_role(principal, MANAGERS, "delete transactions")

    async def work(tx: WriteTx) -> Element:
        campaign = await entry_campaign(tx, principal, campaign_id)
        customer = await entry_customer(tx, principal, key, value)
        entry_pk = int(entry_text) if _ENTRY_ID.fullmatch(entry_text) else None
        entry = None if entry_pk is None else await tx.reversible_entry(campaign.pk, customer.pk, entry_pk)
        if entry is None or (entry.service_product == _ACTIVATION and entry.amount_cents == 0):
            shown = clipped(entry_text)
            raise ApiError("transaction_not_found", transaction_id=shown, campaign_id=campaign_id)
        by_item = campaign.type == "buyx" and entry.service_product.isdigit()
        sums = await tx.ledger_sums(campaign.pk, customer.pk, entry.service_product if by_item else None)
        if sums.balance_cents - entry.amount_cents < 0:
            raise ApiError(
                "insufficient_balance",
                needed=cents_text(entry.amount_cents, campaign.type),
                balance=cents_text(sums.balance_cents, campaign.type),
            )
        await tx.append_ledger_entry(
            NewLedgerEntry(
                account_pk=principal.account.pk,
                campaign_pk=campaign.pk,
                customer_pk=customer.pk,
                user_name=principal.user_name,
                at=utc_now(),
                amount_cents=-entry.amount_cents,
                purchase_cents=None if entry.purchase_cents is None else -entry.purchase_cents,
                authorization=entry.authorization,
                service_product=entry.service_product,
                redeemed=entry.redeemed,
                reverses_pk=entry.pk,
                custom_fields=entry.custom_fields,
            )
        )
        transaction = Element("transaction", attrs={"status": "deleted"}, children=[el("id", entry.pk)])
        return response("success", [transaction])

    return await ctx.write_answer(work)
