"""Write-transaction operations on idempotency keys (SQLite).

:class:`IdempotencyTxMixin` is mixed into ``SqliteWriteTx``.  The whole database is write-locked by the transaction
(BEGIN IMMEDIATE) and the group-commit writer runs one job after the other, so a key read here cannot be claimed by
anyone else before this job ends: a second request with the key, in the same batch or a later one, sees the first
one's row.  A job that fails rolls back to its savepoint, and its claim with it.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Final

from loyalty_api.store.models import StoredAnswer
from loyalty_api.store.sqlite._rows import time_text

__all__ = ["IdempotencyTxMixin"]

_FIND: Final = (
    "SELECT fingerprint, status, content_type, body, created_at FROM idempotency_keys"
    " WHERE account_pk = ? AND user_name = ? AND key = ?"
)
_CLAIM: Final = (
    "INSERT INTO idempotency_keys (account_pk, user_name, key, fingerprint, status, content_type, body, created_at)"
    " VALUES (?, ?, ?, ?, 0, '', x'', ?) ON CONFLICT (account_pk, user_name, key) DO UPDATE SET"
    " fingerprint = excluded.fingerprint, status = 0, content_type = '', body = x'', created_at = excluded.created_at"
)
_KEEP: Final = (
    "UPDATE idempotency_keys SET status = ?, content_type = ?, body = ?"
    " WHERE account_pk = ? AND user_name = ? AND key = ?"
)
_PURGE: Final = (
    "DELETE FROM idempotency_keys WHERE (account_pk, user_name, key) IN"
    " (SELECT account_pk, user_name, key FROM idempotency_keys WHERE created_at < ? LIMIT ?)"
)


class IdempotencyTxMixin:
    __slots__ = ()
    _conn: sqlite3.Connection

    async def claim_idempotency_key(
        self, account_pk: int, user_name: str, key: str, fingerprint: str, at: datetime, expired_before: datetime
    ) -> StoredAnswer | None:
        row = self._conn.execute(_FIND, (account_pk, user_name, key)).fetchone()
        if row is not None and str(row[4]) >= time_text(expired_before):
            return StoredAnswer(str(row[0]), int(row[1]), str(row[2]), bytes(row[3]))
        self._conn.execute(_CLAIM, (account_pk, user_name, key, fingerprint, time_text(at)))
        return None

    async def keep_idempotent_answer(self, account_pk: int, user_name: str, key: str, answer: StoredAnswer) -> None:
        self._conn.execute(_KEEP, (answer.status, answer.content_type, answer.body, account_pk, user_name, key))

    async def purge_idempotency_keys(self, expired_before: datetime, limit: int) -> int:
        cur = self._conn.execute(_PURGE, (time_text(expired_before), limit))
        return int(cur.rowcount)
