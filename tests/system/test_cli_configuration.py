"""Configuration that cannot surprise: a mistyped SQLite path is an error, not a new empty database; every
configuration error names its variable; ``--database-url``; writing commands name their database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit, urlunsplit

import pytest
from click.testing import CliRunner, Result

from loyalty_api.cli import cli
from loyalty_api.config import Settings
from tests.support.cli import said
from tests.support.live_server import free_port

COMMAND_TIMEOUT: Final = 60


def _run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env or {})


def _missing(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'no-such-dir' / 'loyalty.db'}"


@pytest.mark.parametrize(
    "command",
    [["db", "upgrade"], ["demo"], ["db", "status"], ["account", "show", "x"], ["user", "list", "--account", "x"]],
)
def test_a_sqlite_path_in_a_missing_directory_is_an_error(tmp_path: Path, command: list[str]) -> None:
    result = _run(*command, env={"LOYALTY_DATABASE_URL": _missing(tmp_path)})
    assert result.exit_code == 1, result.output
    assert said(result) == (
        f"Error: the directory '{tmp_path / 'no-such-dir'}' of the SQLite database "
        f"LOYALTY_DATABASE_URL={_missing(tmp_path)} does not exist: create it, or run "
        "`loyalty-api db upgrade --create-dirs` (no new empty database is made elsewhere)\n"
    )
    assert not (tmp_path / "no-such-dir").exists()


def test_serve_refuses_a_missing_directory(tmp_path: Path) -> None:
    env = {**os.environ, "LOYALTY_DATABASE_URL": _missing(tmp_path)}
    command = [sys.executable, "-m", "loyalty_api", "serve", "--port", str(free_port())]
    done = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=COMMAND_TIMEOUT)
    assert done.returncode == 1
    assert "Error: the directory " in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "no-such-dir").exists()


@pytest.mark.parametrize("command", [["db", "upgrade", "--create-dirs"], ["demo", "--create-dirs"]])
def test_create_dirs_makes_the_directory(tmp_path: Path, command: list[str]) -> None:
    result = _run(*command, env={"LOYALTY_DATABASE_URL": _missing(tmp_path)})
    assert result.exit_code == 0, result.output
    assert (tmp_path / "no-such-dir" / "loyalty.db").is_file()
    assert _run("db", "status", env={"LOYALTY_DATABASE_URL": _missing(tmp_path)}).exit_code == 0


def test_the_database_url_option_wins_over_the_variable(tmp_path: Path) -> None:
    chosen = f"sqlite:///{tmp_path / 'chosen.db'}"
    env = {"LOYALTY_DATABASE_URL": _missing(tmp_path)}
    result = _run("--database-url", chosen, "db", "upgrade", env=env)
    assert result.exit_code == 0, result.output
    assert f" INFO loyalty_api.cli [-] database {chosen}\n" in result.stderr
    assert (tmp_path / "chosen.db").is_file()
    bad = _run("--database-url", "mysql://db/x", "db", "status", env=env)
    assert bad.exit_code == 1
    assert said(bad).startswith("Error: --database-url: unsupported LOYALTY_DATABASE_URL 'mysql://db/x'")


def test_a_writing_command_names_its_database_without_its_password(settings: Settings, tmp_path: Path) -> None:
    url = settings.database_url
    if url.startswith("postgresql:"):
        parts = urlsplit(url)
        netloc = f"{parts.username}:s3cr3t-pw@{parts.hostname}:{parts.port}"
        url = urlunsplit(parts._replace(netloc=netloc))
    env = {"LOYALTY_DATABASE_URL": url}
    written = _run("campaign", "add", "--account", "greatwidgets", "--type", "points", "--name", "Named", env=env)
    assert written.exit_code == 0, written.output
    shown = url.replace(":s3cr3t-pw@", ":***@")
    assert [line.split(" [-] ", 1)[1] for line in written.stderr.splitlines()] == [f"database {shown}"]
    assert "s3cr3t-pw" not in written.output
    read = _run("campaign", "show", "1234567890123451", "--account", "greatwidgets", env=env)
    assert read.exit_code == 0 and read.stderr == ""


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LOYALTY_DATABASE_URL", "mysql://db/loyalty"),
        ("LOYALTY_DATABASE_URL", "sqlite:///"),
        ("LOYALTY_DATABASE_URL", "postgresql://u@h/db?schema=Bad-Name"),
        ("LOYALTY_SQLITE_SYNCHRONOUS", "OFF"),
        ("LOYALTY_SQLITE_BUSY_TIMEOUT_MS", "soon"),
        ("LOYALTY_POSTGRES_POOL_MAX", "-1"),
        ("LOYALTY_IDEMPOTENCY_HOURS", "1"),
        ("LOYALTY_HEAVY_READ_PERCENT", "101"),
        ("LOYALTY_MAX_CONNECTIONS", "0"),
        ("LOYALTY_TOKEN_SECRET", "short"),
        ("LOYALTY_LOG_LEVEL", "loud"),
        ("LOYALTY_LOG_FORMAT", "xml"),
        ("LOYALTY_ACCESS_LOG", "maybe"),
    ],
)
def test_every_configuration_error_names_its_variable(tmp_path: Path, name: str, value: str) -> None:
    env = {"LOYALTY_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", name: value}
    result = _run("db", "status", env=env)
    assert result.exit_code == 1, result.output
    message = said(result)
    assert message.startswith("Error: ") and name in message and message.count("\n") == 1, message
    assert "Traceback" not in result.output
