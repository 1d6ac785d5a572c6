"""``customer_info``: a customer by code or card number, with its campaigns and balances (as the user may see them),
in XML and in JSON."""

from __future__ import annotations

from typing import Final

from starlette.testclient import TestClient

from tests.support.api import call, call_json, error_code
from tests.support.customers import AMY, codes, customer_fields, info, new, search
from tests.support.demo import EARNED as VIP
from tests.support.demo import GIFTCARD, JANE, LEGACY, POINTS
from tests.support.golden import customer_case, customer_golden_tests
from tests.support.users import CLERK, MANAGER

CASES: Final = [
    customer_case("info", {"type": "customer_info", "code": "AMY1"}, setup=(AMY,)),
    customer_case("info_demo", {"type": "customer_info", "card_number": "", "code": JANE}),
    customer_case(
        "info_hidden",
        {"type": "customer_info", "code": "AMY1", "include_balances": "N", "hide_custom_field": "Y"},
        setup=(AMY,),
    ),
    customer_case("info_not_found", {"type": "customer_info", "code": "nobody"}),
    customer_case("info_missing", {"type": "customer_info"}),
]


test_answers_match_golden_files, test_no_stray_golden_files = customer_golden_tests("customer_info", CASES)


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
    body = call_json(client, {"type": "customer_info", "code": JANE})
    assert list(body) == ["status", "customer", "campaigns"]
    assert body["customer"]["first_name"] == "Jane"
    assert "customer_password" not in body["customer"] and "customer_PIN" not in body["customer"]
    (campaign,) = body["campaigns"]
    assert campaign["id"] == LEGACY
    assert (campaign["balance"], campaign["cumulative"], campaign["in_coalition"]) == ("500", "500", "Y")


def test_a_limited_user_sees_only_their_campaigns(client: TestClient) -> None:
    new(client, code="L1", campaign_id=f"{GIFTCARD},{POINTS},{VIP}")
    assert [c.findtext("id") for c in info(client, "L1", MANAGER).findall("campaigns/campaign")] == [POINTS, VIP]
    root = search(client, MANAGER, code="L1", include_balances="Y")
    assert [c.findtext("id") for c in root.findall("customer/campaigns/campaign")] == [POINTS, VIP]


def test_clerks_may_look_up(people: TestClient) -> None:
    assert customer_fields(info(people, "P1", CLERK))["code"] == "P1"
    assert codes(search(people, CLERK, code="P1")) == ["P1"]
