"""Customers' secrets (``customer_password``, ``customer_PIN``) as argon2id hashes.

The parameters are OWASP's minimum for argon2id: 19 MiB of memory, 2 passes, 1 lane.  The environment may
choose others (``LOYALTY_ARGON2_MEMORY_KIB``, ``LOYALTY_ARGON2_TIME_COST``, ``LOYALTY_ARGON2_PARALLELISM``): the test
suite makes them cheap to stay fast; production should leave them alone or raise them.  A hash records its own
parameters, so hashes made with other ones still verify.

Hashing and verifying take tens of milliseconds of CPU: the ``async`` functions run them in a worker thread so that
the event loop keeps serving.  :func:`verify_secret` compares against a dummy hash made with the same parameters
when there is no stored hash, so an unknown customer costs the same work as a wrong password.
"""

from __future__ import annotations

import asyncio
import os
from functools import lru_cache
from typing import Final

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = ["ENV_MEMORY_KIB", "ENV_PARALLELISM", "ENV_TIME_COST", "hash_secret", "hasher", "verify_secret"]

ENV_MEMORY_KIB: Final = "LOYALTY_ARGON2_MEMORY_KIB"
ENV_TIME_COST: Final = "LOYALTY_ARGON2_TIME_COST"
ENV_PARALLELISM: Final = "LOYALTY_ARGON2_PARALLELISM"
_DEFAULTS: Final = {ENV_MEMORY_KIB: 19 * 1024, ENV_TIME_COST: 2, ENV_PARALLELISM: 1}
_MINIMA: Final = {ENV_MEMORY_KIB: 8, ENV_TIME_COST: 1, ENV_PARALLELISM: 1}
_DUMMY_SECRET: Final = "no customer has this secret"


def _setting(name: str) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return _DEFAULTS[name]
    if not (text.isascii() and text.isdigit()) or int(text) < _MINIMA[name]:
        raise ValueError(f"{name} must be a whole number of at least {_MINIMA[name]}, not {text!r}")
    return int(text)


@lru_cache(maxsize=1)
def hasher() -> PasswordHasher:
    """The process's hasher, with the parameters read from the environment on first use."""
    parallelism = _setting(ENV_PARALLELISM)
    memory = max(_setting(ENV_MEMORY_KIB), 8 * parallelism)
    return PasswordHasher(time_cost=_setting(ENV_TIME_COST), memory_cost=memory, parallelism=parallelism, type=Type.ID)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hasher().hash(_DUMMY_SECRET)


def _verify(stored: str | None, secret: str) -> bool:
    chosen = _dummy_hash() if stored is None else stored
    try:
        matched = hasher().verify(chosen, secret)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return matched and stored is not None


async def hash_secret(secret: str) -> str:
    return await asyncio.to_thread(hasher().hash, secret)


async def verify_secret(stored: str | None, secret: str) -> bool:
    """Whether ``secret`` matches the ``stored`` hash; with no stored hash, the same work and False."""
    return await asyncio.to_thread(_verify, stored, secret)
