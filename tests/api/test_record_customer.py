"""``record_customer`` (new, register, edit): what each stores and answers, enrolment, uniqueness, rights and the
audit trail.  (Two simultaneous creations with one value: ``tests/system/test_concurrency.py``.)"""

from __future__ import annotations

import re
from typing import Final

import pytest
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from tests.support.api import call, error_code, text_of
from tests.support.cli import customer_history
from tests.support.customers import AMY, customer_fields, info, new
from tests.support.demo import EARNED as VIP
from tests.support.demo import GIFTCARD, POINTS
from tests.support.golden import customer_case, customer_golden_tests
from tests.support.users import ADMIN, CLERK, MANAGER, User

NEW: Final = {"type": "record_customer", "customer_action": "new"}
CASES: Final = [
    customer_case("new", AMY),
    customer_case("new_generated_card", {**NEW, "code": "G1", "card_number_generate": "16"}),
    customer_case(
        "register",
        {"type": "record_customer", "customer_action": "register", "code": "R1", "first_name": "Rae"},
    ),
    customer_case(
        "edit",
        {"type": "record_customer", "customer_action": "edit", "code": "AMY1", "last_name": ""},
        setup=(AMY,),
    ),
    customer_case("new_exists", {**NEW, "code": "X", "card_number": "4400123"}, setup=(AMY,)),
    customer_case("new_mismatch", {**NEW, "card_number": "1", "card_number_generate": "10"}),
    customer_case("new_bad_date", {**NEW, "custom_date": "1970-13-01"}),
    customer_case(
        "new_legacy_names",
        {"type": "record_customer", "action": "new", "code": "N1", "address1": "1 Main St", "custom_date": "--"},
    ),
    customer_case("new_alias_mismatch", {**NEW, "custom1": "Gouda", "custom_field_1": "Brie"}),
    customer_case(
        "edit_by_card",
        {"type": "record_customer", "customer_action": "edit", "card_number": "4400123", "first_name": "Amelia"},
        setup=(AMY,),
    ),
]


test_answers_match_golden_files, test_no_stray_golden_files = customer_golden_tests("record_customer", CASES)


def _edit(client: TestClient, user: User = ADMIN, **fields: str) -> str:
    root = call(client, {"type": "record_customer", "customer_action": "edit", **fields}, user)
    assert root.get("status") == "success"
    return str(text_of(root, "customer/code"))


def _campaign_ids(client: TestClient, code: str, user: User = ADMIN) -> list[str]:
    return [str(node.text) for node in info(client, code, user).findall("campaigns/campaign/id")]


def test_new_answers_code_and_card_number_and_stores_every_field(client: TestClient) -> None:
    profile = {
        "first_name": "Amélie",
        "last_name": "Ørsted",
        "phone": "555-5555",
        "email": "amelie@example.com",
        "street1": "123 Main St.",
        "street2": "Apt 3G",
        "city": "Anytown",
        "state": "ONT",
        "postal_code": "55555",
        "country": "NZ",
        "custom_date": "1970-07-14",
        "custom_field": "Likes cheese",
        "custom_field_7": "Gouda,Emental",
        "custom_field_20": "x" * 1000,
        "customer_username": "amelie70",
    }
    root = new(client, ADMIN, code="C-1", card_number="1212121212", **profile)
    assert root.get("status") == "success"
    assert [child.tag for child in root.find("customer")] == ["code", "card_number"]  # type: ignore[union-attr]
    assert (text_of(root, "customer/code"), text_of(root, "customer/card_number")) == ("C-1", "1212121212")
    stored = customer_fields(info(client, "C-1"))
    for name, value in profile.items():
        assert stored[name] == value
    assert stored["registered"] == "N" and stored["custom_field_1"] == ""
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", stored["created"])


def test_codes_default_to_the_card_number_then_to_16_generated_digits(client: TestClient) -> None:
    root = new(client, card_number="CARD77")
    assert (text_of(root, "customer/code"), text_of(root, "customer/card_number")) == ("CARD77", "CARD77")
    root = new(client, first_name="Nobody")
    code = str(text_of(root, "customer/code"))
    assert re.fullmatch(r"[1-9]\d{15}", code) and text_of(root, "customer/card_number") == ""
    root = new(client, card_number_generate="12", card_number_prefix="99", card_number_suffix="1")
    card = str(text_of(root, "customer/card_number"))
    assert re.fullmatch(r"99\d{9}1", card) and text_of(root, "customer/code") == card


def test_register_marks_the_customer_registered(client: TestClient) -> None:
    root = call(client, {"type": "record_customer", "customer_action": "register", "code": "R1"})
    assert root.get("status") == "success"
    assert customer_fields(info(client, "R1"))["registered"] == "Y"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"card_number": "1", "card_number_generate": "10"}, "parameter_mismatch"),
        ({"card_number_generate": "5"}, "parameter_invalid"),
        ({"card_number_generate": "33"}, "parameter_invalid"),
        ({"card_number_generate": "ten"}, "parameter_invalid"),
        ({"card_number_generate": "١٦"}, "parameter_invalid"),  # digits, but not ASCII ones
        ({"card_number_generate": "8", "card_number_prefix": "12345"}, "parameter_invalid"),
        ({"card_number_generate": "10", "card_number_suffix": "1a"}, "parameter_invalid"),
        ({"custom_date": "2026-02-30"}, "parameter_invalid"),
        ({"custom_date": "14/07/1970"}, "parameter_invalid"),
        ({"custom_field_3": "x" * 1001}, "string_parameter_too_long"),
        ({"code": "c" * 65}, "string_parameter_too_long"),
        ({"customer_password": "p" * 1001}, "string_parameter_too_long"),
        ({"campaign_id": "0000000000000000"}, "campaign_not_found"),
        ({"campaign_id": "9999999999999999"}, "campaign_not_found"),  # another account's campaign
    ],
)
def test_bad_requests_are_refused_and_change_nothing(client: TestClient, fields: dict[str, str], code: str) -> None:
    sent = {"code": "BAD", **fields}
    assert error_code(new(client, ADMIN, **sent)) == code
    assert error_code(info(client, sent["code"][:64])) == "customer_not_found"


def test_customer_action_is_required_and_checked(client: TestClient) -> None:
    assert error_code(call(client, {"type": "record_customer"})) == "parameter_missing"
    root = call(client, {"type": "record_customer", "customer_action": "nope"})
    assert error_code(root) == "unsupported_call"
    assert "customer_action" in str(root.findtext("error"))


@pytest.mark.parametrize("key", ["code", "card_number", "customer_username"])
def test_a_value_in_use_is_customer_exists_naming_the_field(client: TestClient, key: str) -> None:
    assert new(client, code="U1", card_number="K1", customer_username="user1").get("status") == "success"
    values = {"code": "U2", "card_number": "K2", "customer_username": "user2"}
    values[key] = {"code": "U1", "card_number": "K1", "customer_username": "user1"}[key]
    root = new(client, ADMIN, **values)
    assert error_code(root) == "customer_exists"
    assert f"The {key} " in str(root.findtext("error"))
    assert error_code(info(client, "U2")) == "customer_not_found"


def test_edit_changes_given_fields_clears_blank_ones_and_keeps_absent_ones(client: TestClient) -> None:
    new(client, code="E1", first_name="Amy", last_name="Acker", phone="555", card_number="E1CARD")
    assert _edit(client, code="E1", first_name="Amelia", phone="", card_number="") == "E1"
    stored = customer_fields(info(client, "E1"))
    assert (stored["first_name"], stored["last_name"], stored["phone"], stored["card_number"]) == (
        "Amelia",
        "Acker",
        "",
        "",
    )
    # The card number cleared is free again.
    assert new(client, code="E2", card_number="E1CARD").get("status") == "success"


def test_edit_cannot_take_another_customers_card_number(client: TestClient) -> None:
    new(client, code="E1", card_number="C1")
    new(client, code="E2", card_number="C2")
    root = call(client, {"type": "record_customer", "customer_action": "edit", "code": "E2", "card_number": "C1"})
    assert error_code(root) == "customer_exists"
    # Giving a customer their own card number again is no conflict.
    assert _edit(client, code="E1", card_number="C1") == "E1"


def test_edit_creates_a_customer_when_the_code_is_absent_or_unknown(client: TestClient) -> None:
    """The legacy behaviour, kept on purpose (docs/customers.md)."""
    generated = _edit(client, first_name="Walk-in", card_number="W1")
    assert re.fullmatch(r"[1-9]\d{15}", generated)  # a generated code, not the card number
    assert customer_fields(info(client, generated))["card_number"] == "W1"
    assert _edit(client, code="NEWCODE", first_name="Fresh", phone="") == "NEWCODE"
    assert customer_fields(info(client, "NEWCODE"))["first_name"] == "Fresh"


def test_enrolment_records_an_activation_once_per_campaign(client: TestClient, settings: Settings) -> None:
    assert new(client, code="M1", campaign_id=f"{POINTS}, {GIFTCARD},{POINTS}").get("status") == "success"
    assert sorted(_campaign_ids(client, "M1")) == sorted([POINTS, GIFTCARD])
    _edit(client, code="M1", campaign_id=f"{POINTS},{VIP}")
    assert sorted(_campaign_ids(client, "M1")) == sorted([POINTS, GIFTCARD, VIP])
    campaigns = info(client, "M1").findall("campaigns/campaign")
    # In the campaigns' creation order; a gift card's balance is money, a points balance a number.
    assert [(c.findtext("id"), c.findtext("balance"), c.findtext("cumulative")) for c in campaigns] == [
        (GIFTCARD, "0.00", "0.00"),
        (POINTS, "0", "0"),
        (VIP, "0", "0"),
    ]
    enrolments = [r for r in customer_history(settings, "M1") if r["action"] == "enrol"]
    assert [r["changes"][0]["new"] for r in enrolments] == [POINTS, GIFTCARD, VIP]
    assert {r["user_id"] for r in enrolments} == {ADMIN[1]}


def test_every_user_may_enrol_within_the_campaigns_they_see(client: TestClient) -> None:
    assert new(client, CLERK, code="K1", campaign_id=POINTS).get("status") == "success"
    # The manager sees POINTS and VIP only.
    assert error_code(new(client, MANAGER, code="K2", campaign_id=GIFTCARD)) == "campaign_not_found"
    assert new(client, MANAGER, code="K2", campaign_id=VIP).get("status") == "success"
    new(client, code="K3", campaign_id=f"{GIFTCARD},{VIP}")
    assert _campaign_ids(client, "K3", MANAGER) == [VIP]


def test_blank_secrets_never_clear_a_secret(client: TestClient) -> None:
    new(client, code="S1", customer_password="s3cret", customer_PIN="1234")
    _edit(client, code="S1", customer_password="", customer_PIN="  ", first_name="Sam")
    validate = {"type": "validate_customer_password", "code": "S1"}
    assert call(client, {**validate, "customer_password": "s3cret", "customer_PIN": "1234"}).get("status") == "success"
    _edit(client, code="S1", customer_password="n3w")
    assert call(client, {**validate, "customer_password": "n3w"}).get("status") == "success"


def test_the_audit_records_old_and_new_values_and_secrets_only_as_changed(
    client: TestClient, settings: Settings
) -> None:
    new(client, CLERK, code="H1", first_name="Amy", customer_password="hunter2")
    _edit(client, code="H1", first_name="Amelia", customer_PIN="9876")
    _edit(client, code="H1", first_name="Amelia")  # nothing changes: no record
    records = customer_history(settings, "H1")
    assert [(r["action"], r["user_id"], r["entity"]) for r in records] == [
        ("create", CLERK[1], "customer"),
        ("update", ADMIN[1], "customer"),
    ]
    assert {"field": "first_name", "old": None, "new": "Amy"} in records[0]["changes"]
    assert {"field": "customer_password", "old": None, "new": "changed"} in records[0]["changes"]
    assert records[1]["changes"] == [
        {"field": "first_name", "old": "Amy", "new": "Amelia"},
        {"field": "customer_PIN", "old": None, "new": "changed"},
    ]
    text = repr(records)
    assert "hunter2" not in text and "9876" not in text and "argon2" not in text


# --- what legacy clients send --------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["new", "register", "edit"])
def test_the_action_may_come_in_the_field_action(client: TestClient, action: str) -> None:
    root = call(client, {"type": "record_customer", "action": action, "code": f"A-{action}", "first_name": "Al"})
    assert (root.get("status"), text_of(root, "customer/code")) == ("success", f"A-{action}")
    stored = customer_fields(info(client, f"A-{action}"))
    assert (stored["first_name"], stored["registered"]) == ("Al", "Y" if action == "register" else "N")


def test_customer_action_wins_over_action(client: TestClient) -> None:
    new(client, code="W1", first_name="Wes")
    root = call(client, {"type": "record_customer", "customer_action": "edit", "action": "new", "code": "W1"})
    assert root.get("status") == "success"  # an edit: new would have answered customer_exists
    assert error_code(call(client, {"type": "record_customer", "action": "nope"})) == "unsupported_call"


@pytest.mark.parametrize("no_date", ["--", "0000-00-00", " -- "])
def test_a_custom_date_of_no_date_registers_without_a_date_and_clears_on_edit(client: TestClient, no_date: str) -> None:
    assert new(client, code="D1", custom_date=no_date, first_name="Dee").get("status") == "success"
    assert customer_fields(info(client, "D1"))["custom_date"] == ""
    _edit(client, code="D1", custom_date="1970-07-14")
    assert customer_fields(info(client, "D1"))["custom_date"] == "1970-07-14"
    _edit(client, code="D1", custom_date=no_date)
    stored = customer_fields(info(client, "D1"))
    assert (stored["custom_date"], stored["first_name"]) == ("", "Dee")
    assert error_code(new(client, code="D2", custom_date="0000-01-01")) == "parameter_invalid"


def test_legacy_field_names_are_their_fields(client: TestClient) -> None:
    root = new(client, code="L1", address1="1 Main St", address2="Apt 2", custom1="Gouda")
    assert root.get("status") == "success"
    stored = customer_fields(info(client, "L1"))
    assert (stored["street1"], stored["street2"], stored["custom_field_1"]) == ("1 Main St", "Apt 2", "Gouda")
    _edit(client, code="L1", address2="", custom1="Brie")
    stored = customer_fields(info(client, "L1"))
    assert (stored["street1"], stored["street2"], stored["custom_field_1"]) == ("1 Main St", "", "Brie")
    # Both names with one value are no conflict; with two values, nothing is written.
    assert _edit(client, code="L1", street1="2 Elm St", address1=" 2 Elm St") == "L1"
    root = call(client, {**NEW, "code": "L2", "address1": "1 Main St", "street1": "2 Elm St"})
    assert error_code(root) == "parameter_mismatch"
    assert "address1" in str(root.findtext("error")) and "street1" in str(root.findtext("error"))
    assert error_code(info(client, "L2")) == "customer_not_found"


def test_edit_without_code_edits_the_holder_of_the_card_number(client: TestClient, settings: Settings) -> None:
    new(client, code="K1", card_number="CARD-1", first_name="Kim", phone="555")
    assert _edit(client, card_number="CARD-1", first_name="Kimberly", phone="", campaign_id=POINTS) == "K1"
    stored = customer_fields(info(client, "K1"))
    assert (stored["first_name"], stored["phone"], stored["card_number"]) == ("Kimberly", "", "CARD-1")
    assert _campaign_ids(client, "K1") == [POINTS]
    assert [r["action"] for r in customer_history(settings, "K1")] == ["create", "update", "enrol"]
    # A card number nobody holds: a new customer, as without a card number.
    created = _edit(client, card_number="CARD-2", first_name="Lee")
    assert re.fullmatch(r"[1-9]\d{15}", created)
    assert customer_fields(info(client, created))["card_number"] == "CARD-2"
