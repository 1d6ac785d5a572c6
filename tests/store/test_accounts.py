"""Accounts and their users: what the operator's commands create, and the look-ups of credential checking."""

from __future__ import annotations

import pytest

from loyalty_api.store import Store
from loyalty_api.store.models import Account, Login, Principal, Role
from loyalty_api.store.sql.db import ConstraintViolation
from tests.store import _world as make


async def test_a_fresh_store_answers_and_has_no_account(store: Store) -> None:
    await store.ping()
    assert await store.account_count() == 0
    assert await store.get_account("acme") is None
    assert await store.migrate() == []  # everything was applied already


async def test_an_account_reads_back_as_it_was_added(store: Store) -> None:
    acme = await store.add_account("acme", "Acme Ltd", "EUR", False, True)
    beta = await store.add_account("beta", "Beta GmbH", "USD", True, False)
    assert acme == Account(acme.pk, "acme", "Acme Ltd", "EUR", False, True)
    assert beta == Account(beta.pk, "beta", "Beta GmbH", "USD", True, False)
    assert beta.pk != acme.pk
    assert await store.get_account("acme") == acme
    assert await store.get_account("beta") == beta
    assert await store.get_account("ACME") is None  # ids are exact
    assert await store.account_count() == 2


async def test_an_account_id_is_taken_once(store: Store) -> None:
    await make.account(store, "acme")
    with pytest.raises(ConstraintViolation):
        await store.add_account("acme", "Another", "USD", False, False)
    assert await store.account_count() == 1


async def test_a_user_logs_in_with_the_principal_it_was_given(store: Store) -> None:
    acme = await make.account(store, "acme")
    admin = await store.add_user(acme.pk, "john", "A", None, "digest-john")
    clerk = await store.add_user(acme.pk, "kate", "K", frozenset({"C2", "C1"}), "digest-kate")
    assert admin == Principal(acme, admin.user_pk, "john", Role.ADMIN, None)
    assert clerk == Principal(acme, clerk.user_pk, "kate", Role.CLERK, frozenset({"C1", "C2"}))
    assert await store.find_login("acme", "john") == Login(admin, "digest-john")
    assert await store.find_login("acme", "kate") == Login(clerk, "digest-kate")


async def test_a_user_allowed_no_campaign_stays_allowed_none(store: Store) -> None:
    """An empty set of allowed campaigns must not come back as None, which allows every campaign."""
    acme = await make.account(store, "acme")
    nobody = await store.add_user(acme.pk, "ned", "M", frozenset(), "digest-ned")
    login = await store.find_login("acme", "ned")
    assert login is not None and login.principal == nobody
    assert login.principal.allowed_campaigns == frozenset()
    assert not login.principal.can_see("C1")


async def test_a_login_is_found_only_in_its_own_account(store: Store) -> None:
    acme = await make.account(store, "acme")
    beta = await make.account(store, "beta")
    await store.add_user(acme.pk, "john", "A", None, "digest-acme")
    other = await store.add_user(beta.pk, "john", "M", None, "digest-beta")  # the same name in another account
    assert await store.find_login("beta", "john") == Login(other, "digest-beta")
    assert await store.find_login("acme", "kate") is None
    assert await store.find_login("gamma", "john") is None
    with pytest.raises(ConstraintViolation):
        await store.add_user(acme.pk, "john", "K", None, "digest-again")
