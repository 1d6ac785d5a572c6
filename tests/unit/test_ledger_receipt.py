"""The receipt document, as a property: for any campaign type, amount, balance, currency, item, agency, customer and
coalition total, ``receipt_element`` builds the same tree, and so the same bytes in every output, as the reference
below (written plainly, with the strftime and Decimal texts of the first version)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Final

from hypothesis import given
from hypothesis import strategies as st

from loyalty_api.currencies import GLYPHS, glyph_for
from loyalty_api.ledger.receipt import Receipt, receipt_element
from loyalty_api.store.ledger_models import CustomerCard, LedgerSums
from loyalty_api.store.models import CAMPAIGN_TYPES, Account, Campaign, Principal, Reward, Role
from loyalty_api.values import decimal_text, money_text
from renderers import Element, el, response
from renderers.json import render_json
from renderers.xml import render_xml

_MONEY: Final = ("giftcard", "earned")
_CENTS: Final = st.integers(-(10**19), 10**19) | st.integers(-1000, 1000)
_TEXT: Final = st.text(max_size=12)
_WHEN: Final = datetime(2026, 11, 23, 15, 41, 34, 123456, tzinfo=UTC)


def _reference_cents(cents: int, kind: str) -> str:
    value = Decimal(cents) / Decimal(100)
    return money_text(value) if kind in _MONEY else decimal_text(value)


def _reference_units(
    campaign: Campaign, receipt: Receipt, cents: int, currency: str, item_amount: str = "balance"
) -> list[Element]:
    kind = campaign.type
    text = _reference_cents(cents, kind)
    if kind == "points":
        return [el("points", text)]
    if kind in _MONEY:
        return [el("amount", text), el("currency", currency), el("glyph", glyph_for(currency))]
    if kind == "events":
        return [el("events", text)]
    item_id = "" if receipt.item is None else str(receipt.item.pk)
    return [Element("item", children=[el("id", item_id), el(item_amount, text)])]


def _reference(principal: Principal, receipt: Receipt) -> Element:
    """``receipt_element`` as it was first written."""
    campaign, customer = receipt.campaign, receipt.customer
    currency = principal.account.currency
    stamp = receipt.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    transaction = [el("id", receipt.entry_pk), el("date", stamp)]
    if receipt.purchase_cents is not None:
        purchase = [
            el("amount", _reference_cents(receipt.purchase_cents, "giftcard")),
            el("currency", currency),
            el("glyph", glyph_for(currency)),
        ]
        transaction.append(Element("purchase", children=purchase))
        recorded = [
            el("points", _reference_cents(receipt.amount_cents, "points")),
            el("description", receipt.description),
        ]
        transaction.append(Element("recorded", children=recorded))
    elif receipt.amount_cents > 0:
        children = [el("amount", _reference_cents(receipt.amount_cents, campaign.type))]
        if campaign.type in _MONEY:
            children += [el("currency", currency), el("glyph", glyph_for(currency))]
        children.append(el("description", receipt.description))
        transaction.append(Element("add", children=children))
    else:
        units = _reference_units(campaign, receipt, receipt.amount_cents, currency, item_amount="amount")
        transaction.append(Element("deduct", children=[*units, el("description", receipt.description)]))
    transaction.append(
        Element("balance", children=_reference_units(campaign, receipt, receipt.sums.balance_cents, currency))
    )
    cumulative = _reference_units(campaign, receipt, receipt.sums.cumulative_cents, currency)
    transaction.append(Element("cumulative_balance", children=cumulative))
    if principal.account.in_coalition:
        assert receipt.coalition_cumulative_cents is not None
        pooled = _reference_units(campaign, receipt, receipt.coalition_cumulative_cents, currency)
        transaction.append(Element("coalition_cumulative_balance", children=pooled))
    account = principal.account
    if account.agency_id:
        agency = [el("id", account.agency_id), el("name", account.agency_name), el("email", account.agency_email)]
    else:
        agency = [el("id", account.account_id), el("name", account.name), el("email", account.contact_email)]
    return Element(
        "receipt",
        children=[
            el("account_name", principal.account.name),
            Element("agency", children=agency),
            Element(
                "campaign",
                children=[el("id", campaign.campaign_id), el("name", campaign.name), el("type", campaign.type)],
            ),
            Element(
                "customer",
                children=[
                    el("code", customer.code),
                    el("card_number", customer.card_number),
                    el("first_name", customer.first_name),
                    el("last_name", customer.last_name),
                    el("phone", customer.phone),
                    el("email", customer.email),
                    el("street1", customer.street1),
                    el("custom_date", customer.custom_date),
                ],
            ),
            Element("transaction", children=transaction),
        ],
    )


@st.composite
def _cases(draw: st.DrawFn) -> tuple[Principal, Receipt]:
    currency = draw(st.sampled_from([*GLYPHS, "usd", "Eur", "XXX", ""]))
    in_coalition = draw(st.booleans())
    agency = draw(st.sampled_from(["", "loyaltygator"]))
    account = Account(
        1,
        "acct",
        draw(_TEXT),
        currency,
        in_coalition=in_coalition,
        in_two_tier=False,
        agency_id=agency,
        agency_name=draw(_TEXT) if agency else "",
        agency_email=draw(_TEXT) if agency else "",
        contact_email=draw(_TEXT),
    )
    principal = Principal(account, 1, "user", Role.ADMIN, None)
    kind = draw(st.sampled_from(CAMPAIGN_TYPES))
    campaign = Campaign(
        2, 1, draw(_TEXT), kind, draw(_TEXT), None, None, None, None, False, False, True, None, None, _WHEN, _WHEN
    )
    code, card, first, last, phone, email, street, date = (draw(_TEXT) for _ in range(8))
    customer = CustomerCard(3, code, card, first, last, phone, email, street, date)
    item = draw(st.none() | st.builds(lambda pk: Reward(pk, 2, 1, "Widget", None, _WHEN, _WHEN), st.integers(1, 10**9)))
    at = draw(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
    receipt = Receipt(
        campaign,
        customer,
        draw(st.integers(1, 10**12)),
        at,
        draw(_CENTS),
        draw(st.none() | _CENTS),
        draw(_TEXT),
        LedgerSums(draw(_CENTS), draw(_CENTS)),
        item,
        draw(_CENTS) if in_coalition else None,
    )
    return principal, receipt


@given(_cases())
def test_receipt_is_the_first_version_s_tree_and_bytes(case: tuple[Principal, Receipt]) -> None:
    principal, receipt = case
    built, expected = receipt_element(principal, receipt), _reference(principal, receipt)
    assert built == expected
    doc, expected_doc = response("success", [built]), response("success", [expected])
    assert render_xml(doc) == render_xml(expected_doc)
    for condensed in (False, True):
        assert render_json(doc, condensed=condensed) == render_json(expected_doc, condensed=condensed)
