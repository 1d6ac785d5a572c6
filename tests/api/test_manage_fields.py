"""``manage_fields``, ``transaction_fields`` and ``manage_reward_fields`` (list, add, update, delete): the answers,
every rule of a definition, who may change them, and that each account sees only its own."""

from __future__ import annotations

from typing import Final

import pytest
from lxml import etree
from starlette.testclient import TestClient

from tests.support.api import call, call_json, error_of, status_of
from tests.support.golden import GoldenCase, golden_tests
from tests.support.users import ADMIN, CLERK, MANAGER, OTHER_ADMIN, User

CALLS: Final = {"customer": "manage_fields", "transaction": "transaction_fields", "reward": "manage_reward_fields"}
PREFIX: Final = {"customer": "custom_field_", "transaction": "custom_field_", "reward": "reward_custom_field_"}
STATUS: Final = {
    "custom_field_2_label": "Marital Status",
    "custom_field_2_show": "Y",
    "custom_field_2_type": "List",
    "custom_field_2_choices": "Single, Married, Other",
}
MEMBER: Final = {"custom_field_25_label": "Member #", "custom_field_25_unique": "Y", "custom_field_25_searchable": "Y"}
FIXED: Final = [
    "card_number",
    "first_name",
    "last_name",
    "phone",
    "email",
    "street1",
    "street2",
    "city",
    "state",
    "postal_code",
    "country",
    "customer_username",
    "customer_PIN",
    "customer_password",
    "custom_date",
    "custom_field_1",
]


def _request(call_type: str, action: str, **fields: str) -> dict[str, str]:
    return {"type": call_type, "action": action, **fields}


CASES: Final = [
    GoldenCase("manage_fields_list", _request("manage_fields", "list")),
    GoldenCase(
        "manage_fields_add",
        _request(
            "manage_fields", "add", **STATUS, **MEMBER, custom_field_3_label="Birthday", custom_field_3_type="Date"
        ),
        changes_state=True,
    ),
    GoldenCase(
        "manage_fields_delete",
        _request("manage_fields", "delete", field_list="custom_field_2"),
        changes_state=True,
        setup=(_request("manage_fields", "add", **STATUS, **MEMBER),),
    ),
    GoldenCase("manage_fields_delete_fixed", _request("manage_fields", "delete", field_list="custom_field_1")),
    GoldenCase("manage_fields_add_by_a_clerk", _request("manage_fields", "add", **STATUS), CLERK),
    GoldenCase(
        "transaction_fields_list",
        _request("transaction_fields", "list"),
        CLERK,
        changes_state=True,
        setup=(
            _request(
                "transaction_fields",
                "add",
                custom_field_1_label="Till",
                custom_field_2_label="Size",
                custom_field_2_type="Pick",
                custom_field_2_choices="S,M,L",
            ),
        ),
    ),
    GoldenCase(
        "manage_reward_fields_update",
        _request("manage_reward_fields", "update", reward_custom_field_1_label="PCU", reward_custom_field_1_show="Y"),
        changes_state=True,
        setup=(_request("manage_reward_fields", "add", reward_custom_field_1_label="Code"),),
    ),
]

test_answers_match_golden_files, test_no_stray_golden_files = golden_tests(
    "fields", CASES, owns=lambda name: name.startswith(tuple(CALLS.values()))
)


def _fields(root: etree._Element) -> dict[str, dict[str, object]]:
    """name -> its elements (choices as a list) of an answer's ``<fields>``."""
    assert status_of(root) == "success", etree.tostring(root)
    found: dict[str, dict[str, object]] = {}
    for field in root.findall("account/fields/field"):
        item: dict[str, object] = {child.tag: child.text or "" for child in field if child.tag != "choices"}
        choices = field.find("choices")
        if choices is not None:
            item["choices"] = [choice.text for choice in choices]
        found[str(item.pop("name"))] = item
    return found


def _send(client: TestClient, kind: str, action: str, user: User = ADMIN, /, **fields: str) -> etree._Element:
    return call(client, _request(CALLS[kind], action, **fields), user)


def test_list_shows_the_fixed_customer_fields_first_then_the_defined_ones(client: TestClient) -> None:
    listed = _fields(_send(client, "customer", "list"))
    assert list(listed) == FIXED
    assert listed["card_number"] == {"label": "Card #", "show": "Y", "type": "Text", "searchable": "Y", "unique": "Y"}
    assert listed["custom_date"]["type"] == "Date"
    _send(client, "customer", "add", **MEMBER, **STATUS)
    listed = _fields(_send(client, "customer", "list", CLERK))
    assert list(listed) == [*FIXED, "custom_field_2", "custom_field_25"]
    assert listed["custom_field_2"] == {
        "label": "Marital Status",
        "show": "Y",
        "type": "List",
        "choices": ["Single", "Married", "Other"],
        "searchable": "N",
        "unique": "N",
    }
    assert listed["custom_field_25"] == {
        "label": "Member #",
        "show": "N",
        "type": "Text",
        "searchable": "Y",
        "unique": "Y",
    }


@pytest.mark.parametrize("kind", list(CALLS))
def test_add_defaults_to_hidden_text_and_takes_several_fields(client: TestClient, kind: str) -> None:
    prefix = PREFIX[kind]
    answer = _send(client, kind, "add", **{f"{prefix}7_label": "Seven", f"{prefix}3_label": "Three"})
    listed = _fields(answer)
    assert listed[f"{prefix}3"] == {"label": "Three", "show": "N", "type": "Text", "searchable": "N", "unique": "N"}
    assert [name for name in listed if name not in FIXED] == [f"{prefix}3", f"{prefix}7"]
    assert answer.findtext("account/account_id") == "greatwidgets"
    assert (kind == "customer") == ("card_number" in listed)


def test_json_answers_an_array_of_fields_with_an_array_of_choices(client: TestClient) -> None:
    body = call_json(client, _request("manage_fields", "add", **STATUS))
    fields = body["account"]["fields"]
    assert isinstance(fields, list) and fields[-1]["name"] == "custom_field_2"
    assert fields[-1]["choices"] == ["Single", "Married", "Other"]
    assert all(isinstance(value, str) for field in fields for key, value in field.items() if key != "choices")


@pytest.mark.parametrize(
    ("fields", "code", "message"),
    [
        ({"custom_field_1_label": "One"}, "parameter_invalid", "custom_field_1 cannot be defined"),
        ({"custom_field_101_label": "Many"}, "parameter_invalid", "from 2 to 100"),
        ({"custom_field_3_show": "Y"}, "parameter_missing", "custom_field_3_label is required"),
        ({"custom_field_3_label": "x" * 101}, "string_parameter_too_long", "custom_field_3_label is longer than 100"),
        (
            {"custom_field_3_label": "L", "custom_field_3_type": "Number"},
            "parameter_invalid",
            "Text, Date, List or Pick",
        ),
        ({"custom_field_3_label": "L", "custom_field_3_type": "List"}, "parameter_missing", "custom_field_3_choices"),
        (
            {"custom_field_3_label": "L", "custom_field_3_type": "Pick", "custom_field_3_choices": " , "},
            "parameter_missing",
            "choices",
        ),
        ({"custom_field_3_label": "L", "custom_field_3_choices": "A,B"}, "parameter_mismatch", "List and Pick fields"),
        (
            {"custom_field_3_label": "L", "custom_field_3_type": "Date", "custom_field_3_unique": "Y"},
            "parameter_mismatch",
            "Only Text",
        ),
        ({"custom_field_3_label": "L", "custom_field_3_show": "maybe"}, "parameter_invalid", "custom_field_3_show"),
        (
            {
                "custom_field_3_label": "L",
                "custom_field_3_type": "pick",
                "custom_field_3_choices": ",".join(map(str, range(51))),
            },
            "parameter_invalid",
            "at most 50 choices",
        ),
        (
            {"custom_field_3_label": "L", "custom_field_3_type": "LIST", "custom_field_3_choices": "A," + "b" * 101},
            "string_parameter_too_long",
            "longer than 100",
        ),
    ],
)
def test_add_refuses_a_bad_definition_and_adds_nothing(
    client: TestClient, fields: dict[str, str], code: str, message: str
) -> None:
    found_code, found_message = error_of(_send(client, "customer", "add", custom_field_9_label="Fine", **fields))
    assert (found_code, message in found_message) == (code, True), found_message
    assert list(_fields(_send(client, "customer", "list"))) == FIXED


def test_add_without_any_field_is_parameter_missing(client: TestClient) -> None:
    assert error_of(_send(client, "customer", "add", first_name="Ann")) == (
        "parameter_missing",
        "The field custom_field_#_label is required.",
    )


def test_a_transaction_or_reward_field_may_be_number_1(client: TestClient) -> None:
    assert "custom_field_1" in _fields(_send(client, "transaction", "add", custom_field_1_label="Till"))
    assert "reward_custom_field_1" in _fields(_send(client, "reward", "add", reward_custom_field_1_label="PCU"))
    code, message = error_of(_send(client, "reward", "add", reward_custom_field_0_label="Zero"))
    assert code == "parameter_missing" and "reward_custom_field_#_label" in message


def test_add_of_a_defined_field_is_field_exists(client: TestClient) -> None:
    _send(client, "customer", "add", **STATUS)
    assert error_of(_send(client, "customer", "add", **STATUS)) == (
        "field_exists",
        "The field custom_field_2 is defined already; change it with action=update.",
    )
    assert list(_fields(_send(client, "transaction", "add", **STATUS))) == ["custom_field_2"]  # another kind


def test_update_changes_label_show_choices_and_searchable_but_not_type_or_uniqueness(client: TestClient) -> None:
    _send(client, "customer", "add", **STATUS)
    listed = _fields(
        _send(
            client,
            "customer",
            "update",
            custom_field_2_label="Status",
            custom_field_2_show="N",
            custom_field_2_type="Text",
            custom_field_2_unique="Y",
            custom_field_2_choices="Single, Married, Divorced, single",
            custom_field_2_searchable="Y",
            web_update="Y",
        )
    )
    assert listed["custom_field_2"] == {
        "label": "Status",
        "show": "N",
        "type": "List",
        "choices": ["Single", "Married", "Divorced"],
        "searchable": "Y",
        "unique": "N",
    }
    # What is not sent stays; a field not defined yet is defined, as add would.
    listed = _fields(_send(client, "customer", "update", custom_field_2_show="Y", custom_field_4_label="Four"))
    assert (listed["custom_field_2"]["label"], listed["custom_field_2"]["show"]) == ("Status", "Y")
    assert listed["custom_field_4"]["type"] == "Text"
    code, _message = error_of(_send(client, "customer", "update", custom_field_5_show="Y"))
    assert code == "parameter_missing"
    unchanged = _send(client, "customer", "update", custom_field_4_label="Four", custom_field_4_show="n")
    assert _fields(unchanged)["custom_field_4"]["label"] == "Four"  # the same: nothing written


def test_delete_takes_a_list_and_answers_what_is_left(client: TestClient) -> None:
    _send(client, "customer", "add", **STATUS, **MEMBER, custom_field_4_label="Four")
    listed = _fields(_send(client, "customer", "delete", field_list="custom_field_2|custom_field_25"))
    assert list(listed) == [*FIXED, "custom_field_4"]
    assert list(_fields(_send(client, "customer", "delete", field_list=" custom_field_4 , "))) == FIXED


@pytest.mark.parametrize(
    ("field_list", "code", "message"),
    [
        (
            "custom_field_4|card_number",
            "field_not_deletable",
            "The field card_number is one of the fixed customer fields",
        ),
        ("custom_field_4|zip", "field_not_deletable", "zip"),
        ("custom_field_4|custom_field_1", "field_not_deletable", "custom_field_1"),
        ("custom_field_4|custom_field_9", "field_not_found", 'No field "custom_field_9" in this account.'),
        ("custom_field_4|reward_custom_field_4", "field_not_found", "reward_custom_field_4"),
        ("|", "parameter_missing", "field_list"),
        ("|".join(f"custom_field_{n}" for n in range(2, 103)), "parameter_invalid", "at most 100 fields"),
    ],
)
def test_delete_refuses_fixed_and_unknown_fields_and_deletes_nothing(
    client: TestClient, field_list: str, code: str, message: str
) -> None:
    _send(client, "customer", "add", custom_field_4_label="Four")
    found_code, found_message = error_of(_send(client, "customer", "delete", field_list=field_list))
    assert (found_code, message in found_message) == (code, True), found_message
    assert "custom_field_4" in _fields(_send(client, "customer", "list"))


@pytest.mark.parametrize("user", [MANAGER, CLERK], ids=["manager", "clerk"])
@pytest.mark.parametrize("kind", list(CALLS))
def test_only_administrators_change_definitions_every_user_lists_them(
    client: TestClient, user: User, kind: str
) -> None:
    prefix = PREFIX[kind]
    for action, fields in (
        ("add", {f"{prefix}3_label": "Three"}),
        ("update", {f"{prefix}3_label": "Three"}),
        ("delete", {"field_list": f"{prefix}3"}),
    ):
        code, message = error_of(_send(client, kind, action, user, **fields))
        assert code == "permission_denied" and "change custom field definitions" in message
    _send(client, kind, "add", **{f"{prefix}3_label": "Three"})
    assert f"{prefix}3" in _fields(_send(client, kind, "list", user))


def test_each_account_sees_and_changes_only_its_own_fields(client: TestClient) -> None:
    _send(client, "customer", "add", **STATUS)
    assert list(_fields(_send(client, "customer", "list", OTHER_ADMIN))) == FIXED
    assert error_of(_send(client, "customer", "delete", OTHER_ADMIN, field_list="custom_field_2"))[0] == (
        "field_not_found"
    )
    other = _send(client, "customer", "add", OTHER_ADMIN, custom_field_2_label="Other")
    assert other.findtext("account/account_id") == "otherco"
    assert _fields(_send(client, "customer", "list"))["custom_field_2"]["label"] == "Marital Status"


def test_an_account_defines_at_most_50_fields_of_a_kind(client: TestClient) -> None:
    many = {f"custom_field_{n}_label": f"F{n}" for n in range(2, 52)}
    assert len(_fields(_send(client, "customer", "add", **many))) == len(FIXED) + 50
    code, message = error_of(_send(client, "customer", "add", custom_field_60_label="One more"))
    assert (code, message) == ("too_many_fields", "An account may define at most 50 customer fields; it has 50.")
    _send(client, "customer", "update", custom_field_2_label="Changing one is fine")
    assert len(_fields(_send(client, "transaction", "add", custom_field_60_label="Another kind"))) == 1


def test_an_unknown_action_is_unsupported(client: TestClient) -> None:
    code, message = error_of(_send(client, "customer", "rename"))
    assert code == "unsupported_call" and "known: add, delete, list, update" in message
