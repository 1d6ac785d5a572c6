"""What a handler receives: the caller, the fields, the store.  Never an HTTP object."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Final

from loyalty_api.handler.fields import Fields
from loyalty_api.handler.idempotency import IdempotentRequest, RenderedAnswer, write_idempotent
from loyalty_api.store.interface import SaleWork, Store, WriteTx, run_sale
from loyalty_api.store.models import Principal
from renderers import Element

__all__ = ["NO_TOKEN_KEYS", "Answer", "CallContext", "Handler", "TokenKeys"]

# A handler's answer: a document the endpoint renders, or one already rendered (an idempotent call with a key).
Answer = Element | RenderedAnswer


@dataclass(frozen=True, slots=True)
class TokenKeys:
    """What time tokens are signed and checked with (``accounts/time_tokens.py``): the secrets, the current one
    first (none: time tokens are off), and the clock (seconds since the epoch; tests give their own)."""

    secrets: tuple[bytes, ...] = field(default=(), repr=False)
    clock: Callable[[], float] = time.time


NO_TOKEN_KEYS: Final = TokenKeys()


@dataclass(frozen=True, slots=True)
class CallContext:
    principal: Principal
    fields: Fields
    store: Store
    # Set for the calls of IDEMPOTENT (calls/_table.py) when the request carries a key.
    idempotency: IdempotentRequest | None = None
    token_keys: TokenKeys = NO_TOKEN_KEYS

    async def write_answer(self, work: Callable[[WriteTx], Awaitable[Element]]) -> Answer:
        """Run ``work`` in one write transaction; its document is the answer.  With an idempotency key the answer
        is rendered and kept inside that transaction, or the answer kept for the key is replayed
        (``docs/ledger.md``, Idempotency)."""
        if self.idempotency is None:
            return await self.store.write(work)
        return await write_idempotent(self.store, self.principal, self.idempotency, work)

    async def write_sale_answer(self, work: Callable[[WriteTx], Awaitable[SaleWork[Element]]]) -> Answer:
        """As :meth:`write_answer` for a sale's job (``Store.write_sale``: read, append one sale, answer)."""
        if self.idempotency is None:
            return await self.store.write_sale(work)
        return await write_idempotent(self.store, self.principal, self.idempotency, lambda tx: run_sale(tx, work))


Handler = Callable[[CallContext], Awaitable[Answer]]
