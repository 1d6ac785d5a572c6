"""``user_new``, ``user_update``, ``user_delete`` and ``campaign_users`` through HTTP: fields, answers, rights and
the rules shared with ``loyalty-api user`` (the owner, the last administrator, unique names and PINs)."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any, Final

import pytest
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from loyalty_api.store import WriteTx, create_store
from loyalty_api.web.app import create_app
from tests.support.api import call, call_json, error_of, text_of
from tests.support.cli import run_cli
from tests.support.demo import BUYX, EARNED, GIFTCARD, OTHERCO_POINTS, POINTS
from tests.support.golden import GoldenCase, golden_tests
from tests.support.users import ADMIN, CLERK, MANAGER, OTHER_ADMIN, OWNER, User

KEY: Final = "n3wus3rk3yn3wus3rk3y"
_GENERATED: Final = re.compile(rb'(<user_api_key>|"user_api_key": ")[0-9a-f]{40}(?=<|")')


def _normalized(body: bytes) -> bytes:
    return _GENERATED.sub(rb"\1GENERATED", body)


NEW: Final = {
    "type": "user_new",
    "user_name": "till_9",
    "user_new_password": KEY,
    "user_first_name": "Tilly",
    "user_last_name": "Nine",
    "user_custom1": "Front desk",
    "user_PIN": "4321",
    "language_selector": "EN",
    "timezone_selector": "Europe/Paris",
    "user_role": "K",
    "allowed_campaigns": f"{POINTS},{EARNED}",
}

CASES: Final = [
    GoldenCase("user_new", NEW, changes_state=True),
    GoldenCase(
        "user_new_generated_key", {"type": "user_new", "user_name": "gen", "user_role": "M"}, changes_state=True
    ),
    GoldenCase("user_new_denied", NEW, MANAGER),
    GoldenCase("user_new_exists", {**NEW, "user_name": "clerk1970"}),
    GoldenCase("user_new_bad_name", {**NEW, "user_name": "till-9"}),
    GoldenCase("user_new_unknown_campaign", {**NEW, "allowed_campaigns": OTHERCO_POINTS}),
    GoldenCase(
        "user_update",
        {"type": "user_update", "user_name": "clerk1970", "user_first_name": "Carla", "user_role": "M"},
        changes_state=True,
    ),
    GoldenCase("user_update_owner", {"type": "user_update", "user_name": "greatwidgets", "user_role": "M"}),
    GoldenCase("user_update_unknown", {"type": "user_update", "user_name": "nobody", "user_last_name": "X"}),
    GoldenCase("user_delete", {"type": "user_delete", "user_name": "clerk1970"}, changes_state=True),
    GoldenCase("user_delete_owner", {"type": "user_delete", "user_name": "greatwidgets"}),
    GoldenCase(
        "campaign_users_add",
        {"type": "campaign_users", "action": "add", "campaign_id": GIFTCARD, "users": "mgr1970,clerk1970"},
        changes_state=True,
    ),
    GoldenCase(
        "campaign_users_remove",
        {"type": "campaign_users", "action": "remove", "campaign_id": POINTS, "users": "mgr1970"},
        changes_state=True,
    ),
    GoldenCase(
        "campaign_users_unknown_user",
        {"type": "campaign_users", "action": "add", "campaign_id": POINTS, "users": "mgr1970,nobody"},
    ),
]

test_answers_match_golden_files, test_no_stray_golden_files = golden_tests(
    "users", CASES, _normalized, owns=lambda name: not name.startswith("users_list")
)


def _user(client: TestClient, name: str, caller: User = ADMIN) -> dict[str, Any]:
    """``users_list``'s entry of the user, its allowed campaign ids unboxed (:func:`_unboxed`)."""
    users = call_json(client, {"type": "users_list", "searchField": "user_name", "searchValue": name}, caller)
    assert users["status"] == "success", users
    found = users["users"]
    assert len(found) == 1, found
    return _unboxed(found[0])


def _me(client: TestClient, caller: User) -> dict[str, Any]:
    """``user_info``'s user, its allowed campaign ids unboxed (:func:`_unboxed`)."""
    return _unboxed(call_json(client, {"type": "user_info"}, caller)["user"])


def _unboxed(user: dict[str, Any]) -> dict[str, Any]:
    """``user`` with ``user_allowed_campaigns.campaign_ids`` as plain ids (in JSON each is
    ``{"xml_value_to_show": id}``)."""
    allowed = user["user_allowed_campaigns"]
    assert all(list(item) == ["xml_value_to_show"] for item in allowed["campaign_ids"]), allowed
    ids = [item["xml_value_to_show"] for item in allowed["campaign_ids"]]
    return {**user, "user_allowed_campaigns": {**allowed, "campaign_ids": ids}}


def _code(client: TestClient, fields: dict[str, str], user: User = ADMIN) -> str:
    root = call(client, fields, user)
    return "success" if root.get("status") == "success" else error_of(root)[0]


# --- user_new -------------------------------------------------------------------------------------------------------


def test_a_new_user_logs_in_with_its_key_and_keeps_its_details(client: TestClient) -> None:
    answer = call_json(client, NEW)
    assert answer == {"status": "success", "user": {"user_id": "till_9", "user_api_key": KEY}}
    info = _me(client, ("greatwidgets", "till_9", KEY))
    assert (info["user_role"], info["user_first_name"], info["user_last_name"]) == ("K", "Tilly", "Nine")
    assert info["user_allowed_campaigns"] == {"status": "some", "campaign_ids": [POINTS, EARNED]}
    listed = _user(client, "till_9")
    assert (listed["user_addtl_info"], listed["user_language"], listed["user_timezone"]) == (
        "Front desk",
        "EN",
        "Europe/Paris",
    )


def test_a_generated_key_is_answered_once_and_works(client: TestClient) -> None:
    answer = call_json(client, {"type": "user_new", "user_name": "gen", "user_role": "M", "allowed_campaigns": "all"})
    key = answer["user"]["user_api_key"]
    assert re.fullmatch(r"[0-9a-f]{40}", key)
    assert call(client, {"type": "user_info"}, ("greatwidgets", "gen", key)).get("status") == "success"
    assert key not in json.dumps(_user(client, "gen"))


def test_absent_campaigns_are_none_and_administrators_have_all(client: TestClient) -> None:
    call(client, {"type": "user_new", "user_name": "nocamp", "user_role": "K"})
    assert _user(client, "nocamp")["user_allowed_campaigns"] == {"status": "none", "campaign_ids": []}
    call(client, {"type": "user_new", "user_name": "adm2", "user_role": "A", "allowed_campaigns": POINTS})
    assert _user(client, "adm2")["user_allowed_campaigns"] == {"status": "all", "campaign_ids": []}


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"user_name": ""}, "parameter_missing"),
        ({"user_name": "a" * 21}, "parameter_invalid"),
        ({"user_name": "tíll"}, "parameter_invalid"),
        ({"user_role": ""}, "parameter_missing"),
        ({"user_role": "X"}, "parameter_invalid"),
        ({"user_new_password": "short"}, "parameter_invalid"),
        ({"user_new_password": "k" * 129}, "parameter_invalid"),
        ({"user_first_name": "f" * 65}, "string_parameter_too_long"),
        ({"user_custom1": "c" * 256}, "string_parameter_too_long"),
        ({"user_PIN": "12"}, "parameter_invalid"),
        ({"user_PIN": "12 34"}, "parameter_invalid"),
        ({"language_selector": "English!"}, "parameter_invalid"),
        ({"timezone_selector": "68"}, "parameter_invalid"),
        ({"timezone_selector": "Mars/Olympus"}, "parameter_invalid"),
        ({"allowed_campaigns": ","}, "parameter_invalid"),
        ({"allowed_campaigns": "0000000000000000"}, "campaign_not_found"),
        ({"allowed_campaigns": f"{POINTS},{OTHERCO_POINTS}"}, "campaign_not_found"),
        ({"allowed_campaigns": "x" * 65}, "campaign_not_found"),
        ({"allowed_campaigns": ",".join(str(n) for n in range(1001))}, "parameter_invalid"),
        ({"user_name": "mgr1970"}, "user_exists"),
        ({"user_name": "greatwidgets"}, "user_exists"),
    ],
)
def test_user_new_refuses_bad_fields(client: TestClient, fields: dict[str, str], code: str) -> None:
    assert _code(client, {**NEW, **fields}) == code
    assert _code(client, {"type": "user_info", "user_name": "till_9"}) == "user_not_found"  # nothing was made


def test_names_are_per_account_and_free_again_after_a_delete(client: TestClient) -> None:
    assert _code(client, {**NEW, "user_name": "otheradmin"}) == "success"  # otherco's user, not greatwidgets'
    assert _code(client, {"type": "user_delete", "user_name": "clerk1970"}) == "success"
    assert _code(client, {**NEW, "user_name": "clerk1970", "user_PIN": "9999"}) == "success"


def test_a_pin_is_unique_among_live_users(client: TestClient) -> None:
    assert _code(client, NEW) == "success"
    root = call(client, {**NEW, "user_name": "till_10"})
    assert error_of(root) == ("user_pin_in_use", "The user_PIN is in use by another user of this account.")
    assert _code(client, {**NEW, "user_name": "till_10"}, OTHER_ADMIN) == "campaign_not_found"  # its campaigns
    assert _code(client, {**NEW, "user_name": "till_10", "allowed_campaigns": "all"}, OTHER_ADMIN) == "success"
    assert _code(client, {"type": "user_update", "user_name": "till_9", "user_PIN": ""}) == "success"
    assert _code(client, {**NEW, "user_name": "till_10"}) == "success"  # free once cleared
    assert _code(client, {"type": "user_update", "user_name": "till_9", "user_PIN": "4321"}) == "user_pin_in_use"
    assert _code(client, {"type": "user_update", "user_name": "till_10", "user_PIN": "4321"}) == "success"  # its own


# --- rights ---------------------------------------------------------------------------------------------------------

CALLS: Final[dict[str, dict[str, str]]] = {
    "user_new": NEW,
    "user_update": {"type": "user_update", "user_name": "clerk1970", "user_first_name": "X"},
    "user_delete": {"type": "user_delete", "user_name": "clerk1970"},
    "users_list": {"type": "users_list"},
    "campaign_users": {"type": "campaign_users", "action": "add", "campaign_id": POINTS, "users": "clerk1970"},
}


@pytest.mark.parametrize("call_type", list(CALLS))
@pytest.mark.parametrize("user", [MANAGER, CLERK], ids=["manager", "clerk"])
def test_only_administrators_manage_users(client: TestClient, call_type: str, user: User) -> None:
    root = call(client, CALLS[call_type], user)
    assert error_of(root)[0] == "permission_denied"
    assert user[1] in error_of(root)[1]


@pytest.mark.parametrize("user", [MANAGER, CLERK], ids=["manager", "clerk"])
def test_a_limited_user_learns_nothing_of_other_campaigns_or_users(client: TestClient, user: User) -> None:
    """The refusal comes before any look-up: a campaign the manager cannot see, one that does not exist and one it
    sees are answered alike, and so are users that exist or not."""
    answers = set()
    for campaign_id in (POINTS, BUYX, "0000000000000000", OTHERCO_POINTS):
        for users in ("clerk1970", "nobody"):
            fields = {"type": "campaign_users", "action": "add", "campaign_id": campaign_id, "users": users}
            answers.add(client.post("/api.php", data={**_creds(user), **fields}).content)
        fields = {**NEW, "allowed_campaigns": campaign_id}
        answers.add(client.post("/api.php", data={**_creds(user), **fields}).content)
    for name in ("clerk1970", "nobody", "otheradmin"):
        answers.add(client.post("/api.php", data={**_creds(user), **CALLS["user_delete"], "user_name": name}).content)
    assert len(answers) == 1, answers


def _creds(user: User) -> dict[str, str]:
    return {"account_id": user[0], "user_id": user[1], "user_password": user[2]}


def test_another_accounts_users_and_campaigns_are_not_found(client: TestClient) -> None:
    assert _code(client, {"type": "user_update", "user_name": "otheradmin", "user_first_name": "X"}) == "user_not_found"
    assert _code(client, {"type": "user_delete", "user_name": "otherco"}) == "user_not_found"
    fields = {"type": "campaign_users", "action": "add", "campaign_id": OTHERCO_POINTS, "users": "mgr1970"}
    assert _code(client, fields) == "campaign_not_found"
    assert _code(client, {**fields, "campaign_id": POINTS, "users": "otheradmin"}) == "user_not_found"


# --- the owner and the last administrator ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"type": "user_delete"},
        {"type": "user_update", "user_role": "M"},
        {"type": "user_update", "user_role": "K", "allowed_campaigns": POINTS},
        {"type": "user_update", "user_new_password": "an0th3rk3y0fth3own3r"},
        {"type": "campaign_users", "action": "remove", "campaign_id": POINTS, "users": "greatwidgets"},
    ],
)
def test_the_owner_can_be_neither_deleted_demoted_nor_limited(client: TestClient, fields: dict[str, str]) -> None:
    root = call(client, {"user_name": "greatwidgets", **fields})
    code, message = error_of(root)
    assert code == "user_change_refused" and "the account's owner" in message
    assert call(client, {"type": "user_info"}, OWNER).findtext("user/user_role") == "A"


def test_the_owner_changes_its_own_key_and_names(client: TestClient, settings: Settings) -> None:
    update = {"type": "user_update", "user_name": "greatwidgets", "user_first_name": "Gwen"}
    assert _code(client, update) == "success"  # another administrator may change its names
    new_key = "an0th3rk3y0fth3own3r"
    assert _code(client, {**update, "user_new_password": new_key}, OWNER) == "success"
    with TestClient(create_app(settings)) as fresh:  # a node whose login cache is empty
        assert _code(fresh, {"type": "user_info"}, ("greatwidgets", "greatwidgets", new_key)) == "success"
    # allowed_campaigns means nothing to an administrator: the owner keeps every campaign.
    assert _code(client, {**update, "allowed_campaigns": POINTS}) == "success"
    assert _user(client, "greatwidgets")["user_allowed_campaigns"]["status"] == "all"


def test_the_last_enabled_administrator_stays(client: TestClient, settings: Settings) -> None:
    """In otherco, the owner and otheradmin are the administrators; with the owner disabled in the store directly
    (as an older database may hold it), otheradmin is the last enabled one."""
    call(client, {"type": "user_new", "user_name": "adm2", "user_role": "A"}, OTHER_ADMIN)
    assert _code(client, {"type": "user_update", "user_name": "adm2", "user_role": "M"}, OTHER_ADMIN) == "success"
    _disable_owner(settings, "otherco")
    for fields in (
        {"type": "user_update", "user_name": "otheradmin", "user_role": "M"},
        {"type": "user_delete", "user_name": "otheradmin"},
    ):
        code, message = error_of(call(client, fields, OTHER_ADMIN))
        assert code == "user_change_refused" and "last enabled administrator" in message


def _disable_owner(settings: Settings, account_id: str) -> None:
    async def work() -> None:
        store = create_store(settings)
        await store.open()
        try:
            account = await store.get_account(account_id)
            assert account is not None

            async def disable(tx: WriteTx) -> None:
                user = await tx.user_for_update(account.pk, account_id)
                assert user is not None
                await tx.update_user(user.pk, {"disabled": True})

            await store.write(disable)
        finally:
            await store.close()

    asyncio.run(work())


# --- user_update ----------------------------------------------------------------------------------------------------


def test_absent_fields_stay_and_blank_ones_are_cleared(client: TestClient) -> None:
    assert _code(client, NEW) == "success"
    assert _code(client, {"type": "user_update", "user_name": "till_9", "user_last_name": "Ten"}) == "success"
    listed = _user(client, "till_9")
    assert (listed["user_first_name"], listed["user_last_name"], listed["user_timezone"]) == (
        "Tilly",
        "Ten",
        "Europe/Paris",
    )
    blank = {"user_first_name": "", "user_custom1": " ", "timezone_selector": "", "language_selector": ""}
    assert _code(client, {"type": "user_update", "user_name": "till_9", **blank, "user_role": ""}) == "success"
    listed = _user(client, "till_9")
    assert [listed[k] for k in ("user_first_name", "user_addtl_info", "user_timezone", "user_language")] == [""] * 4
    assert listed["user_role"] == "K" and listed["user_allowed_campaigns"]["campaign_ids"] == [POINTS, EARNED]


def test_user_update_changes_role_campaigns_and_key(client: TestClient) -> None:
    assert _code(client, NEW) == "success"
    new_key = "ch4ng3dk3ych4ng3dk3y"
    update = {"type": "user_update", "user_name": "till_9", "user_role": "m", "allowed_campaigns": "all"}
    assert _code(client, {**update, "user_new_password": new_key}) == "success"
    assert _code(client, {"type": "user_info"}, ("greatwidgets", "till_9", KEY)) == "no_valid_session"
    info = call_json(client, {"type": "user_info"}, ("greatwidgets", "till_9", new_key))["user"]
    assert info["user_role"] == "M" and info["user_allowed_campaigns"]["status"] == "all"
    assert _code(client, {"type": "user_update", "user_name": "till_9", "allowed_campaigns": "none"}) == "success"
    assert _user(client, "till_9")["user_allowed_campaigns"]["status"] == "none"


def test_an_administrator_demotes_itself_while_another_stays(client: TestClient, settings: Settings) -> None:
    assert _code(client, {"type": "user_update", "user_name": "john1970", "user_role": "K"}) == "success"
    with TestClient(create_app(settings)) as fresh:
        assert _code(fresh, {"type": "users_list"}) == "permission_denied"  # its key is a clerk's now


# --- user_delete ----------------------------------------------------------------------------------------------------


def test_a_deleted_user_is_gone_and_its_key_refused(client: TestClient) -> None:
    assert _code(client, {"type": "user_delete", "user_name": "mgr1970"}) == "success"
    assert _code(client, {"type": "user_info"}, MANAGER) == "no_valid_session"
    assert _code(client, {"type": "user_delete", "user_name": "mgr1970"}) == "user_not_found"
    names = [u["user_id"] for u in call_json(client, {"type": "users_list"})["users"]]
    assert "mgr1970" not in names


def test_user_delete_moves_the_user_to_the_archive_as_the_cli_does(client: TestClient, settings: Settings) -> None:
    assert _code(client, {"type": "user_delete", "user_name": "clerk1970"}) == "success"
    history = [
        json.loads(line)
        for line in run_cli(settings, "user", "history", "clerk1970", "--account", "greatwidgets").splitlines()
    ]
    assert [(r["action"], r["user_id"]) for r in history] == [("remove", "john1970")]


# --- campaign_users -------------------------------------------------------------------------------------------------


def test_campaign_users_adds_and_removes(client: TestClient) -> None:
    fields = {"type": "campaign_users", "campaign_id": GIFTCARD, "users": "mgr1970, clerk1970,mgr1970"}
    answer = call_json(client, {**fields, "action": "add"})
    assert answer == {"status": "success", "campaign_id": GIFTCARD, "users_added": ["mgr1970", "clerk1970"]}
    assert GIFTCARD in _me(client, MANAGER)["user_allowed_campaigns"]["campaign_ids"]
    assert _code(client, {**fields, "action": "add"}) == "success"  # again: nothing changes
    answer = call_json(client, {**fields, "action": "remove", "users": "mgr1970"})
    assert answer == {"status": "success", "campaign_id": GIFTCARD, "users_removed": ["mgr1970"]}
    assert _me(client, MANAGER)["user_allowed_campaigns"]["campaign_ids"] == [
        POINTS,
        EARNED,
    ]


def test_a_user_of_every_campaign(client: TestClient) -> None:
    """Adding keeps ``all``; removing leaves every other live campaign of the account."""
    call(client, {"type": "user_new", "user_name": "allcamp", "user_role": "K", "allowed_campaigns": "all"})
    fields = {"type": "campaign_users", "campaign_id": POINTS, "users": "allcamp"}
    assert _code(client, {**fields, "action": "add"}) == "success"
    assert _user(client, "allcamp")["user_allowed_campaigns"]["status"] == "all"
    assert _code(client, {**fields, "action": "remove"}) == "success"
    allowed = _user(client, "allcamp")["user_allowed_campaigns"]
    every = [c["id"] for c in call_json(client, {"type": "campaigns_list"})["campaigns"]]
    assert allowed["status"] == "some" and set(allowed["campaign_ids"]) == set(every) - {POINTS}


def test_administrators_keep_every_campaign(client: TestClient) -> None:
    fields = {"type": "campaign_users", "campaign_id": POINTS, "users": "john1970"}
    assert _code(client, {**fields, "action": "add"}) == "success"
    code, message = error_of(call(client, {**fields, "action": "remove"}))
    assert code == "user_change_refused" and "administrator" in message


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"action": ""}, "parameter_missing"),
        ({"action": "move"}, "unsupported_call"),
        ({"campaign_id": ""}, "parameter_missing"),
        ({"users": " , "}, "parameter_missing"),
        ({"users": "ok,not-a-name"}, "parameter_invalid"),
        ({"users": ",".join(f"u{n}" for n in range(101))}, "parameter_invalid"),
        ({"campaign_id": "0000000000000000"}, "campaign_not_found"),
        ({"campaign_id": "9" * 5000}, "campaign_not_found"),
    ],
)
def test_campaign_users_refuses_bad_fields(client: TestClient, fields: dict[str, str], code: str) -> None:
    base = {"type": "campaign_users", "action": "add", "campaign_id": POINTS, "users": "clerk1970"}
    root = call(client, {**base, **fields})
    assert error_of(root)[0] == code and len(error_of(root)[1]) < 200


def test_one_unknown_user_changes_nobody(client: TestClient) -> None:
    fields = {"type": "campaign_users", "action": "add", "campaign_id": GIFTCARD, "users": "mgr1970,nobody"}
    assert error_of(call(client, fields)) == ("user_not_found", "No user nobody in this account.")
    assert GIFTCARD not in _user(client, "mgr1970")["user_allowed_campaigns"]["campaign_ids"]


def test_user_answers_hold_text_fields_as_sent(client: TestClient) -> None:
    root = call(client, {**NEW, "user_first_name": "Zoë & <Co>"})
    assert text_of(root, "user/user_id") == "till_9"
    assert _user(client, "till_9")["user_first_name"] == "Zoë & <Co>"


def _history(settings: Settings, name: str) -> list[dict[str, Any]]:
    lines = run_cli(settings, "user", "history", name, "--account", "greatwidgets").splitlines()
    return [json.loads(line) for line in lines]


def test_each_change_is_audited_with_its_author_and_values(client: TestClient, settings: Settings) -> None:
    assert _code(client, NEW) == "success"
    update = {"type": "user_update", "user_name": "till_9", "user_first_name": "Tia", "user_role": "M"}
    assert _code(client, {**update, "user_PIN": "5555", "user_new_password": "ch4ng3dk3ych4ng3dk3y"}) == "success"
    assert _code(client, {"type": "user_update", "user_name": "till_9", "user_last_name": "Nine"}) == "success"
    fields = {"type": "campaign_users", "action": "add", "campaign_id": GIFTCARD, "users": "till_9"}
    assert _code(client, fields) == "success"
    assert _code(client, {"type": "user_delete", "user_name": "till_9"}, OWNER) == "success"
    records = _history(settings, "till_9")
    assert [(r["action"], r["user_id"], r["entity"]) for r in records] == [
        ("create", "john1970", "user"),
        ("update", "john1970", "user"),
        ("update", "john1970", "user"),  # the same last name: recorded, with no changes
        ("add_campaign", "john1970", "user"),
        ("remove", "greatwidgets", "user"),
    ]
    changes = [{(c["field"], c["old"], c["new"]) for c in r["changes"]} for r in records]
    assert ("role", None, "K") in changes[0] and ("pin", None, "set") in changes[0]
    assert ("first_name", None, "Tilly") in changes[0]
    assert changes[1] == {
        ("role", "K", "M"),
        ("first_name", "Tilly", "Tia"),
        ("pin", "set", "changed"),
        ("key", None, "changed"),
    }
    assert changes[2] == set()
    old, new = ",".join(sorted((POINTS, EARNED))), ",".join(sorted((POINTS, EARNED, GIFTCARD)))
    assert changes[3] == {("allowed_campaigns", old, new)}
    assert changes[4] == {("removed", False, True)}
