"""The receipt ``record_activity`` and ``redeem`` answer: ``<receipt>`` with the account, campaign, customer and
transaction, the balance and cumulative balance after it (``docs/ledger.md``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import MAXYEAR, UTC, datetime, timedelta
from types import MappingProxyType
from typing import Final, NamedTuple

from loyalty_api.accounts.field_labels import labelled_field
from loyalty_api.currencies import glyph_for
from loyalty_api.ledger.promotion import AppliedPromotion
from loyalty_api.ledger.rules import MONEY_TYPES, cents_text
from loyalty_api.store.interface import WriteTx
from loyalty_api.store.ledger_models import CustomerCard, LedgerSums
from loyalty_api.store.models import NUMBERED_CUSTOM_FIELDS, Account, Campaign, Principal, Reward
from renderers import Element, el, node

__all__ = [
    "Receipt",
    "beyond_values",
    "coalition_total",
    "customer_beyond_values",
    "coalition_type",
    "receipt_element",
    "stamp_text",
]


_NONE: Final[Mapping[str, str]] = MappingProxyType({})


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
    # The customer's cumulative balance in the account's coalition after the entry; None: the account is in none.
    coalition_cumulative_cents: int | None = None
    # The labels of the account's customer custom fields (custom_field_N -> label), and the customer's values of
    # those numbered above the columns (the others are in ``customer.custom``).
    labels: Mapping[str, str] = _NONE
    beyond: Mapping[str, str] = _NONE
    # The promotion the sale applied and the points it added (points sales only), None: none.
    promotion: AppliedPromotion | None = None


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
        if receipt.promotion is not None:
            promotion = receipt.promotion.promotion
            promo_points = cents_text(receipt.promotion.points_cents, "points")
            promo = [el("id", promotion.pk), el("description", promotion.description), el("points", promo_points)]
            transaction.append(node("promo", promo))
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
    if receipt.coalition_cumulative_cents is not None:
        coalition = _units(kind, receipt.coalition_cumulative_cents, currency, glyph, item_id, "balance")
        transaction.append(node("coalition_cumulative_balance", coalition))
    account = principal.account
    agency = account.agency
    return node(
        "receipt",
        [
            el("account_name", account.name),
            node("agency", [el("id", agency.id), el("name", agency.name), el("email", agency.email)]),
            node("campaign", [el("id", campaign.campaign_id), el("name", campaign.name), el("type", kind)]),
            node(
                "customer",
                [
                    el("code", customer.code),
                    el("card_number", customer.card_number),
                    el("first_name", customer.first_name),
                    el("last_name", customer.last_name),
                    el("phone", customer.phone),
                    el("email", customer.email),
                    el("street1", customer.street1),
                    el("custom_date", customer.custom_date),
                    *(
                        labelled_field(name, label, customer.custom.get(name) or receipt.beyond.get(name, ""))
                        for name, label in receipt.labels.items()
                    ),
                ],
            ),
            node("transaction", transaction),
        ],
    )


async def beyond_values(
    tx: WriteTx, account_pk: int, key: str, value: str, labels: Mapping[str, str]
) -> Mapping[str, str]:
    """:func:`customer_beyond_values` of the customer whose ``key`` is ``value`` (one statement more to find them,
    only when the account defines such fields); nothing for a customer that does not exist (the sale answers
    ``customer_not_found``)."""
    if not _shows_beyond(labels):
        return _NONE
    customer_pk = await tx.customer_key_holder(account_pk, key, value)
    return _NONE if customer_pk is None else await customer_beyond_values(tx, customer_pk, labels)


async def customer_beyond_values(tx: WriteTx, customer_pk: int, labels: Mapping[str, str]) -> Mapping[str, str]:
    """The values the receipt shows of the customer's custom fields numbered above the columns (``custom_field_N``
    -> text), read only when the account defines such fields."""
    if not _shows_beyond(labels):
        return _NONE
    values = await tx.customer_field_values(customer_pk)
    return {f"custom_field_{number}": text for number, text in values.items()}


def _shows_beyond(labels: Mapping[str, str]) -> bool:
    return not all(name in NUMBERED_CUSTOM_FIELDS for name in labels)


def coalition_type(account: Account, campaign: Campaign) -> str | None:
    """The campaign type whose coalition total a receipt of ``campaign`` shows: None where the receipt's own
    cumulative balance is that total (an opted-out campaign, a buyx campaign, whose items are not pooled) or where
    there is none (an account in no coalition: see :func:`coalition_total`)."""
    if not account.in_coalition or campaign.coalition_opt_out or campaign.type == "buyx":
        return None
    return campaign.type


def coalition_total(account: Account, campaign: Campaign, own: LedgerSums, pooled: int | None) -> int | None:
    """The receipt's ``coalition_cumulative_balance`` in hundredths: ``pooled`` (the store's sum for
    :func:`coalition_type`), or the receipt's own cumulative balance where the campaign pools with no other; None
    for an account in no coalition (the element is left out)."""
    if not account.in_coalition:
        return None
    return own.cumulative_cents if pooled is None else pooled


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
