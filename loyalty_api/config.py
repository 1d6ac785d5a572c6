"""Configuration from environment variables (``docs/configuration.md`` lists them)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

__all__ = ["LOG_FORMATS", "LOG_LEVELS", "MIN_TOKEN_SECRET_LENGTH", "Settings"]

DEFAULT_DATABASE_URL = "sqlite:///loyalty.db"
#: The shortest secret of time tokens (``LOYALTY_TOKEN_SECRET``): 32 characters, e.g. 16 random bytes in hex.
MIN_TOKEN_SECRET_LENGTH = 32
#: The choices of LOYALTY_LOG_LEVEL and LOYALTY_LOG_FORMAT (and of the CLI's --log-level and --log-format).
LOG_LEVELS: Final = ("debug", "info", "warning", "error", "critical")
LOG_FORMATS: Final = ("text", "json")
#: The modes LOYALTY_SQLITE_SYNCHRONOUS takes (loyalty_api.store.sqlite.store.SYNCHRONOUS_MODES, in lower case).
SQLITE_SYNCHRONOUS: Final = ("full", "normal", "extra")


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    sqlite_synchronous: str = "FULL"
    sqlite_busy_timeout_ms: int = 5000
    postgres_pool_min: int = 2
    postgres_pool_max: int = 10
    login_cache_seconds: float = 2.0
    # Failed logins allowed per address (and per user from a failing address) in a window (accounts/throttle.py).
    login_failure_limit: int = 20
    login_failure_window_seconds: int = 60
    idempotency_hours: int = 24
    # How long one statement may run (docs/security.md): reads, and writes (the archive moves whole campaigns).
    statement_timeout_ms: int = 5000
    write_statement_timeout_ms: int = 60000
    # The share of a process's time reads that scan (searches, long lists) may take (store/sql/heavy_reads.py).
    heavy_read_percent: int = 25
    # What one connection may cost (web/connections.py, docs/security.md).
    header_timeout_seconds: float = 10.0
    max_header_bytes: int = 64 * 1024
    body_grace_seconds: float = 10.0
    body_min_rate: int = 1024
    max_connections: int = 1000
    keep_alive_seconds: int = 5
    # The secret time tokens are signed with, and the one before it, still accepted (accounts/time_tokens.py);
    # blank: time tokens are off.
    token_secret: str = field(default="", repr=False)
    token_secret_previous: str = field(default="", repr=False)
    # Logging (loyalty_api/logs.py): the lowest level written, text or json, and a line per API request.
    log_level: str = "info"
    log_format: str = "text"
    access_log: bool = False
    # The port /metrics is served on instead of the public one (docs/deployment.md#metrics); None: the public one.
    metrics_port: int | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            database_url=env.get("LOYALTY_DATABASE_URL") or DEFAULT_DATABASE_URL,
            sqlite_synchronous=_choice(env, "LOYALTY_SQLITE_SYNCHRONOUS", SQLITE_SYNCHRONOUS, "full").upper(),
            sqlite_busy_timeout_ms=_int(env, "LOYALTY_SQLITE_BUSY_TIMEOUT_MS", 5000),
            postgres_pool_min=_int(env, "LOYALTY_POSTGRES_POOL_MIN", 2),
            postgres_pool_max=_int(env, "LOYALTY_POSTGRES_POOL_MAX", 10),
            login_cache_seconds=_int(env, "LOYALTY_LOGIN_CACHE_SECONDS", 2),
            login_failure_limit=_positive(env, "LOYALTY_LOGIN_FAILURE_LIMIT", 20),
            login_failure_window_seconds=_positive(env, "LOYALTY_LOGIN_FAILURE_WINDOW_SECONDS", 60),
            idempotency_hours=_idempotency_hours(env),
            statement_timeout_ms=_positive(env, "LOYALTY_STATEMENT_TIMEOUT_MS", 5000),
            write_statement_timeout_ms=_positive(env, "LOYALTY_WRITE_STATEMENT_TIMEOUT_MS", 60000),
            heavy_read_percent=_percent(env, "LOYALTY_HEAVY_READ_PERCENT", 25),
            header_timeout_seconds=_positive(env, "LOYALTY_HEADER_TIMEOUT_SECONDS", 10),
            max_header_bytes=_positive(env, "LOYALTY_MAX_HEADER_BYTES", 64 * 1024),
            body_grace_seconds=_positive(env, "LOYALTY_BODY_GRACE_SECONDS", 10),
            body_min_rate=_positive(env, "LOYALTY_BODY_MIN_RATE", 1024),
            max_connections=_positive(env, "LOYALTY_MAX_CONNECTIONS", _default_max_connections()),
            keep_alive_seconds=_positive(env, "LOYALTY_KEEP_ALIVE_SECONDS", 5),
            **_token_secrets(env),
            log_level=_choice(env, "LOYALTY_LOG_LEVEL", LOG_LEVELS, "info"),
            log_format=_choice(env, "LOYALTY_LOG_FORMAT", LOG_FORMATS, "text"),
            access_log=_flag(env, "LOYALTY_ACCESS_LOG"),
            metrics_port=_port(env, "LOYALTY_METRICS_PORT"),
        )


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = (env.get(name) or default).strip().lower()
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, not {env.get(name)!r}")
    return value


def _flag(env: Mapping[str, str], name: str) -> bool:
    value = (env.get(name) or "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ValueError(f"{name} must be 1 or 0 (true or false), not {env.get(name)!r}")


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name)
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {text!r}") from None
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if value == 0:
        raise ValueError(f"{name} must be at least 1")
    return value


def _port(env: Mapping[str, str], name: str) -> int | None:
    if not env.get(name):
        return None
    value = _positive(env, name, 0)
    if value > 65535:
        raise ValueError(f"{name} is a TCP port: at most 65535, not {value}")
    return value


def _percent(env: Mapping[str, str], name: str, default: int) -> int:
    value = _positive(env, name, default)
    if value > 100:
        raise ValueError(f"{name} is a percentage: at most 100, not {value}")
    return value


def _default_max_connections() -> int:
    """1,000, or fewer when the process may open fewer files: what stays for the database, logs and workers."""
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, ValueError, OSError):  # pragma: no cover - not POSIX
        return 1000
    if soft == resource.RLIM_INFINITY:
        return 1000
    return max(16, min(1000, soft - 128))


def _idempotency_hours(env: Mapping[str, str]) -> int:
    # At least 24 (loyalty_api.handler.idempotency.MIN_KEEP_HOURS): clients are promised a retry works for a day.
    hours = _int(env, "LOYALTY_IDEMPOTENCY_HOURS", 24)
    if hours < 24:
        raise ValueError(f"LOYALTY_IDEMPOTENCY_HOURS must be at least 24, not {hours}")
    return hours


def _token_secrets(env: Mapping[str, str]) -> dict[str, str]:
    """``LOYALTY_TOKEN_SECRET`` and ``LOYALTY_TOKEN_SECRET_PREVIOUS``: each blank or at least
    ``MIN_TOKEN_SECRET_LENGTH`` characters, and no previous secret without a current one."""
    secret = (env.get("LOYALTY_TOKEN_SECRET") or "").strip()
    previous = (env.get("LOYALTY_TOKEN_SECRET_PREVIOUS") or "").strip()
    for name, value in (("LOYALTY_TOKEN_SECRET", secret), ("LOYALTY_TOKEN_SECRET_PREVIOUS", previous)):
        if value and len(value) < MIN_TOKEN_SECRET_LENGTH:
            raise ValueError(f"{name} must have at least {MIN_TOKEN_SECRET_LENGTH} characters")
    if previous and not secret:
        raise ValueError("LOYALTY_TOKEN_SECRET_PREVIOUS is set without LOYALTY_TOKEN_SECRET")
    return {"token_secret": secret, "token_secret_previous": previous}
