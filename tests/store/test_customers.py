"""Customers: creation, look-ups by each key (read and locked), the key holder, updates, uniqueness, and
enrolment in a campaign."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from loyalty_api.store import Store, WriteTx
from loyalty_api.store.interface import CUSTOMER_KEYS
from loyalty_api.store.models import CUSTOMER_PROFILE_FIELDS, Customer
from loyalty_api.store.sql.db import ConstraintViolation
from tests.store import _world as make
from tests.store._world import AT, USER, moment

FULL = {
    "card_number": "C-1000",
    "custom_date": "2026-02-28",
    "customer_username": "jane",
    "first_name": "Jane",
    "last_name": "Doe-Ünïcode",
    "phone": "+1 555 0100",
    "email": "jane@example.com",
    "street1": "1 Main St",
    "city": "Springfield",
    "country": "US",
    "custom_field": "vip",
    "custom_field_20": "twenty",
}


def _profile(**values: str) -> dict[str, str]:
    """A whole profile: every field empty but those given."""
    return {name: values.get(name, "") for name in CUSTOMER_PROFILE_FIELDS}


async def test_a_customer_reads_back_exactly_as_created(store: Store) -> None:
    account = await make.account(store)
    values: dict[str, Any] = {**FULL, "password_hash": "$argon2id$pw", "pin_hash": "$argon2id$pin", "registered": True}
    created = await make.customer(store, account.pk, "1000", **values)
    assert created == Customer(
        created.pk,
        account.pk,
        "1000",
        _profile(**FULL),
        True,
        AT,
        password_hash="$argon2id$pw",
        pin_hash="$argon2id$pin",
    )
    plain = await make.customer(store, account.pk, "2000", at=moment(1))
    assert plain == Customer(plain.pk, account.pk, "2000", _profile(), False, moment(1))
    assert (plain.password_hash, plain.pin_hash) == (None, None)
    assert plain.pk > created.pk


async def test_a_customer_is_found_by_each_key_in_its_own_account(store: Store) -> None:
    acme, beta = await make.account(store, "acme"), await make.account(store, "beta")
    jane = await make.customer(store, acme.pk, "1000", card_number="C-1", customer_username="jane")
    other = await make.customer(store, beta.pk, "1000", card_number="C-1", customer_username="jane")
    values = {"code": "1000", "card_number": "C-1", "customer_username": "jane"}
    for key in CUSTOMER_KEYS:
        assert await store.get_customer(acme.pk, key, values[key]) == jane
        assert await store.get_customer(beta.pk, key, values[key]) == other
        assert await store.get_customer(acme.pk, key, "nobody") is None

    async def locked(tx: WriteTx) -> list[Customer | None]:
        return [await tx.customer_for_update(acme.pk, key, values[key]) for key in CUSTOMER_KEYS]

    assert await store.write(locked) == [jane, jane, jane]
    assert await store.write(lambda tx: tx.customer_for_update(acme.pk, "card_number", "C-2")) is None
    with pytest.raises(ValueError, match="email"):
        await store.get_customer(acme.pk, "email", "x")


async def test_the_holder_of_a_key_value(store: Store) -> None:
    account = await make.account(store)
    jane = await make.customer(store, account.pk, "1000", card_number="C-1", customer_username="jane")
    await make.customer(store, account.pk, "2000")

    async def holders(tx: WriteTx) -> list[int | None]:
        return [
            await tx.customer_key_holder(account.pk, "code", "1000"),
            await tx.customer_key_holder(account.pk, "card_number", "C-1"),
            await tx.customer_key_holder(account.pk, "customer_username", "jane"),
            await tx.customer_key_holder(account.pk, "customer_username", "JANE"),
            await tx.customer_key_holder(account.pk + 1, "code", "1000"),
        ]

    assert await store.write(holders) == [jane.pk, jane.pk, jane.pk, None, None]
    with pytest.raises(ValueError):
        await store.write(lambda tx: tx.customer_key_holder(account.pk, "pk", "1"))


async def test_an_update_sets_the_given_columns_and_answers_the_customer(store: Store) -> None:
    account = await make.account(store)
    jane = await make.customer(store, account.pk, "1000", card_number="C-1", first_name="Jane")
    updated = await store.write(
        lambda tx: tx.update_customer(
            jane.pk, {"card_number": None, "email": "new@example.com", "registered": True, "pin_hash": "$p"}
        )
    )
    profile = _profile(first_name="Jane", email="new@example.com")
    expected = Customer(jane.pk, account.pk, "1000", profile, True, AT, pin_hash="$p")
    assert updated == expected
    assert await store.get_customer(account.pk, "code", "1000") == expected
    assert await store.get_customer(account.pk, "card_number", "C-1") is None
    assert await store.write(lambda tx: tx.update_customer(jane.pk, {})) == expected
    renamed = await store.write(lambda tx: tx.update_customer(jane.pk, {"code": "1001"}))
    assert renamed == dataclasses.replace(expected, code="1001")
    with pytest.raises(ValueError, match="created_at"):
        await store.write(lambda tx: tx.update_customer(jane.pk, {"created_at": "x"}))
    with pytest.raises(ValueError, match="pk"):
        await store.write(lambda tx: tx.insert_customer(account.pk, {"code": "9", "pk": 1}, AT))


async def test_codes_cards_and_usernames_are_unique_in_an_account(store: Store) -> None:
    acme, beta = await make.account(store, "acme"), await make.account(store, "beta")
    jane = await make.customer(store, acme.pk, "1000", card_number="C-1", customer_username="jane")
    for values in ({"code": "1000"}, {"code": "2", "card_number": "C-1"}, {"code": "3", "customer_username": "jane"}):
        with pytest.raises(ConstraintViolation):
            await make.customer(store, acme.pk, **values)  # type: ignore[arg-type]
    bob = await make.customer(store, acme.pk, "4")
    with pytest.raises(ConstraintViolation) as raised:
        await store.write(lambda tx: tx.update_customer(bob.pk, {"customer_username": "jane"}))
    assert raised.value.columns == ("account_pk", "customer_username")
    assert await store.get_customer(acme.pk, "customer_username", "jane") == jane
    # many customers may have no card and no username; another account may have the same ones
    assert len({(await make.customer(store, acme.pk, code)).pk for code in ("5", "6")}) == 2
    await make.customer(store, beta.pk, "1000", card_number="C-1", customer_username="jane")


async def test_enrolment_records_one_activation_entry(store: Store) -> None:
    account = await make.account(store)
    first = await make.campaign(store, account.pk, "C1")
    second = await make.campaign(store, account.pk, "C2")
    jane = await make.customer(store, account.pk, "1000")

    async def enrol(tx: WriteTx) -> list[bool]:
        return [
            await tx.enrol_customer(account.pk, first.pk, jane.pk, USER, moment(1)),
            await tx.enrol_customer(account.pk, first.pk, jane.pk, USER, moment(2)),
        ]

    assert await store.write(enrol) == [True, False]
    assert await store.write(lambda tx: tx.customer_campaign_ids(jane.pk)) == {"C1"}
    again = await store.write(lambda tx: tx.enrol_customer(account.pk, second.pk, jane.pk, USER, moment(3)))
    assert again is True
    assert await store.write(lambda tx: tx.customer_campaign_ids(jane.pk)) == {"C1", "C2"}
    ledger = await store.customer_ledger(first.pk, jane.pk, 10)
    assert [(e.at, e.amount_cents, e.authorization, e.service_product) for e in ledger.entries] == [
        (moment(1), 0, "Account Activated.", "Activation")
    ]
    assert ledger.last_transaction_at is None  # the activation is no transaction
