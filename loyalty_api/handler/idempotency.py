"""Idempotency keys: which key a request carries, what makes two requests "the same", and the answer replayed.

A client that may send a request twice (a timeout, a dropped connection) names it with a key, in the
``Idempotency-Key`` header or the ``idempotency_key`` field.  The first successful answer is kept with the
request's fingerprint for the keep time; the same key with the same fields gets those bytes again, with other fields
the error ``idempotency_key_reused``.  ``docs/ledger.md`` (Idempotency) is the user's view; the writing is
:func:`write_idempotent` below (called through ``CallContext.write_answer``), the storage behind
``WriteTx.claim_idempotency_key`` (``loyalty_api/store/sql/idempotency.py``).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from loyalty_api.errors import ApiError
from loyalty_api.handler.fields import Fields
from loyalty_api.store.interface import Store, WriteTx
from loyalty_api.store.models import Principal, StoredAnswer, utc_now
from loyalty_api.values import quoted
from renderers import Element

__all__ = [
    "KEY_FIELD",
    "KEY_HEADER",
    "MAX_KEY_LENGTH",
    "MIN_KEEP_HOURS",
    "PURGE_BATCH",
    "IdempotencyKeeper",
    "IdempotentRequest",
    "RenderedAnswer",
    "Render",
    "fingerprint",
    "read_key",
    "write_idempotent",
]

KEY_HEADER: Final = b"idempotency-key"  # ASGI gives header names in lower case
KEY_FIELD: Final = "idempotency_key"
MAX_KEY_LENGTH: Final = 255
MIN_KEEP_HOURS: Final = 24
PURGE_BATCH: Final = 1000  # expired keys deleted by one purge
_PURGE_INTERVAL_SECONDS: Final = 60.0
# Left out of the fingerprint: the credentials (a retry may authenticate differently) and the key itself.
_NOT_FINGERPRINTED: Final = frozenset({"account_id", "user_id", "user_api_key", "user_password", KEY_FIELD})
_SUCCESS_STATUS: Final = 200

# Renders a document in the request's output choice: (content type, body).
Render = Callable[[Element], tuple[str, bytes]]


@dataclass(frozen=True, slots=True)
class RenderedAnswer:
    """A success answer rendered inside the write transaction (and kept), or replayed from the kept bytes."""

    status: int
    content_type: str
    body: bytes
    replayed: bool


class IdempotencyKeeper:
    """The keep time of answers, and this process's schedule of purges of expired keys (at most one a minute,
    unless the last one found more than it may delete at once)."""

    __slots__ = ("_next_purge", "keep")

    def __init__(self, keep_hours: int = MIN_KEEP_HOURS) -> None:
        if keep_hours < MIN_KEEP_HOURS:
            raise ValueError(f"idempotency keys are kept at least {MIN_KEEP_HOURS} hours, not {keep_hours}")
        self.keep = timedelta(hours=keep_hours)
        self._next_purge = 0.0

    def purge_due(self) -> bool:
        """Whether this write should purge expired keys; when it is, the next purge is due in a minute."""
        now = time.monotonic()
        if now < self._next_purge:
            return False
        self._next_purge = now + _PURGE_INTERVAL_SECONDS
        return True

    def purge_soon(self) -> None:
        """The purge did not finish (it rolled back, or more expired keys are left): the next write purges."""
        self._next_purge = 0.0


@dataclass(frozen=True, slots=True)
class IdempotentRequest:
    """A request of an idempotent call that carries a key: what its write transaction needs to claim the key,
    render the answer and keep it."""

    key: str
    fingerprint: str
    render: Render
    keeper: IdempotencyKeeper


def read_key(header: bytes | None, fields: Fields) -> str | None:
    """The request's key: the header's (trimmed) when it is sent and not blank, else the field's; None when neither
    carries one.  Over ``MAX_KEY_LENGTH`` characters, or a header that is not UTF-8: ``parameter_invalid``."""
    if header is not None:
        try:
            text = header.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise ApiError("parameter_invalid", detail="The Idempotency-Key header must be UTF-8 text.") from None
        if text:
            return _checked(text, "The Idempotency-Key header")
    value = fields.value(KEY_FIELD)
    return None if value is None else _checked(value, f"The field {KEY_FIELD}")


def fingerprint(fields: Fields) -> str:
    """SHA-256 (hex) of the request's fields but the credentials and the key: names sorted, each name and value
    as sent (untrimmed), UTF-8, each preceded by its length in 8 bytes, so that no two field sets encode alike."""
    digest = hashlib.sha256()
    for name, value in sorted(fields.as_dict().items()):
        if name in _NOT_FINGERPRINTED:
            continue
        for part in (name, value):
            data = part.encode("utf-8", "surrogatepass")
            digest.update(len(data).to_bytes(8, "big"))
            digest.update(data)
    return digest.hexdigest()


def _checked(key: str, where: str) -> str:
    if len(key) > MAX_KEY_LENGTH:
        raise ApiError("parameter_invalid", detail=f"{where} is longer than {MAX_KEY_LENGTH} characters.")
    return key


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
                raise ApiError("idempotency_key_reused", key=quoted(request.key))
            return RenderedAnswer(kept.status, kept.content_type, kept.body, replayed=True)
        content_type, body = request.render(await work(tx))
        answer = StoredAnswer(request.fingerprint, _SUCCESS_STATUS, content_type, body)
        await tx.keep_idempotent_answer(account_pk, user_name, request.key, answer)
        return RenderedAnswer(_SUCCESS_STATUS, content_type, body, replayed=False)

    try:
        return await store.write(keyed)
    except BaseException:
        if purge:
            keeper.purge_soon()
        raise
