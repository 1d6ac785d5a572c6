"""The JSON answers as the Java clients read them: Retrofit + Gson map each answer onto typed beans, and a value of
another JSON type than its field's (a string where an object is declared, an object where a string is) throws, and
the app crashes on that call.  Each schema below is what those beans declare (the fields the clients read, by
call); the answers are walked against them on both stores.  Schemas only name what clients read: other keys may
be present (Gson skips them), but every key named must be there, with its type."""

from __future__ import annotations

from typing import Any, Final

import pytest
from starlette.testclient import TestClient

from tests.support.api import call_json
from tests.support.customers import new
from tests.support.demo import BUYX, GIFTCARD, JANE, LEGACY, MANAGER_CAMPAIGNS, OTHERCO_POINTS, POINTS
from tests.support.users import ADMIN, CLERK, MANAGER, OTHER_ADMIN

# A schema: STR (a JSON string), a dict (an object with these keys), or a one-item list (an array of that schema).
Schema = Any
STR: Final = "string"

_LABELLED: Final = {"label": STR, "data": STR}
_CUSTOMER: Final = {
    "code": STR,
    "card_number": STR,
    "first_name": STR,
    "last_name": STR,
    "phone": STR,
    "email": STR,
    "street1": STR,
    "street2": STR,
    "city": STR,
    "state": STR,
    "postal_code": STR,
    "country": STR,
    "custom_date": STR,
    "custom_field": STR,
    "customer_username": STR,
    "registered": STR,
    **{f"custom_field_{n}": _LABELLED for n in range(1, 21)},
}
_MEMBERSHIP: Final = {
    "id": STR,
    "name": STR,
    "type": STR,
    "balance": STR,
    "cumulative": STR,
    "first_transaction": STR,
    "last_transaction": STR,
    "in_coalition": STR,
}
CUSTOMER_INFO: Final = {"status": STR, "customer": _CUSTOMER, "campaigns": [_MEMBERSHIP]}
CUSTOMER_SEARCH: Final = {"status": STR, "customers": [{**_CUSTOMER, "campaigns": [_MEMBERSHIP]}]}
CUSTOMER_SEARCH_NO_MATCH: Final = {"status": STR, "message": STR, "customers": [_CUSTOMER]}
_BALANCE_TRANSACTION: Final = {
    "id": STR,
    "date": STR,
    "authorization": STR,
    "service_product": STR,
    "redeemed": STR,
    "amount": STR,
    "campaign": STR,
    "user_name": STR,
    "real": STR,
    "record_timestamp": STR,
}
CUSTOMER_BALANCE: Final = {
    "status": STR,
    "account_name": STR,
    "campaign": {
        "campaign_id": STR,
        "campaign_type": STR,
        "campaign_name": STR,
        "customer": {
            "code": STR,
            "card_number": STR,
            "first_name": STR,
            "last_name": STR,
            "balance": STR,
            "last_transaction": STR,
            "last_transaction_points": STR,
            "last_redemption": STR,
            "last_redemption_points": STR,
            "transactions": [_BALANCE_TRANSACTION],
        },
    },
}
_POINTS: Final = {"points": STR}
_MONEY: Final = {"amount": STR, "currency": STR, "glyph": STR}
_RECEIPT_HEAD: Final = {
    "account_name": STR,
    "agency": {"id": STR, "name": STR, "email": STR},
    "campaign": {"id": STR, "name": STR, "type": STR},
    "customer": {
        "first_name": STR,
        "last_name": STR,
        "card_number": STR,
        "phone": STR,
        "email": STR,
        "street1": STR,
        "custom_date": STR,
    },
}
POINTS_SALE: Final = {
    "status": STR,
    "receipt": {
        **_RECEIPT_HEAD,
        "transaction": {
            "id": STR,
            "purchase": _MONEY,
            "recorded": {"points": STR, "description": STR},
            "balance": _POINTS,
            "cumulative_balance": _POINTS,
            "coalition_cumulative_balance": _POINTS,
        },
    },
}
MONEY_LOAD: Final = {
    "status": STR,
    "receipt": {
        **_RECEIPT_HEAD,
        "transaction": {
            "id": STR,
            "add": {**_MONEY, "description": STR},
            "balance": _MONEY,
            "cumulative_balance": _MONEY,
            "coalition_cumulative_balance": _MONEY,
        },
    },
}
POINTS_REDEMPTION: Final = {
    "status": STR,
    "receipt": {
        **_RECEIPT_HEAD,
        "transaction": {
            "id": STR,
            "deduct": {"points": STR, "description": STR},
            "balance": _POINTS,
            "cumulative_balance": _POINTS,
            "coalition_cumulative_balance": _POINTS,
        },
    },
}
ACCOUNT_INFO: Final = {
    "status": STR,
    "account": dict.fromkeys(
        (
            "account_id",
            "biz_name",
            "biz_address1",
            "biz_city",
            "biz_state",
            "biz_zip",
            "biz_country",
            "contact_first_name",
            "contact_last_name",
            "contact_email",
            "contact_phone",
            "symbol",
            "glyph",
            "timezone",
            "coalition",
            "created",
        ),
        STR,
    ),
}
USER_INFO: Final = {
    "status": STR,
    "user": {
        "user_id": STR,
        "user_first_name": STR,
        "user_last_name": STR,
        "user_role": STR,
        "user_permissions": {"campaign_update": STR, "record_activity": STR},
        "user_allowed_campaigns": {"status": STR, "campaign_ids": [{"xml_value_to_show": STR}]},
        "account_coalition": STR,
    },
}
CAMPAIGNS_LIST: Final = {
    "status": STR,
    "account_name": STR,
    "campaigns": [
        {
            "id": STR,
            "name": STR,
            "type": STR,
            "description": STR,
            "points_ratio": STR,
            "reward_ratio": STR,
            "currency": STR,
            "glyph": STR,
            "in_coalition": STR,
        }
    ],
}


def mismatches(value: object, schema: Schema, path: str = "$") -> list[str]:
    """Where ``value`` is not what ``schema`` declares, as ``path: why`` lines (none: Gson reads it)."""
    if schema == STR:
        return [] if isinstance(value, str) else [f"{path}: a string is read, not {type(value).__name__}"]
    if isinstance(schema, list):
        if not isinstance(value, list):
            return [f"{path}: an array is read, not {type(value).__name__}"]
        return [line for n, item in enumerate(value) for line in mismatches(item, schema[0], f"{path}[{n}]")]
    if not isinstance(value, dict):
        return [f"{path}: an object is read, not {type(value).__name__}"]
    found: list[str] = []
    for key, inner in schema.items():
        if key not in value:
            found.append(f"{path}.{key}: missing")
        else:
            found.extend(mismatches(value[key], inner, f"{path}.{key}"))
    return found


@pytest.mark.parametrize(
    ("value", "schema", "expected"),
    [
        ({"a": "1"}, {"a": STR}, []),
        ({"a": 1}, {"a": STR}, ["$.a: a string is read, not int"]),
        ({"a": {"b": "x"}}, {"a": STR}, ["$.a: a string is read, not dict"]),
        ({"a": "x"}, {"a": {"b": STR}}, ["$.a: an object is read, not str"]),
        ({"a": {"b": "x"}}, {"a": [{"b": STR}]}, ["$.a: an array is read, not dict"]),
        ({"a": [{"b": "x"}, {"b": None}]}, {"a": [{"b": STR}]}, ["$.a[1].b: a string is read, not NoneType"]),
        ({}, {"a": STR}, ["$.a: missing"]),
        ({"a": "1", "extra": 2}, {"a": STR}, []),
    ],
)
def test_the_walker_finds_each_kind_of_mismatch(value: object, schema: Schema, expected: list[str]) -> None:
    assert mismatches(value, schema) == expected


def _check(client: TestClient, fields: dict[str, str], schema: Schema, user: tuple[str, str, str] = ADMIN) -> None:
    body = call_json(client, fields, user)
    assert mismatches(body, schema) == [], body


def _customer_with_labels(client: TestClient) -> None:
    add = {"type": "manage_fields", "action": "add", "custom_field_3_label": "Sentinel ALT", "custom_field_3_show": "Y"}
    assert call_json(client, add)["status"] == "success"
    profile = {"first_name": "Ann", "phone": "555-0100", "custom_field_3": "alt-1", "card_number": "C-ANN1"}
    assert new(client, ADMIN, code="ANN1", **profile).get("status") == "success"


def test_customer_info(client: TestClient) -> None:
    _customer_with_labels(client)
    _check(client, {"type": "record_activity", "code": "ANN1", "campaign_id": POINTS, "amount": "1"}, POINTS_SALE)
    _check(client, {"type": "customer_info", "code": "ANN1"}, CUSTOMER_INFO)
    _check(client, {"type": "customer_info", "code": JANE}, CUSTOMER_INFO)


def test_customer_search_and_find(client: TestClient) -> None:
    _customer_with_labels(client)
    _check(client, {"type": "customer_search", "first_name": "Ann", "include_balances": "Y"}, CUSTOMER_SEARCH)
    _check(client, {"type": "customer_search", "include_balances": "Y"}, CUSTOMER_SEARCH)
    _check(client, {"type": "customer_search", "first_name": "Nobody"}, CUSTOMER_SEARCH_NO_MATCH)
    _check(client, {"type": "customer_find", "find_customer": "Ann", "include_balances": "Y"}, CUSTOMER_SEARCH)


def test_customer_balance(client: TestClient) -> None:
    _check(client, {"type": "record_activity", "code": JANE, "campaign_id": LEGACY, "amount": "2"}, POINTS_SALE)
    _check(
        client, {"type": "redeem", "code": JANE, "campaign_id": LEGACY, "custom_points_redeem": "5"}, POINTS_REDEMPTION
    )
    _check(client, {"type": "customer_balance", "code": JANE, "campaign_id": LEGACY}, CUSTOMER_BALANCE)
    # A customer with no redemption in the campaign yet: its date and points are still strings.
    _check(client, {"type": "record_activity", "code": JANE, "campaign_id": POINTS, "amount": "2"}, POINTS_SALE)
    _check(client, {"type": "customer_balance", "code": JANE, "campaign_id": POINTS}, CUSTOMER_BALANCE)


def test_both_receipts_of_every_unit(client: TestClient) -> None:
    _check(client, {"type": "record_activity", "code": JANE, "campaign_id": POINTS, "amount": "9.95"}, POINTS_SALE)
    _check(client, {"type": "record_activity", "code": JANE, "campaign_id": GIFTCARD, "amount": "25"}, MONEY_LOAD)
    _check(
        client, {"type": "redeem", "code": JANE, "campaign_id": POINTS, "custom_points_redeem": "9"}, POINTS_REDEMPTION
    )
    item = {"type": "campaign_new", "action": "item", "campaign_id": BUYX, "reward_level": "10"}
    assert call_json(client, {**item, "item_description": "Widget", "item_identifier": "W"})["status"] == "success"
    buyx = {
        "transaction": {"add": {"amount": STR, "description": STR}, "balance": {"item": {"id": STR, "balance": STR}}}
    }
    sale = {"type": "record_activity", "code": JANE, "campaign_id": BUYX, "service_product": "W"}
    _check(client, sale, {"status": STR, "receipt": {**_RECEIPT_HEAD, **buyx}})


def test_user_info_of_every_kind_of_user(client: TestClient) -> None:
    for user in (ADMIN, MANAGER, CLERK, OTHER_ADMIN):
        _check(client, {"type": "user_info"}, USER_INFO, user)
    body = call_json(client, {"type": "user_info"}, MANAGER)
    assert body["user"]["user_allowed_campaigns"]["campaign_ids"] == [
        {"xml_value_to_show": campaign_id} for campaign_id in MANAGER_CAMPAIGNS
    ]


def test_account_info_and_campaigns_list(client: TestClient) -> None:
    _check(client, {"type": "account_info"}, ACCOUNT_INFO)
    _check(client, {"type": "account_info"}, ACCOUNT_INFO, OTHER_ADMIN)
    _check(client, {"type": "campaigns_list"}, CAMPAIGNS_LIST)
    _check(client, {"type": "campaigns_list", "campaign_id": OTHERCO_POINTS}, CAMPAIGNS_LIST, OTHER_ADMIN)
