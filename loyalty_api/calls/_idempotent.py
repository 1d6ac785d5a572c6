"""Running an idempotent call's write with its key: claim, replay or run, render, keep; all in one transaction.

The key's row is written in the same transaction as the call's changes, with the bytes that are answered, so the
two are kept together or not at all: a request that fails (any error, the store unavailable) keeps nothing and
runs again when retried.  ``docs/ledger.md`` (Idempotency).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from loyalty_api.errors import ApiError
from loyalty_api.idempotency import PURGE_BATCH, IdempotentRequest, RenderedAnswer
from loyalty_api.protocol.output import render_document
from loyalty_api.store.interface import Store, WriteTx
from loyalty_api.store.models import Principal, StoredAnswer, utc_now
from renderers import Element

__all__ = ["write_idempotent"]

_SUCCESS_STATUS = 200


async def write_idempotent(
    store: Store, principal: Principal, request: IdempotentRequest, work: Callable[[WriteTx], Awaitable[Element]]
) -> RenderedAnswer:
    """The answer kept for the key when the fingerprints match (replayed), ``idempotency_key_reused`` when they do
    not; else ``work``'s document rendered in the request's output, kept under the key in ``work``'s transaction."""
    account_pk = principal.account.pk
    user_name = principal.user_name
    keeper = request.keeper
    purge = keeper.purge_due()

    async def keyed(tx: WriteTx) -> RenderedAnswer:
        now = utc_now()
        expired_before = now - keeper.keep
        if purge and await tx.purge_idempotency_keys(expired_before, PURGE_BATCH) >= PURGE_BATCH:
            keeper.purge_soon()
        kept = await tx.claim_idempotency_key(
            account_pk, user_name, request.key, request.fingerprint, now, expired_before
        )
        if kept is not None:
            if kept.fingerprint != request.fingerprint:
                raise ApiError("idempotency_key_reused", key=_shown(request.key))
            return RenderedAnswer(kept.status, kept.content_type, kept.body, replayed=True)
        content_type, body = render_document(await work(tx), request.output)
        answer = StoredAnswer(request.fingerprint, _SUCCESS_STATUS, content_type, body)
        await tx.keep_idempotent_answer(account_pk, user_name, request.key, answer)
        return RenderedAnswer(_SUCCESS_STATUS, content_type, body, replayed=False)

    try:
        return await store.write(keyed)
    except BaseException:
        if purge:
            keeper.purge_soon()
        raise


def _shown(key: str) -> str:
    return '"' + (key if len(key) <= 40 else key[:40] + "...") + '"'
