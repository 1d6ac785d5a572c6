"""Keys can be rotated, disabled, enabled and removed, users' roles changed and listed, from the CLI; the change holds
at once for a fresh login (the login cache's time on a running server, on every node); keys are read from standard
input or a prompt and never printed again; an account always keeps an enabled administrator.  Both stores."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Final

from click.testing import CliRunner, Result
from starlette.testclient import TestClient

from loyalty_api.cli import cli
from loyalty_api.config import Settings
from loyalty_api.web.app import create_app
from tests.support.api import error_of, status_of, xml_of
from tests.support.balances import run_sql
from tests.support.live_server import HOST, REQUEST_TIMEOUT, live_server

POINTS: Final = "1234567890123451"
KEY: Final = "till-9-key-0123456789"


def _cli(settings: Settings, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, env={"LOYALTY_DATABASE_URL": settings.database_url})


def _ok(settings: Settings, *args: str, input: str | None = None) -> str:
    result = _cli(settings, *args, input=input)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def _disable_owner_by_hand(settings: Settings, account_id: str) -> None:
    run_sql(
        settings,
        "UPDATE users SET disabled = (1 = 1) WHERE is_owner = (1 = 1)"
        f" AND account_pk = (SELECT pk FROM accounts WHERE account_id = '{account_id}')",
    )


def _answer(settings: Settings, user: str, key: str, **fields: str) -> str:
    """``campaign_rewards`` (or ``fields``) as ``user``: "success" or the error code; no login cache."""
    sent = {"account_id": "greatwidgets", "user_id": user, "user_password": key, "type": "campaign_rewards"}
    with TestClient(create_app(dataclasses.replace(settings, login_cache_seconds=0))) as client:
        root = xml_of(client.post("/api.php", data={**sent, "campaign_id": POINTS, **fields}).content)
    return status_of(root) if status_of(root) != "error" else error_of(root)[0]


def _listed(settings: Settings) -> dict[str, dict[str, object]]:
    lines = _ok(settings, "user", "list", "--account", "greatwidgets").splitlines()
    return {str(found["user_id"]): found for found in map(json.loads, lines)}


def test_a_key_from_standard_input_then_rotated_disabled_enabled_removed(settings: Settings) -> None:
    shown = json.loads(
        _ok(
            settings,
            "user",
            "add",
            "till9",
            "--account",
            "greatwidgets",
            "--role",
            "K",
            "--key-stdin",
            input=KEY + "\n",
        )
    )
    assert "user_api_key" not in shown  # given, so not printed
    assert _answer(settings, "till9", KEY) == "success"

    rotated = json.loads(_ok(settings, "user", "rotate-key", "till9", "--account", "greatwidgets", "--by", "ops"))
    new_key = str(rotated.pop("user_api_key"))
    assert rotated == {"account_id": "greatwidgets", "user_id": "till9", "rotated": True}
    assert _answer(settings, "till9", KEY) == "no_valid_session"
    assert _answer(settings, "till9", new_key) == "success"

    assert json.loads(_ok(settings, "user", "disable", "till9", "--account", "greatwidgets"))["disabled"] is True
    assert _answer(settings, "till9", new_key) == "no_valid_session"
    assert _listed(settings)["till9"]["disabled"] is True
    assert json.loads(_ok(settings, "user", "enable", "till9", "--account", "greatwidgets"))["disabled"] is False
    assert _answer(settings, "till9", new_key) == "success"

    listing = _ok(settings, "user", "list", "--account", "greatwidgets")
    assert new_key not in listing and "sha256" not in listing and "digest" not in listing

    assert json.loads(_ok(settings, "user", "remove", "till9", "--account", "greatwidgets"))["removed"] is True
    assert _answer(settings, "till9", new_key) == "no_valid_session"
    assert "till9" not in _listed(settings)
    # The name is free again; the archive keeps the removed user whole.
    _ok(
        settings,
        "user",
        "add",
        "till9",
        "--account",
        "greatwidgets",
        "--role",
        "K",
        "--key-stdin",
        input="another-key-0123\n",
    )
    assert _answer(settings, "till9", "another-key-0123") == "success"


def test_a_key_from_a_prompt_and_one_way_at_a_time(settings: Settings) -> None:
    args = ("user", "rotate-key", "mgr1970", "--account", "greatwidgets", "--prompt-key")
    assert "user_api_key" not in _ok(settings, *args, input=f"{KEY}\n{KEY}\n")
    assert _answer(settings, "mgr1970", KEY) == "success"
    both = _cli(settings, "user", "rotate-key", "mgr1970", "--account", "greatwidgets", "--key-stdin", "--prompt-key")
    assert both.exit_code == 2 and "one way" in both.output
    short = _cli(settings, "user", "rotate-key", "mgr1970", "--account", "greatwidgets", "--key-stdin", input="short\n")
    assert short.exit_code == 2 and "at least 12 characters" in short.output
    assert _answer(settings, "mgr1970", KEY) == "success"  # unchanged by the refused commands


def test_set_role_changes_what_the_user_may_do(settings: Settings) -> None:
    update = {"type": "campaign_update", "action": "campaign", "new_campaign_name": "Renamed"}
    manager_key = "m4n4g3rm4n4g3rm4n4"
    assert _answer(settings, "mgr1970", manager_key, **update) == "updated"
    shown = json.loads(_ok(settings, "user", "set-role", "mgr1970", "--account", "greatwidgets", "--role", "K"))
    assert (shown["role"], shown["allowed_campaigns"]) == ("K", "all")
    assert _answer(settings, "mgr1970", manager_key, **update) == "permission_denied"
    args = (
        "user",
        "set-role",
        "mgr1970",
        "--account",
        "greatwidgets",
        "--role",
        "m",
        "--campaigns",
        "1234567890123450",
    )
    assert json.loads(_ok(settings, *args))["allowed_campaigns"] == ["1234567890123450"]
    assert _answer(settings, "mgr1970", manager_key) == "campaign_not_found"  # POINTS is no longer visible to it


def test_the_owner_stays_an_enabled_administrator(settings: Settings) -> None:
    for args in (("disable",), ("remove",), ("set-role", "--role", "M")):
        result = _cli(settings, "user", args[0], "otherco", "--account", "otherco", *args[1:])
        assert result.exit_code == 1 and "is the account's owner" in result.output, result.output
    unknown = _cli(settings, "user", "disable", "nobody", "--account", "otherco")
    assert unknown.exit_code == 1 and "no user 'nobody'" in unknown.output
    # The owner is always there: every other administrator may go.
    _ok(settings, "user", "disable", "otheradmin", "--account", "otherco")
    _ok(settings, "user", "remove", "otheradmin", "--account", "otherco")


def test_the_last_administrator_stays_in_an_account_whose_owner_was_disabled_before_it_was_one(
    settings: Settings,
) -> None:
    """The rule for accounts whose owner is no enabled administrator (only a database edited by hand can make one):
    the last enabled administrator cannot be disabled, demoted or removed."""
    _disable_owner_by_hand(settings, "otherco")
    for args in (("disable",), ("remove",), ("set-role", "--role", "M")):
        result = _cli(settings, "user", args[0], "otheradmin", "--account", "otherco", *args[1:])
        assert result.exit_code == 1 and "last enabled administrator" in result.output, result.output
    _ok(settings, "user", "add", "second", "--account", "otherco", "--role", "A", "--key-stdin", input=KEY + "\n")
    _ok(settings, "user", "disable", "otheradmin", "--account", "otherco")


def test_a_rotated_key_stops_working_on_every_node_within_the_cache_time(settings: Settings, tmp_path: Path) -> None:
    import http.client
    from urllib.parse import urlencode

    env = {"LOYALTY_LOGIN_CACHE_SECONDS": "1"}

    def works(port: int, key: str) -> bool:
        conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        fields = {"account_id": "greatwidgets", "user_id": "clerk1970", "user_password": key}
        conn.request(
            "POST",
            "/api.php",
            body=urlencode({**fields, "type": "campaign_rewards", "campaign_id": POINTS}),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        body = conn.getresponse().read()
        conn.close()
        return b'status="success"' in body

    old = "c1e4c1e4c1e4c1e4c1"
    with (
        live_server(settings.database_url, tmp_path, extra_env=env, name="a") as a,
        live_server(settings.database_url, tmp_path, extra_env=env, name="b") as b,
    ):
        assert works(a.port, old) and works(b.port, old)  # both nodes have the key cached now
        _ok(settings, "user", "rotate-key", "clerk1970", "--account", "greatwidgets", "--key-stdin", input=KEY + "\n")
        time.sleep(1.2)  # the login cache's time
        assert not works(a.port, old) and not works(b.port, old)
        assert works(a.port, KEY) and works(b.port, KEY)
