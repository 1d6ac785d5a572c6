"""API credentials: keys stored only as digests, checked in constant time.

API keys are machine secrets (the legacy ``user_password`` "is the API key, not the actual typed-in
password"), generated with 160 bits of randomness, so one SHA-256 over a versioned, per-user
salted message is the right cost: microseconds per request, and a stolen table does not give the
keys back.  (Customers' own passwords are people's secrets and use argon2id elsewhere.)

An unknown account or user costs the same work as a wrong key (the digest is computed and compared
against a dummy digest) and gets the same answer.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Final

from loyalty_api.errors import ApiError
from loyalty_api.store.interface import Store
from loyalty_api.store.models import Login, Principal

__all__ = ["MIN_KEY_LENGTH", "LoginCache", "authenticate", "generate_key", "key_digest"]

MIN_KEY_LENGTH: Final = 12
_SCHEME: Final = "sha256v1$"
_DUMMY_DIGEST: Final = _SCHEME + "0" * 64


def key_digest(account_id: str, user_name: str, key: str) -> str:
    message = b"\0".join((b"loyalty-api key v1", account_id.encode(), user_name.encode(), key.encode()))
    return _SCHEME + hashlib.sha256(message).hexdigest()


def generate_key() -> str:
    """A new API key: 40 hex digits (160 bits), the shape legacy clients are used to."""
    return secrets.token_hex(20)


class LoginCache:
    """What ``find_login`` answered for ``(account_id, user_id)``, kept for ``ttl`` seconds in this process.

    It takes the database query off the hot path (a point-of-sale terminal calls many times a second).
    Absent users are kept too, so that an unknown user and a wrong key still cost the same work.  A key,
    role or campaign change made by an operator takes effect within ``ttl`` seconds; ``ttl`` 0 turns the
    cache off.  Only the stored digest is kept, never a key.
    """

    __slots__ = ("_entries", "_max_entries", "_ttl")

    def __init__(self, ttl: float, max_entries: int = 10_000) -> None:
        self._ttl = ttl
        self._max_entries = max_entries
        self._entries: dict[tuple[str, str], tuple[float, Login | None]] = {}

    async def find(self, store: Store, account_id: str, user_name: str) -> Login | None:
        if self._ttl <= 0:
            return await store.find_login(account_id, user_name)
        now = time.monotonic()
        entry = self._entries.get((account_id, user_name))
        if entry is not None and entry[0] > now:
            return entry[1]
        login = await store.find_login(account_id, user_name)
        if len(self._entries) >= self._max_entries:
            self._entries.clear()
        self._entries[(account_id, user_name)] = (now + self._ttl, login)
        return login


_NO_CACHE: Final = LoginCache(0)


async def authenticate(
    store: Store, account_id: str, user_name: str, key: str, cache: LoginCache = _NO_CACHE
) -> Principal:
    login = await cache.find(store, account_id, user_name)
    expected = _DUMMY_DIGEST if login is None else login.key_digest
    matches = hmac.compare_digest(expected.encode(), key_digest(account_id, user_name, key).encode())
    if login is None or not matches:
        raise ApiError("no_valid_session")
    return login.principal
