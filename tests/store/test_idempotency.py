"""Idempotency keys: a key is claimed once, its kept answer comes back until it expires, an expired or rolled-back
key is claimable again, and old keys are purged a few at a time."""

from __future__ import annotations

from datetime import datetime

import pytest

from loyalty_api.store import Store, WriteTx
from loyalty_api.store.models import StoredAnswer
from tests.store import _world as make
from tests.store._world import AT, USER, moment

ANSWER = StoredAnswer("fingerprint-1", 200, "text/xml; charset=utf-8", b"\x00\xff<ok/>\r\n")


async def _claim(
    store: Store, account_pk: int, key: str, *, at: datetime = AT, expired_before: datetime | None = None,
    user: str = USER, fingerprint: str = "fingerprint-1", keep: StoredAnswer | None = ANSWER,
) -> StoredAnswer | None:  # fmt: skip
    """Claim ``key`` at ``at`` and, when it was claimed, keep ``keep`` as its answer (in the same transaction)."""

    async def work(tx: WriteTx) -> StoredAnswer | None:
        found = await tx.claim_idempotency_key(
            account_pk, user, key, fingerprint, at, moment(-3600) if expired_before is None else expired_before
        )
        if found is None and keep is not None:
            await tx.keep_idempotent_answer(account_pk, user, key, keep)
        return found

    return await store.write(work)


async def test_a_claimed_key_answers_what_was_kept(store: Store) -> None:
    account = await make.account(store)
    assert await _claim(store, account.pk, "k1") is None
    again = await _claim(store, account.pk, "k1", at=moment(1), fingerprint="other", keep=None)
    assert again == ANSWER and again.body == b"\x00\xff<ok/>\r\n"


async def test_a_key_is_the_users_own(store: Store) -> None:
    acme, beta = await make.account(store, "acme"), await make.account(store, "beta")
    assert await _claim(store, acme.pk, "k1") is None
    assert await _claim(store, acme.pk, "k1", user="kate") is None
    assert await _claim(store, beta.pk, "k1") is None
    assert await _claim(store, acme.pk, "k2") is None
    assert await _claim(store, acme.pk, "k1", keep=None) == ANSWER


async def test_a_key_claimed_by_a_transaction_rolled_back_is_free(store: Store) -> None:
    account = await make.account(store)

    async def claim_then_fail(tx: WriteTx) -> None:
        assert await tx.claim_idempotency_key(account.pk, USER, "k1", "f", AT, moment(-1)) is None
        await tx.keep_idempotent_answer(account.pk, USER, "k1", ANSWER)
        raise RuntimeError("the call failed")

    with pytest.raises(RuntimeError):
        await store.write(claim_then_fail)
    assert await _claim(store, account.pk, "k1") is None


async def test_an_expired_answer_counts_as_absent(store: Store) -> None:
    account = await make.account(store)
    assert await _claim(store, account.pk, "k1", at=AT) is None
    # kept at AT: still valid when expiry is at AT exactly, expired once it is after AT
    assert await _claim(store, account.pk, "k1", at=moment(5), expired_before=AT, keep=None) == ANSWER
    newer = StoredAnswer("fingerprint-2", 201, "application/json", b"{}")
    took = await _claim(
        store, account.pk, "k1", at=moment(10), expired_before=moment(0.000001), fingerprint="fingerprint-2", keep=newer
    )
    assert took is None
    assert await _claim(store, account.pk, "k1", at=moment(11), expired_before=moment(9), keep=None) == newer


async def test_old_keys_are_purged_at_most_limit_at_a_time(store: Store) -> None:
    account = await make.account(store)
    for n in range(4):
        assert await _claim(store, account.pk, f"k{n}", at=moment(n)) is None

    async def purge(limit: int) -> int:
        return await store.write(lambda tx: tx.purge_idempotency_keys(moment(3), limit))

    assert await purge(2) == 2
    assert await purge(5) == 1
    assert await purge(5) == 0
    assert await _claim(store, account.pk, "k3", at=moment(4), keep=None) == ANSWER  # kept at moment(3): not purged
    assert await _claim(store, account.pk, "k0", at=moment(4)) is None  # purged: claimable again
