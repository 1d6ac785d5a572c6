"""The ledger's values (``docs/ledger.md``): entries to append, entries as stored, balances, and what a receipt
shows of its customer.  Plain data: the store fills them, the calls read them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from loyalty_api.store.models import NUMBERED_CUSTOM_FIELDS, Customer

__all__ = [
    "AppendedEntry",
    "BalanceMismatch",
    "CustomerCard",
    "CustomerLedger",
    "LedgerEntry",
    "LedgerSums",
    "NewLedgerEntry",
    "NewSale",
    "RecordedSale",
    "numbered_custom",
]


@dataclass(frozen=True, slots=True)
class NewLedgerEntry:
    """One entry to append: ``amount_cents`` is hundredths of the campaign's unit (negative for redemptions)."""

    account_pk: int
    campaign_pk: int
    customer_pk: int
    user_name: str
    at: datetime
    amount_cents: int
    purchase_cents: int | None
    authorization: str
    service_product: str
    redeemed: bool = False
    reverses_pk: int | None = None
    # The transaction custom fields sent (custom_field_N -> non-blank text), in N order; empty: none.
    custom_fields: dict[str, str] = field(default_factory=dict)


class LedgerSums(NamedTuple):
    """A customer's balance in a campaign (or in one buyx item) and the sum of the positive entries not reversed."""

    balance_cents: int
    cumulative_cents: int


class AppendedEntry(NamedTuple):
    """A ledger entry just appended: its id, and the customer's sums in the campaign after it, of the entry's own
    ``service_product`` (for buyx: the item's balance) and of all their entries in the campaign."""

    pk: int
    item: LedgerSums
    total: LedgerSums


class NewSale(NamedTuple):
    """A ``record_activity`` entry for the account's customer whose ``customer_key`` (a ``CUSTOMER_KEYS`` column)
    is ``customer_value``: a :class:`NewLedgerEntry` before the customer is known (never a redemption, never a
    reversal).  A named tuple: one is built per sale, and a frozen dataclass of 11 fields costs four times as much
    to build."""

    account_pk: int
    customer_key: str
    customer_value: str
    campaign_pk: int
    user_name: str
    at: datetime
    amount_cents: int
    purchase_cents: int | None
    authorization: str
    service_product: str
    custom_fields: Mapping[str, str]  # custom_field_N -> non-blank text, in N order; empty: none
    # The campaign type whose coalition total the receipt shows (``coalition_cumulative``), None: no coalition total.
    coalition_type: str | None = None
    # The promotion the sale applied (its points are in amount_cents), None: none.
    promo_pk: int | None = None


class CustomerCard(NamedTuple):
    """What a receipt shows of its customer: ``custom`` maps the numbered custom fields that hold a value
    (``custom_field_N``) to it."""

    pk: int
    code: str
    card_number: str
    first_name: str
    last_name: str
    phone: str = ""
    email: str = ""
    street1: str = ""
    custom_date: str = ""
    custom: Mapping[str, str] = {}

    @classmethod
    def of(cls, customer: Customer) -> CustomerCard:
        profile = customer.profile
        custom = {name: profile[name] for name in NUMBERED_CUSTOM_FIELDS if profile[name]}
        return cls(
            customer.pk,
            customer.code,
            profile["card_number"],
            profile["first_name"],
            profile["last_name"],
            profile["phone"],
            profile["email"],
            profile["street1"],
            profile["custom_date"],
            custom,
        )


def numbered_custom(values: Sequence[object]) -> dict[str, str]:
    """``custom_field_1`` .. ``custom_field_20``'s values as read, in that order, of the fields that hold one."""
    return {name: str(value) for name, value in zip(NUMBERED_CUSTOM_FIELDS, values, strict=True) if value}


class RecordedSale(NamedTuple):
    """A sale just appended (after the customer's activation entry when it was their first in the campaign), and
    the customer's cumulative balance in the coalition after it when the sale asked for it
    (``NewSale.coalition_type``)."""

    customer: CustomerCard
    entry: AppendedEntry
    coalition_cumulative: int | None = None


@dataclass(frozen=True, slots=True)
class BalanceMismatch:
    """A running balance (``ledger_balances``) that differs from the sums of its ledger entries: ``ledger`` is None
    for a row without entries, ``running`` None for entries without a row (``Store.balance_mismatches``)."""

    campaign_pk: int
    customer_pk: int
    service_product: str
    ledger: LedgerSums | None
    running: LedgerSums | None


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    pk: int
    at: datetime
    user_name: str
    amount_cents: int
    authorization: str
    service_product: str
    redeemed: bool
    purchase_cents: int | None = None
    custom_fields: dict[str, str] = field(default_factory=dict)
    promo_pk: int | None = None  # the promotion a sale applied (its points are in amount_cents)


@dataclass(frozen=True, slots=True)
class CustomerLedger:
    """What customer_balance shows of one customer in one campaign, read in one snapshot.

    ``entries``: the newest ``limit`` entries still shown (reversals and the entries they reverse are not),
    newest first; ``shown_count``: how many are shown in all.  ``item_sums``: per ``service_product`` (buyx items).
    ``item_names``: the description of each item id of the entries, live or archived.  ``last_transaction_*``: the
    newest shown entry that is no enrolment, ``last_redemption_*`` the newest shown redemption (None and 0: none)."""

    has_entries: bool
    sums: LedgerSums
    item_sums: dict[str, LedgerSums]
    item_names: dict[str, str]
    entries: list[LedgerEntry]
    shown_count: int
    last_transaction_at: datetime | None
    last_redemption_at: datetime | None
    last_transaction_cents: int = 0
    last_redemption_cents: int = 0
