"""``customer_search``, ``customer_find`` and ``customer_exists``: search semantics (every ``exact_match`` mode, on
non-ASCII text, against a model too), paging, the shapes of one and many answers in XML and JSON."""

from __future__ import annotations

import itertools
from typing import Final

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tests.support.api import call, call_json, error_code
from tests.support.customers import AMY, Clock, add_sam, codes, fixed_clock, new, search, validate
from tests.support.demo import EARNED, GIFTCARD, JANE, POINTS
from tests.support.golden import customer_case, customer_golden_tests
from tests.support.properties import ON_A_SHARED_DATABASE
from tests.support.users import ADMIN, CLERK, MANAGER

NO_MATCH: Final = "No customer matches data provided."
CASES: Final = [
    customer_case("search_one", {"type": "customer_search", "last_name": "ACK"}, setup=(AMY,)),
    customer_case("search_many", {"type": "customer_search", "length": "2"}, setup=(AMY,)),
    customer_case("search_balances", {"type": "customer_search", "code": JANE, "include_balances": "Y"}),
    customer_case("search_no_match", {"type": "customer_search", "first_name": "Nobody"}),
    customer_case("search_secret", {"type": "customer_search", "customer_password": "x"}),
    customer_case(
        "search_login",
        {"type": "customer_search", "card_number": "4400123", "customer_password": "correct horse"},
        setup=(AMY,),
    ),
    customer_case(
        "search_login_wrong",
        {"type": "customer_search", "card_number": "4400123", "customer_password": "wrong horse"},
        setup=(AMY,),
    ),
    customer_case(
        "search_balances_first",
        {"type": "customer_search", "code": "AMY1", "include_balances": "Y", "campaign_id": POINTS},
        setup=(AMY, {"type": "record_customer", "customer_action": "edit", "code": "AMY1", "campaign_id": GIFTCARD}),
    ),
    customer_case("find", {"type": "customer_find", "find_customer": "amy acker, jane"}, setup=(AMY,)),
    customer_case("find_no_match", {"type": "customer_find", "find_customer": "nobody"}),
    customer_case(
        "exists",
        {"type": "customer_exists", "code": "AMY1", "email": "AMY@example.com"},
        setup=(AMY,),
    ),
    customer_case("exists_no_match", {"type": "customer_exists", "customer_username": "nobody"}),
]


test_answers_match_golden_files, test_no_stray_golden_files = customer_golden_tests("customer_search", CASES)


# --- customer_search -----------------------------------------------------------------------------------------------


def test_search_defaults_to_a_case_insensitive_substring(people: TestClient) -> None:
    assert codes(search(people, last_name="ACK")) == ["P1", "P3"]
    assert codes(search(people, first_name="zo")) == ["P2"]
    assert codes(search(people, first_name="ZOË")) == ["P2"]
    assert codes(search(people, last_name="öb")) == ["P2"]
    assert codes(search(people, first_name="åS")) == ["P3"]
    assert codes(search(people, city="SPRING", last_name="ack")) == ["P1", "P3"]  # every criterion
    assert codes(search(people, custom_field_4="oud")) == ["P2"]


def test_search_exact_match_modes(people: TestClient) -> None:
    assert codes(search(people, city="springfield", exact_match="insensitive")) == ["P1", "P3"]
    assert codes(search(people, city="springfield", exact_match="sensitive")) == ["P3"]
    assert codes(search(people, city="spring", exact_match="insensitive")) == []
    assert codes(search(people, last_name="öberg", exact_match="insensitive")) == ["P2"]
    assert codes(search(people, last_name="öberg", exact_match="sensitive")) == []
    assert codes(search(people, last_name="Öberg", exact_match="SENSITIVE")) == ["P2"]
    assert error_code(search(people, exact_match="yes")) == "parameter_invalid"


def test_search_without_criteria_lists_everyone_oldest_first_with_paging(people: TestClient) -> None:
    root = search(people)
    assert codes(root) == [JANE, "P1", "P2", "P3", "P4"]
    assert [root.findtext(f"pagination/{n}") for n in ("total", "offset", "length")] == ["5", "0", "5"]
    root = search(people, offset="1", length="2")
    assert codes(root) == ["P1", "P2"]
    assert [root.findtext(f"pagination/{n}") for n in ("total", "offset", "length")] == ["5", "1", "2"]
    assert error_code(search(people, length="-1")) == "parameter_invalid"


def test_search_one_versus_many_xml_shape_and_json_always_an_array(people: TestClient) -> None:
    one = search(people, code="P4")
    assert [child.tag for child in one] == ["customer", "pagination"]  # straight under <response>
    many = search(people, last_name="acker")
    assert [child.tag for child in many] == ["customer", "customer", "pagination"]
    body = call_json(people, {"type": "customer_search", "code": "P4"})
    assert isinstance(body["customers"], list) and [c["code"] for c in body["customers"]] == ["P4"]


def test_search_nothing_found_is_no_match(people: TestClient) -> None:
    root = search(people, first_name="Nobody")
    assert root.get("status") == "no_match" and root.findtext("message") == NO_MATCH
    assert [child.tag for child in root] == ["message"]
    # JSON clients read customers even then: an empty array.
    body = call_json(people, {"type": "customer_search", "first_name": "Nobody"})
    assert body == {"status": "no_match", "message": NO_MATCH, "customers": []}
    body = call_json(people, {"type": "customer_find", "find_customer": "Nobody"})
    assert body == {"status": "no_match", "message": NO_MATCH, "customers": []}


@pytest.mark.parametrize("no_date", ["--", "0000-00-00", " -- "])
def test_a_custom_date_of_no_date_is_no_criterion(people: TestClient, no_date: str) -> None:
    # What a birthday form left empty sends: as a blank field, it narrows nothing.
    new(people, code="P5", first_name="Dee", custom_date="1970-07-14")
    assert codes(search(people, first_name="dee", custom_date=no_date)) == ["P5"]
    assert codes(search(people, last_name="acker", custom_date=no_date)) == ["P1", "P3"]
    assert codes(search(people, custom_date="1970-07-14")) == ["P5"]
    assert codes(search(people, custom_date="1970-07-15")) == []


def test_legacy_field_names_are_criteria(people: TestClient) -> None:
    new(people, code="P5", street2="Apt 3G", custom_field_1="Brie")
    assert codes(search(people, address1="main st")) == ["P1"]
    assert codes(search(people, address2="3g", custom1="BRIE")) == ["P5"]
    assert codes(search(people, address1="1234 Main St", street1="1234 Main St", exact_match="sensitive")) == ["P1"]
    assert error_code(search(people, address1="main", street1="elm")) == "parameter_mismatch"


def test_the_asked_campaign_comes_first_in_each_customers_campaigns(client: TestClient) -> None:
    new(client, code="B1", campaign_id=f"{POINTS},{GIFTCARD},{EARNED}")
    new(client, code="B2", campaign_id=POINTS)
    fields = {"code": "B", "include_balances": "Y"}
    listed = search(client, ADMIN, **fields)
    in_order = [c.findtext("id") for c in listed.findall("customer/campaigns/campaign")]
    first = search(client, ADMIN, **fields, campaign_id=GIFTCARD)
    # B1: the gift card first, the others in their order; B2 is not in it: its campaigns as they are.
    assert [c.findtext("id") for c in first.findall("customer/campaigns/campaign")] == [
        GIFTCARD,
        *(campaign_id for campaign_id in in_order if campaign_id != GIFTCARD),
    ]
    body = call_json(client, {"type": "customer_search", **fields, "campaign_id": GIFTCARD, "output": "JSON"})
    assert body["customers"][0]["campaigns"][0]["balance"] == "0.00"
    # Without include_balances the campaign changes nothing; one the caller may not see is refused.
    assert codes(search(client, code="B", campaign_id=GIFTCARD)) == ["B1", "B2"]
    assert error_code(search(client, MANAGER, **fields, campaign_id=GIFTCARD)) == "campaign_not_found"
    assert error_code(search(client, ADMIN, **fields, campaign_id="0000000000000000")) == "campaign_not_found"


# --- customer_search as a login ------------------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return fixed_clock(monkeypatch)


@pytest.fixture
def sam(client: TestClient) -> TestClient:
    add_sam(client)
    new(client, code="S2", card_number="55001", customer_password="correct horse")  # a card that contains 5500
    return client


@pytest.mark.parametrize(
    "fields",
    [
        {"card_number": "5500", "customer_password": "correct horse"},
        {"card_number": "5500", "customer_PIN": "2468"},
        {"customer_username": "sam", "customer_password": "correct horse", "customer_PIN": "2468"},
        {"card_number": "5500", "customer_username": "sam", "customer_PIN": "2468", "phone": "555"},
    ],
)
def test_a_search_with_a_secret_is_a_login(sam: TestClient, clock: Clock, fields: dict[str, str]) -> None:
    for user in (ADMIN, CLERK):
        root = search(sam, user, **fields)
        assert (root.get("status"), codes(root)) == ("success", ["S1"])
    body = call_json(sam, {"type": "customer_search", **fields, "include_balances": "Y"})
    assert [c["code"] for c in body["customers"]] == ["S1"]


@pytest.mark.parametrize(
    "fields",
    [
        {"card_number": "5500", "customer_password": "wrong horse"},  # a wrong secret
        {"card_number": "5500", "customer_password": "correct horse", "customer_PIN": "0000"},  # one of two wrong
        {"card_number": "550", "customer_password": "correct horse"},  # never a part of the card number
        {"card_number": "9999", "customer_password": "correct horse"},  # nobody's card
        {"customer_username": "SAM", "customer_PIN": "2468"},  # exactly, case included
        {"card_number": "5500", "customer_username": "other", "customer_PIN": "2468"},  # both must be Sam's
        {"card_number": "5500", "customer_PIN": "2468", "first_name": "Nobody"},  # other criteria must match
        {"card_number": "5500", "customer_password": ""},  # a blank secret is nobody's
        {"customer_username": "nosecret", "customer_password": "x"},
    ],
)
def test_a_failed_login_answers_exactly_as_no_match(sam: TestClient, clock: Clock, fields: dict[str, str]) -> None:
    body = call_json(sam, {"type": "customer_search", **fields})
    assert body == {"status": "no_match", "message": NO_MATCH, "customers": []}


def test_logins_count_in_the_lockout_of_validate_customer_password(sam: TestClient, clock: Clock) -> None:
    wrong = {"card_number": "5500", "customer_password": "wrong"}
    right = {"card_number": "5500", "customer_password": "correct horse"}
    for _ in range(4):
        assert search(sam, ADMIN, **wrong).get("status") == "no_match"
    # A success clears the failures, as validate_customer_password's does.
    assert codes(search(sam, ADMIN, **right)) == ["S1"]
    for _ in range(3):
        assert search(sam, ADMIN, **wrong).get("status") == "no_match"
    assert validate(sam, code="S1", customer_PIN="0") == "invalid_customer_credentials"
    assert validate(sam, code="S1", customer_PIN="1") == "invalid_customer_credentials"
    # Five failures in all: the right secret is refused by both calls until the window passes.
    assert error_code(search(sam, ADMIN, **right)) == "too_many_attempts"
    assert validate(sam, code="S1", customer_PIN="2468") == "too_many_attempts"
    # Unknown cards are locked the same way.
    for _ in range(5):
        assert search(sam, card_number="404", customer_PIN="1").get("status") == "no_match"
    assert error_code(search(sam, card_number="404", customer_PIN="1")) == "too_many_attempts"
    clock.advance(minutes=15, seconds=1)
    assert codes(search(sam, ADMIN, **right)) == ["S1"]


@pytest.mark.parametrize("secret", ["customer_password", "customer_PIN"])
def test_a_secret_without_card_number_or_username_is_refused(people: TestClient, secret: str) -> None:
    root = search(people, ADMIN, **{secret: "x"}, code="P1", first_name="Amy")
    assert error_code(root) == "parameter_missing"
    assert "card_number or customer_username" in str(root.findtext("error"))
    assert error_code(search(people, ADMIN, card_number="4400", **{secret: "x" * 1001})) == "string_parameter_too_long"


def test_search_with_balances(client: TestClient) -> None:
    new(client, code="B1", campaign_id=POINTS)
    root = search(client, code="B1", include_balances="Y")
    assert [c.findtext("id") for c in root.findall("customer/campaigns/campaign")] == [POINTS]
    body = call_json(client, {"type": "customer_search", "code": "B1", "include_balances": "Y"})
    assert body["customers"][0]["campaigns"][0]["balance"] == "0"


# --- customer_search against a model -------------------------------------------------------------------------------

# Letters whose lower case is one letter, the same in Python, SQLite's registered fold and PostgreSQL's lower()
# (no final sigma, no dotted capital I, no ß).
_ALPHABET: Final = "aAbBäÄöÖéÉçÇåÅжЖщЩ "
_NAMES: Final = st.text(_ALPHABET, min_size=1, max_size=6).map(str.strip).filter(bool)
_MODES: Final = st.sampled_from([None, "insensitive", "sensitive"])
_code_numbers = itertools.count(1)


def _model(mode: str | None, needle: str, value: str) -> bool:
    if mode is None:
        return needle.lower() in value.lower()
    if mode == "insensitive":
        return needle.lower() == value.lower()
    return needle == value


@pytest.fixture
def stored() -> dict[str, str]:
    """code -> last name of every customer of the account, as the test created them."""
    return {JANE: "Doe"}


@settings(max_examples=30, deadline=None, suppress_health_check=ON_A_SHARED_DATABASE)
@given(names=st.lists(_NAMES, min_size=1, max_size=3), needle=_NAMES, mode=_MODES)
def test_search_agrees_with_the_model(
    client: TestClient, stored: dict[str, str], names: list[str], needle: str, mode: str | None
) -> None:
    for name in names:
        code = f"Q{next(_code_numbers)}"
        assert new(client, code=code, last_name=name).get("status") == "success"
        stored[code] = name
    fields = {"type": "customer_search", "last_name": needle, "length": "1000"}
    if mode is not None:
        fields["exact_match"] = mode
    root = call(client, fields)
    found = [str(node.findtext("code")) for node in root.findall("customer")]
    expected = [code for code, name in stored.items() if _model(mode, needle, name)]
    assert found == expected
    assert root.get("status") == ("success" if expected else "no_match")


# --- customer_find -------------------------------------------------------------------------------------------------


def test_find_words_and_groups(people: TestClient) -> None:
    find = {"type": "customer_find"}
    assert codes(call(people, {**find, "find_customer": "amy acker"})) == ["P1"]  # AND
    assert codes(call(people, {**find, "find_customer": "acker"})) == ["P1", "P3"]
    assert codes(call(people, {**find, "find_customer": "Amy Acker, 1234 Main St"})) == ["P1"]
    assert codes(call(people, {**find, "find_customer": "zoë, bob"})) == ["P2", "P4"]  # OR
    assert codes(call(people, {**find, "find_customer": "main"})) == ["P1", "P4"]  # street or last name
    assert codes(call(people, {**find, "find_customer": "example.com"})) == ["P2"]
    assert codes(call(people, {**find, "find_customer": "amy main st"})) == ["P1"]
    assert codes(call(people, {**find, "find_customer": "amyacker"})) == []  # not across fields
    assert call(people, {**find, "find_customer": "nobody"}).get("status") == "no_match"
    assert error_code(call(people, {**find, "find_customer": " , "})) == "parameter_invalid"
    assert error_code(call(people, find)) == "parameter_missing"


def test_find_customer_is_another_name_of_customer_find(people: TestClient) -> None:
    fields = {"find_customer": "Amy Acker, bob", "include_balances": "Y"}
    assert call_json(people, {"type": "find_customer", **fields}) == call_json(
        people, {"type": "customer_find", **fields}
    )
    assert codes(call(people, {"type": "find_customer", **fields})) == ["P1", "P4"]


# --- customer_exists -----------------------------------------------------------------------------------------------


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
