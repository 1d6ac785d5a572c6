"""``users_list``: the account's users, searched, sorted and paged like ``campaigns_list``; never a key or PIN."""

from __future__ import annotations

from typing import Final

import pytest
from starlette.testclient import TestClient

from tests.support.api import call, call_json, error_of
from tests.support.golden import GoldenCase, golden_tests, without_stamps
from tests.support.users import ADMIN, CLERK, MANAGER, OTHER_ADMIN, OWNER

CASES: Final = [
    GoldenCase("users_list", {"type": "users_list", "API": "1.6"}),
    GoldenCase("users_list_permissions", {"type": "users_list", "show_permissions": "Yes", "length": "1"}),
    GoldenCase(
        "users_list_search",
        {"type": "users_list", "searchField": "user_role", "searchOper": "in", "searchValue": "M,K"},
    ),
    GoldenCase("users_list_denied", {"type": "users_list"}, MANAGER),
    GoldenCase("users_list_bad_field", {"type": "users_list", "sortField": "user_api_key"}),
]

test_answers_match_golden_files, test_no_stray_golden_files = golden_tests(
    "users", CASES, without_stamps, owns=lambda name: name.startswith("users_list")
)

NAMES: Final = ["clerk1970", "greatwidgets", "john1970", "mgr1970"]


def _names(client: TestClient, **fields: str) -> list[str]:
    answer = call_json(client, {"type": "users_list", **fields})
    assert answer["status"] == "success", answer
    return [user["user_id"] for user in answer["users"]]


def _made(client: TestClient) -> TestClient:
    for name, first, last, role, custom in (
        ("ann", "Ann", "Zed", "K", "Shop 2"),
        ("bob", "bob", "Young", "M", "Shop 1"),
        ("cy", "Cy", "Abbot", "K", ""),
    ):
        fields = {"user_name": name, "user_first_name": first, "user_last_name": last, "user_role": role}
        assert call(client, {"type": "user_new", **fields, "user_custom1": custom}).get("status") == "success"
    return client


def test_every_user_of_the_account_by_name(client: TestClient) -> None:
    assert _names(client) == NAMES
    assert _names(client, sortOrder="DESC") == NAMES[::-1]
    assert call_json(client, {"type": "users_list"}, OTHER_ADMIN)["pagination"] == {
        "total": "2",
        "offset": "0",
        "length": "2",
    }


def test_the_owner_lists_too(client: TestClient) -> None:
    assert [u["user_id"] for u in call_json(client, {"type": "users_list"}, OWNER)["users"]] == NAMES


ALL: Final = ["ann", "bob", "clerk1970", "cy", "greatwidgets", "john1970", "mgr1970"]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"searchField": "user_first_name", "searchValue": "BOB"}, ["bob"]),
        ({"searchField": "user_full_name", "searchOper": "cn", "searchValue": "n z"}, ["ann"]),
        ({"searchField": "user_last_name", "searchOper": "bw", "searchValue": "y"}, ["bob"]),
        ({"searchField": "user_custom1", "searchOper": "ew", "searchValue": "2"}, ["ann"]),
        ({"searchField": "user_addtl_info", "searchOper": "nc", "searchValue": "shop"}, ALL[2:]),
        ({"searchField": "user_role", "searchOper": "ne", "searchValue": "k"}, ["bob", *ALL[4:]]),
        ({"searchField": "user_id", "searchOper": "ni", "searchValue": "ann, bob"}, ALL[2:]),
        ({"searchField": "user_name", "searchOper": "bn", "searchValue": "c"}, ["ann", "bob", *ALL[4:]]),
        ({"searchField": "language", "searchValue": ""}, ALL),
        ({"searchField": "timezone", "searchOper": "en", "searchValue": "x"}, ALL),
        ({"sortField": "user_first_name", "sortOrder": "desc", "length": "2"}, ["cy", "bob"]),
        ({"offset": "5", "length": "1"}, ["john1970"]),
        ({"offset": "50"}, []),
    ],
)
def test_search_sort_and_page(client: TestClient, fields: dict[str, str], expected: list[str]) -> None:
    _made(client)
    assert _names(client, **fields) == expected


def test_a_sort_compares_case_insensitively_then_by_name(client: TestClient) -> None:
    _made(client)
    users = call_json(client, {"type": "users_list"})["users"]
    by_last = [u["user_id"] for u in sorted(users, key=lambda u: (u["user_last_name"].casefold(), u["user_id"]))]
    assert _names(client, sortField="user_last_name") == by_last
    assert by_last.index("cy") < by_last.index("bob") < by_last.index("ann")


def test_the_total_counts_the_search_not_the_page(client: TestClient) -> None:
    _made(client)
    answer = call_json(client, {"type": "users_list", "searchField": "user_role", "searchValue": "K", "length": "1"})
    assert answer["pagination"] == {"total": "3", "offset": "0", "length": "1"}


def test_permissions_only_when_asked_and_never_a_key_or_pin(client: TestClient) -> None:
    call(client, {"type": "user_new", "user_name": "pinned", "user_role": "K", "user_PIN": "8642"})
    plain = client.post("/api.php", data={**_creds(), "type": "users_list"}).text
    shown = client.post("/api.php", data={**_creds(), "type": "users_list", "show_permissions": "Y"}).text
    assert "user_permissions" not in plain and shown.count("<user_permissions>") == 5
    for text in (plain, shown):
        assert "8642" not in text and "sha256" not in text and "PIN" not in text and "api_key" not in text
        for _account, _user, key in (ADMIN, MANAGER, CLERK, OWNER):
            assert key not in text


def _creds() -> dict[str, str]:
    return {"account_id": ADMIN[0], "user_id": ADMIN[1], "user_password": ADMIN[2]}


@pytest.mark.parametrize(
    "fields",
    [
        {"searchField": "user_api_key", "searchValue": "x"},
        {"searchField": "user_name", "searchOper": "like", "searchValue": "x"},
        {"searchField": "user_name", "searchOper": "in", "searchValue": " , "},
        {"searchField": "user_name", "searchOper": "in", "searchValue": ",".join("x" * 101)},
        {"searchField": "user_name", "searchValue": "x" * 2001},
        {"sortField": "PIN"},
        {"sortOrder": "UP"},
        {"offset": "-1"},
        {"length": "ten"},
    ],
)
def test_bad_fields_are_refused(client: TestClient, fields: dict[str, str]) -> None:
    assert error_of(call(client, {"type": "users_list", **fields}))[0] == "parameter_invalid"


def test_a_search_needs_its_value(client: TestClient) -> None:
    root = call(client, {"type": "users_list", "searchField": "user_name"})
    assert error_of(root) == ("parameter_missing", "The field searchValue is required.")
