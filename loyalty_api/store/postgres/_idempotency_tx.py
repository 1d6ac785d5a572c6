"""Write-transaction operations on idempotency keys (PostgreSQL).

:class:`IdempotencyTxMixin` is mixed into ``PostgresWriteTx``.  A key is claimed by inserting its row: under READ
COMMITTED an ``INSERT ... ON CONFLICT DO NOTHING`` that meets a row another transaction inserted and has not
committed waits for that transaction; when it commits the insert does nothing and the next statement (a new
snapshot) reads its answer; when it rolls back the insert goes through.  So concurrent requests with one key run
the call once, and the others answer what it answered.  An expired row is taken over by an UPDATE that only
applies while the row is still expired (a concurrent taker that committed first wins; we then read its answer).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from loyalty_api.store.models import StoredAnswer
from loyalty_api.store.postgres._rows import Conn

__all__ = ["IdempotencyTxMixin"]

_INSERT: Final = (
    "INSERT INTO idempotency_keys (account_pk, user_name, key, fingerprint, status, content_type, body, created_at)"
    " VALUES ($1, $2, $3, $4, 0, '', ''::bytea, $5) ON CONFLICT (account_pk, user_name, key) DO NOTHING"
    " RETURNING 1"
)
_FIND: Final = (
    "SELECT fingerprint, status, content_type, body, created_at FROM idempotency_keys"
    " WHERE account_pk = $1 AND user_name = $2 AND key = $3"
)
_TAKE_EXPIRED: Final = (
    "UPDATE idempotency_keys SET fingerprint = $4, status = 0, content_type = '', body = ''::bytea, created_at = $5"
    " WHERE account_pk = $1 AND user_name = $2 AND key = $3 AND created_at < $6 RETURNING 1"
)
_KEEP: Final = (
    "UPDATE idempotency_keys SET status = $4, content_type = $5, body = $6"
    " WHERE account_pk = $1 AND user_name = $2 AND key = $3"
)
_PURGE: Final = (
    "DELETE FROM idempotency_keys WHERE (account_pk, user_name, key) IN"
    " (SELECT account_pk, user_name, key FROM idempotency_keys WHERE created_at < $1 LIMIT $2)"
)
# Each round either claims the key or finds a committed, unexpired answer, unless the row vanished (purged) or
# was taken over in between; a few rounds always settle it.
_ROUNDS: Final = 5


class IdempotencyTxMixin:
    __slots__ = ()
    conn: Conn

    async def claim_idempotency_key(
        self, account_pk: int, user_name: str, key: str, fingerprint: str, at: datetime, expired_before: datetime
    ) -> StoredAnswer | None:
        for _ in range(_ROUNDS):
            if await self.conn.fetchval(_INSERT, account_pk, user_name, key, fingerprint, at) is not None:
                return None
            row = await self.conn.fetchrow(_FIND, account_pk, user_name, key)
            if row is None:
                continue  # purged between the two statements: insert again
            if row[4] >= expired_before:
                return StoredAnswer(str(row[0]), int(row[1]), str(row[2]), bytes(row[3]))
            taken = await self.conn.fetchval(_TAKE_EXPIRED, account_pk, user_name, key, fingerprint, at, expired_before)
            if taken is not None:
                return None
        raise RuntimeError(f"idempotency key not settled after {_ROUNDS} rounds")

    async def keep_idempotent_answer(self, account_pk: int, user_name: str, key: str, answer: StoredAnswer) -> None:
        await self.conn.execute(_KEEP, account_pk, user_name, key, answer.status, answer.content_type, answer.body)

    async def purge_idempotency_keys(self, expired_before: datetime, limit: int) -> int:
        status = await self.conn.execute(_PURGE, expired_before, limit)
        return int(status.rsplit(" ", 1)[-1])
