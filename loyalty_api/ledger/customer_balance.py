"""``type=customer_balance`` (also ``type=balance``): a customer's balance in one campaign and their transactions,
newest first.  Every user of the account may read it, in the campaigns they may see (``docs/ledger.md``).

The elements are those legacy clients read (the account's name, the last transaction's and redemption's dates and
points, each transaction's campaign, ``real`` and ``record_timestamp``), all from one snapshot of four statements."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Final

from loyalty_api.campaigns.access import check_visible
from loyalty_api.customers.access import named_customer
from loyalty_api.errors import ApiError
from loyalty_api.handler.context import CallContext
from loyalty_api.handler.documents import warnings_element
from loyalty_api.handler.fields import Fields
from loyalty_api.ledger.rules import cents_text
from loyalty_api.store.ledger_models import CustomerLedger, LedgerEntry
from loyalty_api.store.models import Campaign
from loyalty_api.values import clipped
from renderers import Element, el, response

__all__ = ["MAX_TRANSACTIONS", "customer_balance"]

MAX_TRANSACTIONS: Final = 10_000
_NO_DATE: Final = "0000-00-00"
_COUNT: Final = re.compile(r"\d{1,12}", re.ASCII)


async def customer_balance(ctx: CallContext) -> Element:
    fields = ctx.fields
    campaign_id = fields.required("campaign_id")
    principal = ctx.principal
    check_visible(principal, campaign_id)
    wanted = _transactions_number(fields)
    campaign = await ctx.store.get_campaign(principal.account.pk, campaign_id)
    if campaign is None:
        raise ApiError("campaign_not_found", campaign_id=campaign_id)
    customer = await named_customer(ctx.store, principal, fields, ("code", "card_number"))
    limit = MAX_TRANSACTIONS if wanted is None else min(wanted, MAX_TRANSACTIONS)
    ledger = await ctx.store.customer_ledger(campaign.pk, customer.pk, limit)
    if not ledger.has_entries:
        raise ApiError("customer_not_in_campaign", customer=customer.code, campaign_id=campaign_id)
    children = [
        el("code", customer.code),
        el("card_number", customer.profile.get("card_number", "")),
        el("first_name", customer.profile.get("first_name", "")),
        el("last_name", customer.profile.get("last_name", "")),
        *_balances(campaign, ledger),
        el("last_transaction", _date(ledger.last_transaction_at)),
        el("last_transaction_points", cents_text(ledger.last_transaction_cents, campaign.type)),
        el("last_redemption", _date(ledger.last_redemption_at)),
        el("last_redemption_points", cents_text(ledger.last_redemption_cents, campaign.type)),
        Element("transactions", children=[_transaction(campaign, entry) for entry in ledger.entries], repeated=True),
    ]
    body = [
        el("account_name", principal.account.name),
        Element(
            "campaign",
            children=[
                el("campaign_id", campaign.campaign_id),
                el("campaign_type", campaign.type),
                el("campaign_name", campaign.name),
                Element("customer", children=children),
            ],
        ),
    ]
    if ledger.shown_count > limit and (wanted is None or wanted > MAX_TRANSACTIONS):
        body.append(
            warnings_element(
                [f"Only the newest {limit} of {ledger.shown_count} transactions are listed (at most {limit})."]
            )
        )
    return response("success", body)


def _transactions_number(fields: Fields) -> int | None:
    text = fields.value("transactions_number")
    if text is None:
        return None
    if _COUNT.fullmatch(text) is None:
        shown = clipped(text)
        raise ApiError(
            "parameter_invalid", detail=f'The field transactions_number must be a whole number, not "{shown}".'
        )
    return int(text)


def _balances(campaign: Campaign, ledger: CustomerLedger) -> list[Element]:
    if campaign.type != "buyx":
        return [
            el("balance", cents_text(ledger.sums.balance_cents, campaign.type)),
            el("cumulative", cents_text(ledger.sums.cumulative_cents, campaign.type)),
        ]
    items = [
        Element(
            "item",
            children=[
                el("id", product),
                el("description", ledger.item_names.get(product, "")),
                el("balance", cents_text(sums.balance_cents, campaign.type)),
            ],
        )
        for product, sums in sorted(
            ((product, sums) for product, sums in ledger.item_sums.items() if product.isdigit()),
            key=lambda pair: int(pair[0]),
        )
    ]
    return [Element("items", children=items, repeated=True)]


def _transaction(campaign: Campaign, entry: LedgerEntry) -> Element:
    return Element(
        "transaction",
        children=[
            el("id", entry.pk),
            el("date", _date(entry.at)),
            el("authorization", entry.authorization),
            el("service_product", entry.service_product),
            el("redeemed", "Y" if entry.redeemed else "N"),
            el("amount", cents_text(entry.amount_cents, campaign.type)),
            el("campaign", campaign.campaign_id),
            el("user_name", entry.user_name),
            # Every listed entry is stored (the legacy "N" was for entries computed on the fly, which this server
            # does not make).
            el("real", "Y"),
            el("record_timestamp", entry.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")),
            # The transaction custom fields that have a value, after the legacy elements (docs/ledger.md).
            # (kept in number order, with a value each)
            *(el(name, text) for name, text in entry.custom_fields.items() if text),
        ],
    )


def _date(moment: datetime | None) -> str:
    return _NO_DATE if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d")
