"""Looking customers up: ``customer_info``, ``generate_card_number``, ``customer_search``, ``customer_find``,
``customer_exists``; their shapes in XML and JSON, search semantics, paging, rights and isolation of accounts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from lxml import etree
from starlette.testclient import TestClient

from tests.support.api import ADMIN, CLERK, MANAGER, OTHER_ADMIN, call
from tests.support.customers import GIFTCARD, LEGACY_CODE, POINTS, VIP, customer_fields, error_code, info, new

NO_MATCH = "No customer matches data provided."


def _json(client: TestClient, fields: dict[str, str], user: tuple[str, str, str] = ADMIN) -> dict[str, Any]:
    account_id, user_id, key = user
    data = {"account_id": account_id, "user_id": user_id, "user_password": key, "output": "JSON", **fields}
    body = client.post("/api.php", data=data).json()
    assert isinstance(body, dict)
    return body


def _search(client: TestClient, user: tuple[str, str, str] = ADMIN, **fields: str) -> etree._Element:
    return call(client, {"type": "customer_search", **fields}, user)


def _codes(root: etree._Element) -> list[str]:
    return [str(node.findtext("code")) for node in root.findall("customer")]


@pytest.fixture
def people(client: TestClient) -> TestClient:
    """Four customers besides the demo's Jane Doe (oldest first: Jane, Amy, Zoë, Åsa, Bob)."""
    new(client, code="P1", first_name="Amy", last_name="Acker", street1="1234 Main St", city="Springfield")
    new(client, code="P2", first_name="Zoë", last_name="Öberg", email="ZOE@Example.com", custom_field_4="Gouda")
    new(client, code="P3", first_name="Åsa", last_name="Acker", city="springfield", card_number="4400")
    new(client, code="P4", first_name="Bob", last_name="Main", phone="555-0100", custom_field="VIP")
    return client


# --- customer_info ---------------------------------------------------------------------------------------------


def test_info_by_code_or_card_number(people: TestClient) -> None:
    assert customer_fields(info(people, "P3"))["first_name"] == "Åsa"
    root = call(people, {"type": "customer_info", "card_number": "4400"})
    assert customer_fields(root)["code"] == "P3"
    assert error_code(call(people, {"type": "customer_info"})) == "parameter_missing"
    assert error_code(info(people, "nobody")) == "customer_not_found"


def test_info_options(client: TestClient) -> None:
    new(client, code="O1", custom_field="secret-ish", custom_field_2="x", campaign_id=f"{POINTS},{GIFTCARD}")
    root = info(client, "O1", include_balances="N")
    assert root.find("campaigns") is None
    root = info(client, "O1", campaign_id=POINTS)
    assert [c.findtext("id") for c in root.findall("campaigns/campaign")] == [POINTS]
    assert info(client, "O1", campaign_id=VIP).findall("campaigns/campaign") == []
    hidden = customer_fields(info(client, "O1", hide_custom_field="Y"))
    assert not [name for name in hidden if name.startswith("custom_field")]
    assert "custom_date" in hidden
    assert error_code(info(client, "O1", hide_custom_field="maybe")) == "parameter_invalid"


def test_info_json_has_customer_and_campaigns_side_by_side(client: TestClient) -> None:
    body = _json(client, {"type": "customer_info", "code": LEGACY_CODE})
    assert list(body) == ["status", "customer", "campaigns"]
    assert body["customer"]["first_name"] == "Jane"
    assert "customer_password" not in body["customer"] and "customer_PIN" not in body["customer"]
    (campaign,) = body["campaigns"]
    assert campaign["id"] == "1234567890123455"
    assert (campaign["balance"], campaign["cumulative"], campaign["in_coalition"]) == ("500", "500", "Y")


def test_a_limited_user_sees_only_their_campaigns(client: TestClient) -> None:
    new(client, code="L1", campaign_id=f"{GIFTCARD},{POINTS},{VIP}")
    assert [c.findtext("id") for c in info(client, "L1", MANAGER).findall("campaigns/campaign")] == [POINTS, VIP]
    root = _search(client, MANAGER, code="L1", include_balances="Y")
    assert [c.findtext("id") for c in root.findall("customer/campaigns/campaign")] == [POINTS, VIP]


# --- generate_card_number ---------------------------------------------------------------------------------------


def test_generate_card_number(client: TestClient) -> None:
    root = call(client, {"type": "generate_card_number"})
    assert re.fullmatch(r"[1-9]\d{15}", str(root.findtext("customer/card_number")))
    root = call(client, {"type": "generate_card_number", "how_many_digits": "8", "card_number_prefix": "7"})
    assert re.fullmatch(r"7\d{7}", str(root.findtext("customer/card_number")))
    assert error_code(call(client, {"type": "generate_card_number", "how_many_digits": "40"})) == "parameter_invalid"


# --- customer_search -------------------------------------------------------------------------------------------


def test_search_defaults_to_a_case_insensitive_substring(people: TestClient) -> None:
    assert _codes(_search(people, last_name="ACK")) == ["P1", "P3"]
    assert _codes(_search(people, first_name="zo")) == ["P2"]
    assert _codes(_search(people, first_name="ZOË")) == ["P2"]
    assert _codes(_search(people, last_name="öb")) == ["P2"]
    assert _codes(_search(people, first_name="åS")) == ["P3"]
    assert _codes(_search(people, city="SPRING", last_name="ack")) == ["P1", "P3"]  # every criterion
    assert _codes(_search(people, custom_field_4="oud")) == ["P2"]


def test_search_exact_match_modes(people: TestClient) -> None:
    assert _codes(_search(people, city="springfield", exact_match="insensitive")) == ["P1", "P3"]
    assert _codes(_search(people, city="springfield", exact_match="sensitive")) == ["P3"]
    assert _codes(_search(people, city="spring", exact_match="insensitive")) == []
    assert _codes(_search(people, last_name="öberg", exact_match="insensitive")) == ["P2"]
    assert _codes(_search(people, last_name="öberg", exact_match="sensitive")) == []
    assert _codes(_search(people, last_name="Öberg", exact_match="SENSITIVE")) == ["P2"]
    assert error_code(_search(people, exact_match="yes")) == "parameter_invalid"


def test_search_without_criteria_lists_everyone_oldest_first_with_paging(people: TestClient) -> None:
    root = _search(people)
    assert _codes(root) == [LEGACY_CODE, "P1", "P2", "P3", "P4"]
    assert [root.findtext(f"pagination/{n}") for n in ("total", "offset", "length")] == ["5", "0", "5"]
    root = _search(people, offset="1", length="2")
    assert _codes(root) == ["P1", "P2"]
    assert [root.findtext(f"pagination/{n}") for n in ("total", "offset", "length")] == ["5", "1", "2"]
    assert error_code(_search(people, length="-1")) == "parameter_invalid"


def test_search_one_versus_many_xml_shape_and_json_always_an_array(people: TestClient) -> None:
    one = _search(people, code="P4")
    assert [child.tag for child in one] == ["customer", "pagination"]  # straight under <response>
    many = _search(people, last_name="acker")
    assert [child.tag for child in many] == ["customer", "customer", "pagination"]
    body = _json(people, {"type": "customer_search", "code": "P4"})
    assert isinstance(body["customers"], list) and [c["code"] for c in body["customers"]] == ["P4"]


def test_search_nothing_found_is_no_match(people: TestClient) -> None:
    root = _search(people, first_name="Nobody")
    assert root.get("status") == "no_match" and root.findtext("message") == NO_MATCH
    body = _json(people, {"type": "customer_search", "first_name": "Nobody"})
    assert body == {"status": "no_match", "message": NO_MATCH}


@pytest.mark.parametrize("secret", ["customer_password", "customer_PIN"])
def test_secrets_are_no_search_criteria(people: TestClient, secret: str) -> None:
    assert error_code(_search(people, ADMIN, **{secret: "x"})) == "parameter_invalid"


def test_search_with_balances(client: TestClient) -> None:
    new(client, code="B1", campaign_id=POINTS)
    root = _search(client, code="B1", include_balances="Y")
    assert [c.findtext("id") for c in root.findall("customer/campaigns/campaign")] == [POINTS]
    body = _json(client, {"type": "customer_search", "code": "B1", "include_balances": "Y"})
    assert body["customers"][0]["campaigns"][0]["balance"] == "0"


# --- customer_find ---------------------------------------------------------------------------------------------


def test_find_words_and_groups(people: TestClient) -> None:
    find = {"type": "customer_find"}
    assert _codes(call(people, {**find, "find_customer": "amy acker"})) == ["P1"]  # AND
    assert _codes(call(people, {**find, "find_customer": "acker"})) == ["P1", "P3"]
    assert _codes(call(people, {**find, "find_customer": "Amy Acker, 1234 Main St"})) == ["P1"]
    assert _codes(call(people, {**find, "find_customer": "zoë, bob"})) == ["P2", "P4"]  # OR
    assert _codes(call(people, {**find, "find_customer": "main"})) == ["P1", "P4"]  # street or last name
    assert _codes(call(people, {**find, "find_customer": "example.com"})) == ["P2"]
    assert _codes(call(people, {**find, "find_customer": "amy main st"})) == ["P1"]
    assert _codes(call(people, {**find, "find_customer": "amyacker"})) == []  # not across fields
    assert call(people, {**find, "find_customer": "nobody"}).get("status") == "no_match"
    assert error_code(call(people, {**find, "find_customer": " , "})) == "parameter_invalid"
    assert error_code(call(people, find)) == "parameter_missing"


# --- customer_exists -------------------------------------------------------------------------------------------


def test_exists(people: TestClient) -> None:
    exists = {"type": "customer_exists"}
    root = call(people, {**exists, "code": "P3", "card_number": "4400"})
    assert root.get("status") == "success"
    assert root.findtext("message") == "The information entered matches an existing customer."
    assert call(people, {**exists, "email": "zoe@example.COM"}).get("status") == "success"
    root = call(people, {**exists, "code": "P3", "card_number": "4401"})  # all must match one customer
    assert (root.get("status"), root.findtext("message")) == ("no_match", NO_MATCH)
    assert call(people, {**exists, "code": "p3"}).get("status") == "no_match"
    assert error_code(call(people, exists)) == "parameter_missing"


# --- accounts ---------------------------------------------------------------------------------------------------


def test_customers_are_never_visible_across_accounts(people: TestClient) -> None:
    assert error_code(info(people, "P1", OTHER_ADMIN)) == "customer_not_found"
    assert _search(people, OTHER_ADMIN).get("status") == "no_match"
    assert call(people, {"type": "customer_find", "find_customer": "amy"}, OTHER_ADMIN).get("status") == "no_match"
    assert call(people, {"type": "customer_exists", "code": "P1"}, OTHER_ADMIN).get("status") == "no_match"
    delete = call(people, {"type": "customer_delete", "code": "P1"}, OTHER_ADMIN)
    assert error_code(delete) == "customer_not_found"
    # The same code in another account is another customer.
    assert new(people, OTHER_ADMIN, code="P1", first_name="Other").get("status") == "success"
    assert customer_fields(info(people, "P1"))["first_name"] == "Amy"
    assert customer_fields(info(people, "P1", OTHER_ADMIN))["first_name"] == "Other"


def test_clerks_may_look_up(people: TestClient) -> None:
    assert customer_fields(info(people, "P1", CLERK))["code"] == "P1"
    assert _codes(_search(people, CLERK, code="P1")) == ["P1"]
