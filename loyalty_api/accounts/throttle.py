"""Failed logins, counted so that keys cannot be guessed at speed.

An API key is 160 random bits, but a wrong one costs the server only microseconds to refuse: 1,500 wrong keys for
one user went through at 400 a second.  :class:`LoginThrottle` counts failed logins in a sliding window
(:data:`WINDOW`, a minute), in this process, by client address and by user:

- an address with :data:`LIMIT` failures in the window is refused (``too_many_attempts``) whatever it sends, until
  its failures age out of the window;
- a user with :data:`LIMIT` failures in the window (from any addresses) is refused from the addresses that failed
  for that user in the window, but not from others: a correct key from an address that has not failed keeps
  working, so an attacker cannot lock a real integration out.

Unknown users are counted exactly like known ones (the count never looks the user up), so the answers tell no one
which users exist.  Each worker process counts its own failures; with ``--workers N`` (or N nodes) an address gets
at most N times the limit.  Memory is bounded (:data:`MAX_TRACKED` keys, the oldest forgotten first).
"""

from __future__ import annotations

import time
from collections import deque
from typing import Final

__all__ = ["LIMIT", "MAX_TRACKED", "WINDOW", "LoginThrottle"]

LIMIT: Final = 20
WINDOW: Final = 60.0
MAX_TRACKED: Final = 100_000
# The failure times kept per key: never more than the limit (a larger limit counts no further than this).
_MAX_KEPT: Final = 10_000

_Key = tuple[str, ...]


class LoginThrottle:
    __slots__ = ("_failures", "_limit", "_max_tracked", "_window")

    def __init__(self, limit: int = LIMIT, window: float = WINDOW, max_tracked: int = MAX_TRACKED) -> None:
        self._limit = limit
        self._window = window
        self._max_tracked = max_tracked
        self._failures: dict[_Key, deque[float]] = {}

    def allows(self, account_id: str, user_name: str, address: str | None) -> bool:
        """Whether a login of this user from this address may be tried now."""
        if not self._failures:  # the usual case: nothing failed lately (no clock read, no keys built)
            return True
        now = time.monotonic()
        if address is not None and self._count(("address", address), now) >= self._limit:
            return False
        if self._count(("user", account_id, user_name), now) < self._limit:
            return True
        return address is not None and self._count(("pair", account_id, user_name, address), now) == 0

    def failed(self, account_id: str, user_name: str, address: str | None) -> None:
        """Count a failed login."""
        now = time.monotonic()
        self._add(("user", account_id, user_name), now)
        if address is not None:
            self._add(("address", address), now)
            self._add(("pair", account_id, user_name, address), now)

    def _count(self, key: _Key, now: float) -> int:
        times = self._failures.get(key)
        if times is None:
            return 0
        horizon = now - self._window
        while times and times[0] <= horizon:
            times.popleft()
        if not times:
            del self._failures[key]
            return 0
        return len(times)

    def _add(self, key: _Key, now: float) -> None:
        times = self._failures.get(key)
        if times is None:
            if len(self._failures) >= self._max_tracked:
                self._forget_oldest()
            times = self._failures[key] = deque(maxlen=min(self._limit, _MAX_KEPT))
        times.append(now)

    def _forget_oldest(self) -> None:
        """Drop the keys tracked longest (a dict keeps insertion order): a tenth of the table at a time."""
        for key in list(self._failures)[: max(1, self._max_tracked // 10)]:
            del self._failures[key]
