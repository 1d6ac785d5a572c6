"""What the contract tests build their cases from: exact moments, new ledger entries and sales (values), and the
rows they need, made through the store's own operations (imported as ``make``: ``make.account(store)``, ...)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Final

from loyalty_api.store import Store, StoreSettings, create_store
from loyalty_api.store.interface import CampaignValues, CustomerValues
from loyalty_api.store.ledger_models import AppendedEntry, NewLedgerEntry, NewSale, RecordedSale
from loyalty_api.store.models import Account, Campaign, Customer, NewAudit, Reward

__all__ = [
    "AT",
    "USER",
    "World",
    "account",
    "append",
    "audit",
    "campaign",
    "customer",
    "entry",
    "migrated_store",
    "moment",
    "record",
    "reward",
    "sale",
    "world",
]

#: A moment with microseconds: both backends must give it back to the microsecond.
AT: Final = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
USER: Final = "john"


async def migrated_store(settings: StoreSettings) -> Store:
    """The store of ``settings``, opened and migrated (closed again when migrating fails)."""
    store = create_store(settings)
    await store.open()
    try:
        await store.migrate()
    except BaseException:
        await store.close()
        raise
    return store


def moment(seconds: float) -> datetime:
    """``seconds`` after :data:`AT`."""
    return AT + timedelta(seconds=seconds)


async def account(store: Store, account_id: str = "acme") -> Account:
    return await store.add_account(account_id, f"{account_id} Ltd", "EUR", False, True)


async def campaign(
    store: Store,
    account_pk: int,
    campaign_id: str = "C1",
    type_: str = "points",
    *,
    at: datetime = AT,
    **values: object,
) -> Campaign:
    """A campaign created at ``at`` with the given column values (name: ``Campaign <id>`` unless given)."""
    columns: CampaignValues = {"campaign_id": campaign_id, "type": type_, "name": f"Campaign {campaign_id}", **values}
    return await store.write(lambda tx: tx.insert_campaign(account_pk, columns, at))


async def customer(
    store: Store, account_pk: int, code: str = "1000", *, at: datetime = AT, **values: object
) -> Customer:
    columns: CustomerValues = {"code": code, **values}
    return await store.write(lambda tx: tx.insert_customer(account_pk, columns, at))


async def reward(
    store: Store, campaign_pk: int, level: int, description: str, identifier: str | None = None, *, at: datetime = AT
) -> Reward:
    return await store.write(lambda tx: tx.insert_reward(campaign_pk, level, description, identifier, at))


@dataclass(frozen=True, slots=True)
class World:
    """An account with a points campaign ``C1`` and a customer ``1000`` (card ``C-1000``, username ``jane``)."""

    account: Account
    campaign: Campaign
    customer: Customer


async def world(store: Store) -> World:
    acme = await account(store)
    return World(
        acme,
        await campaign(store, acme.pk, points_ratio=Decimal("1")),
        await customer(
            store, acme.pk, "1000", card_number="C-1000", customer_username="jane", first_name="Jane", last_name="Doe"
        ),
    )


def entry(
    world: World,
    amount_cents: int,
    *,
    at: datetime = AT,
    campaign: Campaign | None = None,
    customer: Customer | None = None,
    service_product: str = "",
    redeemed: bool = False,
    reverses_pk: int | None = None,
    purchase_cents: int | None = None,
    custom_fields: dict[str, str] | None = None,
) -> NewLedgerEntry:
    """An entry of ``world``'s customer in ``world``'s campaign unless others are named."""
    return NewLedgerEntry(
        account_pk=world.account.pk,
        campaign_pk=(campaign or world.campaign).pk,
        customer_pk=(customer or world.customer).pk,
        user_name=USER,
        at=at,
        amount_cents=amount_cents,
        purchase_cents=purchase_cents,
        authorization=f"auth {amount_cents}",
        service_product=service_product,
        redeemed=redeemed,
        reverses_pk=reverses_pk,
        custom_fields=custom_fields or {},
    )


async def append(store: Store, new: NewLedgerEntry) -> AppendedEntry:
    return await store.write(lambda tx: tx.append_ledger_entry(new))


def sale(
    world: World, amount_cents: int, *, key: str = "code", value: str = "1000", at: datetime = AT, product: str = ""
) -> NewSale:
    """A ``record_activity`` sale in ``world``'s campaign for the customer whose ``key`` is ``value``."""
    return NewSale(
        account_pk=world.account.pk,
        customer_key=key,
        customer_value=value,
        campaign_pk=world.campaign.pk,
        user_name=USER,
        at=at,
        amount_cents=amount_cents,
        purchase_cents=amount_cents * 10,
        authorization="sale",
        service_product=product,
        custom_fields={"custom_field_1": "till 4"},
    )


async def record(store: Store, new: NewSale) -> RecordedSale | None:
    return await store.write(lambda tx: tx.record_sale(new))


async def audit(store: Store, new: NewAudit) -> None:
    await store.write(lambda tx: tx.append_audit(new))
