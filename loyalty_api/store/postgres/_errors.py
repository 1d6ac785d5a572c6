"""Which driver errors mean "the database cannot answer" (:class:`StoreUnavailable`) and which are retried."""

from __future__ import annotations

import asyncio
from typing import Final

import asyncpg
from asyncpg import exceptions as pg_errors

__all__ = ["RETRYABLE", "UNAVAILABLE", "is_unavailable"]

# The server is down, unreachable, refusing connections, shutting down or out of connections; the
# connection broke (including "did my COMMIT happen?": TransactionResolutionUnknownError, for which the
# request is answered as failed even though the change may have been kept); a timeout.
UNAVAILABLE: Final[tuple[type[BaseException], ...]] = (
    OSError,
    asyncio.TimeoutError,
    pg_errors.PostgresConnectionError,
    pg_errors.CannotConnectNowError,
    pg_errors.AdminShutdownError,
    pg_errors.CrashShutdownError,
    pg_errors.TooManyConnectionsError,
    pg_errors.InvalidCatalogNameError,
    asyncpg.InterfaceError,  # "connection is closed", "pool is closed", ... but see is_unavailable
    # The driver's protocol caught in the middle of an operation by the connection's loss (seen when the server
    # terminates a pooled connection while a query is sent on it: "cannot switch to state 12; another operation
    # is in progress").
    pg_errors.InternalClientError,
)

# A transaction chosen as a deadlock victim (or a serialization failure) changed nothing and is run again.
RETRYABLE: Final[tuple[type[BaseException], ...]] = (
    pg_errors.DeadlockDetectedError,
    pg_errors.SerializationError,
)


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot answer now (not a bug of the statement or its values)."""
    return isinstance(exc, UNAVAILABLE) and not isinstance(exc, asyncpg.DataError)
