"""``loyalty-api db status``, the checksums ``schema_migrations`` keeps, and the databases every command refuses: one
whose schema is newer than the code, or whose applied migrations differ from the code's."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Final

import pytest

from loyalty_api.config import Settings
from tests.support.backends import backend_settings
from tests.support.balances import run_sql
from tests.support.cli import invoke, said
from tests.support.live_server import free_port

APPLIED: Final = re.compile(r"(\d{4}) (\w+) \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
START_TIMEOUT: Final = 60


def _migrations(settings: Settings) -> list[tuple[str, str, str]]:
    """``(number, name, checksum)`` of each migration file of the backend, in order."""
    backend = "sqlite" if settings.database_url.startswith("sqlite:") else "postgres"
    folder = resources.files(f"loyalty_api.store.{backend}.migrations")
    files = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".sql"))
    return [
        (name[:4], name[5:].removesuffix(".sql"), hashlib.sha256(folder.joinpath(name).read_bytes()).hexdigest())
        for name in files
    ]


@pytest.fixture
def empty(backend: str, tmp_path: Path) -> Settings:
    return backend_settings(backend, tmp_path)


def test_a_new_database_is_all_pending(empty: Settings) -> None:
    result = invoke(empty, "db", "status")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"{number} {name} pending" for number, name, _ in _migrations(empty)]


def test_a_migrated_database_shows_when_each_was_applied(settings: Settings) -> None:
    run_sql(settings, f"DELETE FROM schema_migrations WHERE version = {len(_migrations(settings))}")
    lines = invoke(settings, "db", "status").stdout.splitlines()
    *applied, last = lines
    expected = _migrations(settings)
    matches = [APPLIED.fullmatch(line) for line in applied]
    assert [m.groups() if m else line for m, line in zip(matches, applied, strict=True)] == [
        (number, name) for number, name, _ in expected[:-1]
    ], lines
    assert last == f"{expected[-1][0]} {expected[-1][1]} pending"


def test_each_applied_migration_keeps_its_checksum(empty: Settings) -> None:
    assert invoke(empty, "db", "upgrade").exit_code == 0
    rows = run_sql(empty, "SELECT version, name, checksum FROM schema_migrations ORDER BY version")
    assert rows == [(int(number), name, checksum) for number, name, checksum in _migrations(empty)]


def test_a_database_without_checksums_gets_them_once(settings: Settings) -> None:
    run_sql(settings, "ALTER TABLE schema_migrations DROP COLUMN checksum")
    status = invoke(settings, "db", "status")
    assert status.exit_code == 0 and "pending" not in status.stdout
    upgraded = invoke(settings, "db", "upgrade")
    assert (upgraded.exit_code, upgraded.stdout) == (0, "the schema is up to date\n")
    rows = run_sql(settings, "SELECT checksum FROM schema_migrations ORDER BY version")
    assert rows == [(checksum,) for _, _, checksum in _migrations(settings)]


def test_a_schema_newer_than_the_code_is_refused(settings: Settings, tmp_path: Path) -> None:
    run_sql(
        settings,
        "INSERT INTO schema_migrations (version, name, applied_at, checksum)"
        " VALUES (99, 'from_the_future', '2030-01-01T00:00:00Z', 'x')",
    )
    status = invoke(settings, "db", "status")
    assert status.exit_code == 1
    assert status.stdout.splitlines()[-1] == "0099 from_the_future 2030-01-01T00:00:00Z (unknown to this version)"
    for command in (["db", "upgrade"], ["account", "show", "greatwidgets"], ["demo"]):
        refused = invoke(settings, *command)
        assert refused.exit_code == 1, (command, refused.output)
        assert "is newer than this version of loyalty-api: it has migration(s) 0099_from_the_future" in refused.stderr
        assert said(refused).startswith("Error: refusing "), refused.stderr
    assert run_sql(settings, "SELECT count(*) FROM schema_migrations WHERE version = 99") == [(1,)]
    _assert_serve_refuses(settings, tmp_path, "is newer than this version")


def test_a_changed_migration_is_refused(settings: Settings, tmp_path: Path) -> None:
    run_sql(settings, "UPDATE schema_migrations SET checksum = 'edited' WHERE version = 3")
    status = invoke(settings, "db", "status")
    assert status.exit_code == 1
    assert [line for line in status.stdout.splitlines() if line.endswith(")")] == [
        line for line in status.stdout.splitlines() if line.startswith("0003 ")
    ]
    assert status.stdout.splitlines()[2].endswith(" (changed since applied)")
    refused = invoke(settings, "db", "upgrade")
    assert refused.exit_code == 1
    assert "migration(s) 0003_customers differ from this version's" in refused.stderr
    assert run_sql(settings, "SELECT checksum FROM schema_migrations WHERE version = 3") == [("edited",)]
    _assert_serve_refuses(settings, tmp_path, "0003_customers differ")


def _assert_serve_refuses(settings: Settings, tmp_path: Path, message: str) -> None:
    command = [sys.executable, "-m", "loyalty_api", "serve", "--port", str(free_port())]
    env = {**os.environ, "LOYALTY_DATABASE_URL": settings.database_url}
    done = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=START_TIMEOUT)
    assert done.returncode == 1, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
