"""What the store holds, read back through the operator's CLI (``campaign show`` / ``campaign history``).

Tests of ``campaign_update`` check the stored result this way rather than trusting the response, so
they also hold for every backend the CLI reaches through ``LOYALTY_DATABASE_URL``.
"""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner
from lxml import etree
from starlette.testclient import TestClient

from loyalty_api.cli import cli
from loyalty_api.config import Settings
from tests.support.api import ADMIN, call

__all__ = ["error_of", "history", "run_cli", "show", "status_of", "update", "warnings_of"]

GREATWIDGETS = "greatwidgets"


def run_cli(settings: Settings, *args: str) -> str:
    """Run ``loyalty-api ARGS`` against the test database; its standard output (the exit code must be 0)."""
    result = CliRunner().invoke(cli, list(args), env={"LOYALTY_DATABASE_URL": settings.database_url})
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def show(settings: Settings, campaign_id: str, account_id: str = GREATWIDGETS) -> dict[str, Any]:
    """``loyalty-api campaign show``: the stored campaign."""
    shown = json.loads(run_cli(settings, "campaign", "show", campaign_id, "--account", account_id))
    assert isinstance(shown, dict)
    return shown


def history(settings: Settings, campaign_id: str, account_id: str = GREATWIDGETS) -> list[dict[str, Any]]:
    """``loyalty-api campaign history``: the audit records, oldest first."""
    out = run_cli(settings, "campaign", "history", campaign_id, "--account", account_id)
    return [json.loads(line) for line in out.splitlines()]


def update(
    client: TestClient, campaign_id: str, fields: dict[str, str] | None = None, user: tuple[str, str, str] = ADMIN
) -> etree._Element:
    """``type=campaign_update&action=campaign`` for ``campaign_id`` with ``fields``; the parsed XML answer."""
    data = {"type": "campaign_update", "action": "campaign", "campaign_id": campaign_id, **(fields or {})}
    return call(client, data, user)


def status_of(root: etree._Element) -> str:
    return str(root.get("status"))


def error_of(root: etree._Element) -> tuple[str, str]:
    """``(code, message)`` of an error document (fails on a success)."""
    assert root.get("status") == "error", etree.tostring(root)
    error = root.find("error")
    assert error is not None
    return str(error.get("code")), str(error.text)


def warnings_of(root: etree._Element) -> list[str]:
    return [str(w.text) for w in root.findall("warnings/warning")]
