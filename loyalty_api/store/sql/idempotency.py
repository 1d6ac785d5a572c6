"""Idempotency keys (``docs/ledger.md``, Idempotency): claiming a key, keeping its answer, purging old ones.

A key is claimed by inserting its row.  On PostgreSQL (READ COMMITTED) an ``INSERT ... ON CONFLICT DO NOTHING`` that
meets a row another transaction inserted and has not committed waits for that transaction; when it commits the
insert does nothing and the next statement (a new snapshot) reads its answer; when it rolls back the insert goes
through.  On SQLite the transaction holds the whole database, so the row read is the committed one.  So concurrent
requests with one key run the call once, and the others answer what it answered.  An expired row is taken over by an
``UPDATE`` that only applies while the row is still expired (a concurrent taker that committed first wins; its answer
is then read).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from loyalty_api.store.models import StoredAnswer
from loyalty_api.store.sql.db import Db
from loyalty_api.store.sql.dialect import Dialect

__all__ = ["IdempotencySql", "IdempotencyWrites"]

_OF_KEY: Final = "account_pk = ? AND user_name = ? AND key = ?"
# Each round either claims the key or finds a committed, unexpired answer, unless the row vanished (purged) or was
# taken over in between; a few rounds always settle it.
_ROUNDS: Final = 5
_NO_BODY: Final = b""


class IdempotencySql:
    def __init__(self, d: Dialect) -> None:
        q = d.sql
        self.d = d
        self.insert = q(
            "INSERT INTO idempotency_keys (account_pk, user_name, key, fingerprint, status, content_type, body,"
            " created_at) VALUES (?, ?, ?, ?, 0, '', ?, ?) ON CONFLICT (account_pk, user_name, key) DO NOTHING"
            " RETURNING 1"
        )
        self.find = q(
            f"SELECT fingerprint, status, content_type, body, created_at FROM idempotency_keys WHERE {_OF_KEY}"
        )
        self.take_expired = q(
            "UPDATE idempotency_keys SET fingerprint = ?, status = 0, content_type = '', body = ?, created_at = ?"
            f" WHERE {_OF_KEY} AND created_at < ? RETURNING 1"
        )
        self.keep = q(f"UPDATE idempotency_keys SET status = ?, content_type = ?, body = ? WHERE {_OF_KEY}")
        self.purge = q(
            "DELETE FROM idempotency_keys WHERE (account_pk, user_name, key) IN"
            " (SELECT account_pk, user_name, key FROM idempotency_keys WHERE created_at < ? LIMIT ?)"
        )


class IdempotencyWrites:
    """The idempotency keys' operations of :class:`WriteTx`."""

    __slots__ = ()
    _db: Db
    _idempotency_sql: IdempotencySql

    async def claim_idempotency_key(
        self, account_pk: int, user_name: str, key: str, fingerprint: str, at: datetime, expired_before: datetime
    ) -> StoredAnswer | None:
        db, sql = self._db, self._idempotency_sql
        d = sql.d
        of_key = (account_pk, user_name, key)
        stamp, expired = d.at(at), d.at(expired_before)
        for _ in range(_ROUNDS):
            if await db.value(sql.insert, (*of_key, fingerprint, _NO_BODY, stamp)) is not None:
                return None
            row = await db.one(sql.find, of_key)
            if row is None:
                continue  # purged between the two statements: insert again
            if d.time(row[4]) >= expired_before:
                return StoredAnswer(str(row[0]), int(row[1]), str(row[2]), bytes(row[3]))
            if await db.value(sql.take_expired, (fingerprint, _NO_BODY, stamp, *of_key, expired)) is not None:
                return None
        raise RuntimeError(f"idempotency key not settled after {_ROUNDS} rounds")

    async def keep_idempotent_answer(self, account_pk: int, user_name: str, key: str, answer: StoredAnswer) -> None:
        sql = self._idempotency_sql
        await self._db.run(sql.keep, (answer.status, answer.content_type, answer.body, account_pk, user_name, key))

    async def purge_idempotency_keys(self, expired_before: datetime, limit: int) -> int:
        sql = self._idempotency_sql
        return await self._db.run(sql.purge, (sql.d.at(expired_before), limit))
