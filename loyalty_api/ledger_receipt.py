"""The receipt ``record_activity`` and ``redeem`` answer: ``<receipt>`` with the account, campaign, customer and
transaction, the balance and cumulative balance after it (``docs/ledger.md``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from loyalty_api.currencies import glyph_for
from loyalty_api.ledger_rules import MONEY_TYPES, cents_text
from loyalty_api.store.models import Campaign, Customer, LedgerSums, Principal, Reward
from renderers import Element, el

__all__ = ["Receipt", "receipt_element", "stamp_text"]


@dataclass(frozen=True, slots=True)
class Receipt:
    campaign: Campaign
    customer: Customer
    entry_pk: int
    at: datetime
    amount_cents: int
    purchase_cents: int | None
    description: str
    sums: LedgerSums
    item: Reward | None = None


def stamp_text(moment: datetime) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in UTC: what ``strftime("%Y-%m-%d %H:%M:%S")`` writes, at half its cost."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    if moment.year < 1000:  # strftime writes the year without leading zeros; isoformat pads it to 4 digits
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    return moment.isoformat(" ", "seconds")[:19]  # the "+00:00" cut off


def receipt_element(principal: Principal, receipt: Receipt) -> Element:
    campaign, customer = receipt.campaign, receipt.customer
    currency = principal.account.currency
    transaction = [el("id", receipt.entry_pk), el("date", stamp_text(receipt.at))]
    if receipt.purchase_cents is not None:  # a points sale
        transaction.append(
            Element(
                "purchase",
                children=[
                    el("amount", cents_text(receipt.purchase_cents, "giftcard")),
                    el("currency", currency),
                    el("glyph", glyph_for(currency)),
                ],
            )
        )
        transaction.append(
            Element(
                "recorded",
                children=[
                    el("points", cents_text(receipt.amount_cents, "points")),
                    el("description", receipt.description),
                ],
            )
        )
    elif receipt.amount_cents > 0:
        children = [el("amount", cents_text(receipt.amount_cents, campaign.type))]
        if campaign.type in MONEY_TYPES:
            children += [el("currency", currency), el("glyph", glyph_for(currency))]
        children.append(el("description", receipt.description))
        transaction.append(Element("add", children=children))
    else:  # a redemption: the negative amount in the balance's unit elements
        units = _units(campaign, receipt, receipt.amount_cents, currency, item_amount="amount")
        transaction.append(Element("deduct", children=[*units, el("description", receipt.description)]))
    transaction.append(Element("balance", children=_units(campaign, receipt, receipt.sums.balance_cents, currency)))
    transaction.append(
        Element("cumulative_balance", children=_units(campaign, receipt, receipt.sums.cumulative_cents, currency))
    )
    return Element(
        "receipt",
        children=[
            el("account_name", principal.account.name),
            Element(
                "campaign",
                children=[el("id", campaign.campaign_id), el("name", campaign.name), el("type", campaign.type)],
            ),
            Element(
                "customer",
                children=[
                    el("code", customer.code),
                    el("card_number", customer.profile.get("card_number", "")),
                    el("first_name", customer.profile.get("first_name", "")),
                    el("last_name", customer.profile.get("last_name", "")),
                ],
            ),
            Element("transaction", children=transaction),
        ],
    )


def _units(
    campaign: Campaign, receipt: Receipt, cents: int, currency: str, item_amount: str = "balance"
) -> list[Element]:
    kind = campaign.type
    text = cents_text(cents, kind)
    if kind == "points":
        return [el("points", text)]
    if kind in MONEY_TYPES:
        return [el("amount", text), el("currency", currency), el("glyph", glyph_for(currency))]
    if kind == "events":
        return [el("events", text)]
    item_id = "" if receipt.item is None else str(receipt.item.pk)
    return [Element("item", children=[el("id", item_id), el(item_amount, text)])]
