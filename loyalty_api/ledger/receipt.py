"""The receipt ``record_activity`` and ``redeem`` answer: ``<receipt>`` with the account, campaign, customer and
transaction, the balance and cumulative balance after it (``docs/ledger.md``)."""

from __future__ import annotations

from datetime import MAXYEAR, UTC, datetime, timedelta
from typing import Final, NamedTuple

from loyalty_api.currencies import glyph_for
from loyalty_api.ledger.rules import MONEY_TYPES, cents_text
from loyalty_api.store.ledger_models import CustomerCard, LedgerSums
from loyalty_api.store.models import Campaign, Principal, Reward
from renderers import Element, el, node

__all__ = ["Receipt", "receipt_element", "stamp_text"]


class Receipt(NamedTuple):  # a named tuple: built once per receipt, four times cheaper than a frozen dataclass
    campaign: Campaign
    customer: CustomerCard
    entry_pk: int
    at: datetime
    amount_cents: int
    purchase_cents: int | None
    description: str
    sums: LedgerSums
    item: Reward | None = None


_SECOND: Final = timedelta(seconds=1)
# The second the last stamp was written for, [start, end), and its text: a receipt's time is "now", so the receipts
# of one second share it (writing the text costs ~8 times the two comparisons).  Never hit before the first stamp.
_last_stamp: tuple[datetime, datetime, str] = (datetime.max.replace(tzinfo=UTC), datetime.min.replace(tzinfo=UTC), "")


def stamp_text(moment: datetime) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in UTC: what ``strftime("%Y-%m-%d %H:%M:%S")`` writes."""
    global _last_stamp
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    start, end, text = _last_stamp
    if start <= moment < end:
        return text
    text = _written_stamp(moment)
    if moment.year < MAXYEAR:  # the last second of 9999 has no end to compare with
        start = moment.replace(microsecond=0)
        _last_stamp = (start, start + _SECOND, text)
    return text


def _written_stamp(moment: datetime) -> str:
    """``stamp_text`` of a UTC ``moment``, at half strftime's cost."""
    if moment.year < 1000:  # strftime writes the year without leading zeros; isoformat pads it to 4 digits
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    return moment.isoformat(" ", "seconds")[:19]  # the "+00:00" cut off


def receipt_element(principal: Principal, receipt: Receipt) -> Element:
    campaign, customer = receipt.campaign, receipt.customer
    kind = campaign.type
    currency = principal.account.currency
    glyph = glyph_for(currency)
    item_id = "" if receipt.item is None else str(receipt.item.pk)
    transaction = [el("id", receipt.entry_pk), el("date", stamp_text(receipt.at))]
    if receipt.purchase_cents is not None:  # a points sale
        purchase = _money(cents_text(receipt.purchase_cents, "giftcard"), currency, glyph)
        transaction.append(node("purchase", purchase))
        recorded = [el("points", cents_text(receipt.amount_cents, "points")), el("description", receipt.description)]
        transaction.append(node("recorded", recorded))
    elif receipt.amount_cents > 0:
        text = cents_text(receipt.amount_cents, kind)
        added = _money(text, currency, glyph) if kind in MONEY_TYPES else [el("amount", text)]
        added.append(el("description", receipt.description))
        transaction.append(node("add", added))
    else:  # a redemption: the negative amount in the balance's unit elements
        deducted = _units(kind, receipt.amount_cents, currency, glyph, item_id, "amount")
        deducted.append(el("description", receipt.description))
        transaction.append(node("deduct", deducted))
    balance = _units(kind, receipt.sums.balance_cents, currency, glyph, item_id, "balance")
    transaction.append(node("balance", balance))
    cumulative = _units(kind, receipt.sums.cumulative_cents, currency, glyph, item_id, "balance")
    transaction.append(node("cumulative_balance", cumulative))
    return node(
        "receipt",
        [
            el("account_name", principal.account.name),
            node("campaign", [el("id", campaign.campaign_id), el("name", campaign.name), el("type", kind)]),
            node(
                "customer",
                [
                    el("code", customer.code),
                    el("card_number", customer.card_number),
                    el("first_name", customer.first_name),
                    el("last_name", customer.last_name),
                ],
            ),
            node("transaction", transaction),
        ],
    )


def _money(text: str, currency: str, glyph: str) -> list[Element]:
    return [el("amount", text), el("currency", currency), el("glyph", glyph)]


def _units(kind: str, cents: int, currency: str, glyph: str, item_id: str, item_amount: str) -> list[Element]:
    """``cents`` in the elements of the campaign's unit (a new list: the caller may add to it)."""
    text = cents_text(cents, kind)
    if kind == "points":
        return [el("points", text)]
    if kind in MONEY_TYPES:
        return _money(text, currency, glyph)
    if kind == "events":
        return [el("events", text)]
    return [node("item", [el("id", item_id), el(item_amount, text)])]
