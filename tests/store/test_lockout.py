"""The customers' login lockout: failed attempts of one subject counted in a window, up to a limit, and cleared by
a success."""

from __future__ import annotations

from datetime import datetime

from loyalty_api.store import Store
from tests.store import _world as make
from tests.store._world import moment


async def _attempt(store: Store, account_pk: int, subject: str, at: datetime, since: datetime, limit: int = 3) -> bool:
    return await store.write(lambda tx: tx.reserve_login_attempt(account_pk, subject, at, since, limit))


async def test_attempts_are_reserved_up_to_the_limit_in_the_window(store: Store) -> None:
    account = await make.account(store)
    window = moment(0)
    assert [await _attempt(store, account.pk, "jane", moment(n), window) for n in range(1, 5)] == [
        True,
        True,
        True,
        False,
    ]
    # an attempt refused is not counted: the window moving past the first failure lets exactly one more in
    assert await _attempt(store, account.pk, "jane", moment(6), moment(1)) is True
    assert await _attempt(store, account.pk, "jane", moment(7), moment(1)) is False


async def test_subjects_and_accounts_are_counted_apart(store: Store) -> None:
    acme, beta = await make.account(store, "acme"), await make.account(store, "beta")
    for n in range(2):
        assert await _attempt(store, acme.pk, "jane", moment(n + 1), moment(0), limit=2) is True
    assert await _attempt(store, acme.pk, "jane", moment(3), moment(0), limit=2) is False
    assert await _attempt(store, acme.pk, "john", moment(3), moment(0), limit=2) is True
    assert await _attempt(store, beta.pk, "jane", moment(3), moment(0), limit=2) is True


async def test_a_success_clears_the_failures(store: Store) -> None:
    account = await make.account(store)
    for n in range(2):
        assert await _attempt(store, account.pk, "jane", moment(n + 1), moment(0), limit=2) is True
    await _attempt(store, account.pk, "john", moment(1), moment(0), limit=1)
    await store.write(lambda tx: tx.clear_login_failures(account.pk, "jane"))
    assert await _attempt(store, account.pk, "jane", moment(3), moment(0), limit=2) is True
    assert await _attempt(store, account.pk, "john", moment(3), moment(0), limit=1) is False  # not cleared
