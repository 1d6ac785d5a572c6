"""``LOYALTY_DATABASE_URL`` for PostgreSQL: ``postgresql://user[:password]@host[:port]/db[?schema=NAME]``.

``postgres://`` is accepted too.  The one option of our own is ``schema``: the store keeps its
tables in that schema (created by ``db upgrade`` when missing) instead of ``public``, so several
installations, or the tests, can share one database.  Every other query option is the driver's
(asyncpg: ``sslmode``, ``sslrootcert``, ...; any other name is sent as a server setting, e.g.
``application_name``, which is ``loyalty-api`` unless the URL names another).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from loyalty_api.store.urls import redacted

__all__ = ["SCHEMES", "PostgresUrl", "parse_postgres_url"]

SCHEMES: Final = ("postgresql", "postgres")
_SCHEMA_NAME: Final = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_APPLICATION_NAME: Final = "loyalty-api"  # what pg_stat_activity shows


@dataclass(frozen=True, slots=True)
class PostgresUrl:
    dsn: str  # what the driver gets: the URL without our own options
    schema: str | None  # None: the server's default search_path (``public``)
    server_settings: dict[str, str]  # ours, sent at connection start (the URL's own options win)


def parse_postgres_url(url: str) -> PostgresUrl:
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise ValueError(f"not a PostgreSQL URL: {redacted(url)!r} (expected postgresql://user@host:port/db)")
    options = parse_qsl(parts.query, keep_blank_values=True)
    schema: str | None = None
    kept: list[tuple[str, str]] = []
    for name, value in options:
        if name == "schema":
            if not _SCHEMA_NAME.fullmatch(value):
                raise ValueError(f"schema must be lower-case letters, digits and '_' (at most 63), not {value!r}")
            schema = value
        else:
            kept.append((name, value))
    dsn = urlunsplit(("postgresql", parts.netloc, parts.path, urlencode(kept), parts.fragment))
    settings: dict[str, str] = {}
    if schema is not None:
        settings["search_path"] = schema
    if all(name != "application_name" for name, _ in kept):
        settings["application_name"] = _APPLICATION_NAME
    return PostgresUrl(dsn, schema, settings)
