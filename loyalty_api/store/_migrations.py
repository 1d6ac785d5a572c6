"""Numbered migrations: ``NNNN_name.sql`` files shipped inside each backend's package.

The table ``schema_migrations`` records each applied migration's number, name, time and checksum (SHA-256 of its
text).  A database is refused (:class:`SchemaMismatch`) when it holds a migration this version does not know (its
schema is newer than the code) or one whose checksum differs from the code's (the file was changed after it was
applied).  Rows of databases migrated before checksums were kept get the code's checksum, once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

__all__ = [
    "AppliedMigration",
    "Migration",
    "MigrationStatus",
    "SchemaMismatch",
    "check_applied",
    "load_migrations",
    "statuses",
]


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def label(self) -> str:
        return f"{self.version:04d}_{self.name}"

    @property
    def checksum(self) -> str:
        """SHA-256 of the text, line ends made ``\\n`` (a checkout's line ends change nothing)."""
        return hashlib.sha256(self.sql.replace("\r\n", "\n").encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class AppliedMigration:
    """A row of ``schema_migrations``: ``checksum`` is None in rows written before checksums were kept."""

    version: int
    name: str
    applied_at: datetime
    checksum: str | None


@dataclass(frozen=True, slots=True)
class MigrationStatus:
    """One line of ``loyalty-api db status``: a migration of the code, or one only the database knows (``known``
    False); ``applied_at`` None: pending; ``changed``: applied with another checksum than the code's."""

    version: int
    name: str
    applied_at: datetime | None
    known: bool = True
    changed: bool = False


class SchemaMismatch(Exception):
    """The database's migrations are not this version's: newer, or changed since they were applied."""


def load_migrations(package: str) -> list[Migration]:
    """The migrations of ``package`` (a folder of ``NNNN_name.sql`` files), in order."""
    found: list[Migration] = []
    for entry in resources.files(package).iterdir():
        if not entry.name.endswith(".sql"):
            continue
        number, _, rest = entry.name.partition("_")
        found.append(Migration(int(number), rest.removesuffix(".sql"), entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations of {package} are not numbered 1..n: {versions}")
    return found


def statuses(code: list[Migration], applied: Iterable[AppliedMigration]) -> list[MigrationStatus]:
    """Every migration of the code and of the database, in order."""
    by_version = {row.version: row for row in applied}
    lines: list[MigrationStatus] = []
    for migration in code:
        row = by_version.pop(migration.version, None)
        changed = row is not None and row.checksum is not None and row.checksum != migration.checksum
        lines.append(
            MigrationStatus(migration.version, migration.name, None if row is None else row.applied_at, changed=changed)
        )
    lines.extend(MigrationStatus(row.version, row.name, row.applied_at, known=False) for row in by_version.values())
    return sorted(lines, key=lambda line: line.version)


def check_applied(code: list[Migration], applied: Iterable[AppliedMigration]) -> None:
    """Raise :class:`SchemaMismatch` when the database holds a migration the code lacks, or one it changed."""
    lines = statuses(code, applied)
    unknown = [f"{line.version:04d}_{line.name}" for line in lines if not line.known]
    if unknown:
        raise SchemaMismatch(
            f"the database's schema is newer than this version of loyalty-api: it has migration(s) "
            f"{', '.join(unknown)}, this version knows {len(code)} (up to {code[-1].label}); "
            "run the newer version, or restore a backup made before it migrated"
        )
    changed = [f"{line.version:04d}_{line.name}" for line in lines if line.changed]
    if changed:
        raise SchemaMismatch(
            f"the database's migration(s) {', '.join(changed)} differ from this version's (checksums of "
            "schema_migrations): the migration files were changed after they were applied; the schema may not be "
            "what this version expects"
        )
