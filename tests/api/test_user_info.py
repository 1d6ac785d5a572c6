"""``user_info`` and ``user_login``: who the caller is and what it may do; never a key."""

from __future__ import annotations

from typing import Final

import pytest
from starlette.testclient import TestClient

from loyalty_api.accounts.permissions import PERMISSIONS
from loyalty_api.config import Settings
from tests.support.api import call, call_json, credentials, error_of, xml_of
from tests.support.cli import run_cli
from tests.support.golden import GoldenCase, golden_tests
from tests.support.users import ADMIN, CLERK, MANAGER, OTHER_ADMIN, OWNER, User

CASES: Final = [
    GoldenCase("user_info", {"type": "user_info"}),
    GoldenCase("user_info_manager", {"type": "user_info"}, MANAGER),
    GoldenCase("user_info_owner", {"type": "user_info"}, OWNER),
    GoldenCase("user_info_of_a_clerk", {"type": "user_info", "user_name": "clerk1970"}),
    GoldenCase("user_info_suppressed", {"type": "user_info", "suppress_permissions": "Yes"}, CLERK),
    GoldenCase("user_info_denied", {"type": "user_info", "user_name": "john1970"}, MANAGER),
    GoldenCase("user_info_unknown", {"type": "user_info", "user_name": "nobody"}),
]

test_answers_match_golden_files, test_no_stray_golden_files = golden_tests(
    "accounts", CASES, owns=lambda name: name.startswith("user_info")
)

KEYS: Final = (ADMIN[2], MANAGER[2], CLERK[2], OWNER[2], OTHER_ADMIN[2])


def _login(client: TestClient, user_id: str, key: str, **extra: str) -> bytes:
    reply = client.post("/api.php", data={"type": "user_login", "user_id": user_id, "user_password": key, **extra})
    assert reply.status_code == 200
    return reply.content


def test_the_elements_real_clients_read(client: TestClient) -> None:
    user = call_json(client, {"type": "user_info", "output": "JSON"}, MANAGER)["user"]
    assert list(user) == [
        "user_id",
        "user_first_name",
        "user_last_name",
        "user_addtl_info",
        "user_language",
        "user_timezone",
        "user_role",
        "user_is_owner",
        "user_permissions",
        "user_allowed_campaigns",
        "account_coalition",
        "account_c2t",
    ]
    assert user["user_allowed_campaigns"] == {
        "status": "some",
        # Each id an object, as the legacy service's JSON had it and Java clients declare it.
        "campaign_ids": [{"xml_value_to_show": "1234567890123451"}, {"xml_value_to_show": "1234567890123453"}],
    }
    assert (user["user_role"], user["user_is_owner"], user["account_coalition"], user["account_c2t"]) == (
        "M",
        "N",
        "Y",
        "Y",
    )
    assert user["user_permissions"] == {
        name: ("Y" if "M" in {r.value for r in roles} else "N") for name, roles in PERMISSIONS
    }


def test_an_administrator_has_every_campaign_and_every_permission(client: TestClient) -> None:
    user = call_json(client, {"type": "user_info", "output": "JSON"}, OWNER)["user"]
    assert user["user_is_owner"] == "Y" and user["user_role"] == "A"
    assert user["user_allowed_campaigns"] == {"status": "all", "campaign_ids": []}
    assert set(user["user_permissions"].values()) == {"Y"}


def test_a_user_allowed_no_campaign(client: TestClient, settings: Settings) -> None:
    run_cli(
        settings,
        "user",
        "add",
        "nocamp",
        "--account",
        "greatwidgets",
        "--role",
        "K",
        "--campaigns",
        "none",
        "--password",
        "n0c4mp41gn5n0c4mp",
    )
    user = call_json(client, {"type": "user_info", "output": "JSON"}, ("greatwidgets", "nocamp", "n0c4mp41gn5n0c4mp"))
    assert user["user"]["user_allowed_campaigns"] == {"status": "none", "campaign_ids": []}


@pytest.mark.parametrize("key", KEYS)
def test_no_key_ever_shows(client: TestClient, key: str) -> None:
    for user in (ADMIN, MANAGER, CLERK, OWNER, OTHER_ADMIN):
        for output in ("XML", "JSON"):
            body = client.post("/api.php", data={**credentials(user), "type": "user_info", "output": output}).content
            assert key.encode() not in body and b"api_key" not in body and b"PIN" not in body


def test_only_administrators_see_other_users(client: TestClient) -> None:
    assert call(client, {"type": "user_info", "user_name": "mgr1970"}, OWNER).findtext("user/user_id") == "mgr1970"
    assert call(client, {"type": "user_info", "user_name": "clerk1970"}, CLERK).findtext("user/user_id") == "clerk1970"
    for user in (MANAGER, CLERK):
        assert error_of(call(client, {"type": "user_info", "user_name": "john1970"}, user))[0] == "permission_denied"


def test_another_accounts_user_is_not_found(client: TestClient) -> None:
    assert error_of(call(client, {"type": "user_info", "user_name": "otheradmin"}))[0] == "user_not_found"
    assert error_of(call(client, {"type": "user_info", "user_name": "john1970"}, OTHER_ADMIN))[0] == "user_not_found"


# --- user_login -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("user", [ADMIN, MANAGER, CLERK, OWNER, OTHER_ADMIN])
def test_user_login_without_the_account_answers_as_user_info(client: TestClient, user: User) -> None:
    answer = xml_of(_login(client, user[1], user[2]))
    info = call(client, {"type": "user_info"}, user)
    assert answer.get("status") == "success"
    assert [(e.tag, e.text) for e in answer.iter()] == [(e.tag, e.text) for e in info.iter()]


def test_user_login_with_the_account_works_too(client: TestClient) -> None:
    assert (
        xml_of(_login(client, "john1970", ADMIN[2], account_id="greatwidgets")).findtext("user/user_id") == "john1970"
    )


def test_user_login_fails_as_a_wrong_key_does(client: TestClient, settings: Settings) -> None:
    wrong_key = _login(client, "john1970", ADMIN[2] + "0")
    unknown = _login(client, "nobody1970", ADMIN[2])
    # A user id two accounts have names no account: refused whatever the key.
    run_cli(
        settings, "user", "add", "john1970", "--account", "otherco", "--role", "K", "--password", "s3c0ndj0hns3c0ndj0hn"
    )
    ambiguous = _login(client, "john1970", ADMIN[2])
    ambiguous_other = _login(client, "john1970", "s3c0ndj0hns3c0ndj0hn")
    assert wrong_key == unknown == ambiguous == ambiguous_other
    assert error_of(xml_of(wrong_key))[0] == "no_valid_session"
    # Naming the account settles it.
    assert xml_of(_login(client, "john1970", ADMIN[2], account_id="greatwidgets")).get("status") == "success"


def test_user_login_needs_a_user_id_and_a_key(client: TestClient) -> None:
    missing_user = client.post("/api.php", data={"type": "user_login", "user_password": ADMIN[2]}).content
    assert error_of(xml_of(missing_user)) == ("parameter_missing", "The field user_id is required.")
    missing_key = client.post("/api.php", data={"type": "user_login", "user_id": "john1970"}).content
    assert error_of(xml_of(missing_key)) == ("parameter_missing", "The field user_password is required.")


def test_other_calls_still_need_the_account(client: TestClient) -> None:
    reply = client.post("/api.php", data={"type": "user_info", "user_id": "john1970", "user_password": ADMIN[2]})
    assert error_of(xml_of(reply.content)) == ("parameter_missing", "The field account_id is required.")


def test_a_disabled_user_cannot_log_in(client: TestClient, settings: Settings) -> None:
    run_cli(settings, "user", "disable", "clerk1970", "--account", "greatwidgets")
    assert error_of(xml_of(_login(client, "clerk1970", CLERK[2])))[0] == "no_valid_session"
