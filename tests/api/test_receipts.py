"""What every receipt (``record_activity`` and ``redeem``) carries besides the transaction: the account's name and
agency, the customer's card, and, for accounts in a coalition, the customer's cumulative balance in the coalition
(``docs/ledger.md``, "Receipts"), on both stores."""

from __future__ import annotations

from typing import Final

from lxml import etree
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from tests.support.api import call, call_json, status_of
from tests.support.campaigns import update
from tests.support.cli import run_cli
from tests.support.customers import new
from tests.support.demo import BUYX, EVENTS, GIFTCARD, JANE, LEGACY, OTHERCO_POINTS, POINTS
from tests.support.users import ADMIN, OTHER_ADMIN, User

_CARD: Final = ("code", "card_number", "first_name", "last_name", "phone", "email", "street1", "custom_date")


def _receipt(client: TestClient, fields: dict[str, str], user: User = ADMIN) -> etree._Element:
    root = call(client, fields, user)
    assert status_of(root) == "success", root.findtext("error")
    receipt = root.find("receipt")
    assert receipt is not None
    return receipt


def _sale(client: TestClient, campaign_id: str, code: str = JANE, user: User = ADMIN, **fields: str) -> etree._Element:
    return _receipt(client, {"type": "record_activity", "code": code, "campaign_id": campaign_id, **fields}, user)


def _redeem(client: TestClient, campaign_id: str, code: str = JANE, **fields: str) -> etree._Element:
    return _receipt(client, {"type": "redeem", "code": code, "campaign_id": campaign_id, **fields})


def _coalition(receipt: etree._Element, unit: str = "points") -> str | None:
    return receipt.findtext(f"transaction/coalition_cumulative_balance/{unit}")


def test_the_receipt_starts_with_the_account_and_its_agency(client: TestClient) -> None:
    receipt = _sale(client, EVENTS)
    assert [child.tag for child in receipt] == ["account_name", "agency", "campaign", "customer", "transaction"]
    assert receipt.findtext("account_name") == "Great Widgets Company"
    # An account without an agency of its own is its own agency: its id, its name, its contact's e-mail.
    agency = receipt.find("agency")
    assert agency is not None
    assert [(child.tag, child.text or "") for child in agency] == [
        ("id", "greatwidgets"),
        ("name", "Great Widgets Company"),
        ("email", "john@greatwidgets.example"),
    ]


def test_the_agency_set_by_the_operator_is_on_every_receipt(client: TestClient, settings: Settings) -> None:
    agency = ("--agency-id", "loyaltygator", "--agency-name", "Loyalty Gator Inc.", "--agency-email", "a@lg.example")
    run_cli(settings, "account", "set", "greatwidgets", *agency)  # before a login is cached
    for receipt in (_sale(client, EVENTS), _redeem(client, LEGACY, custom_points_redeem="1")):
        assert receipt.findtext("agency/id") == "loyaltygator"
        assert receipt.findtext("agency/name") == "Loyalty Gator Inc."
        assert receipt.findtext("agency/email") == "a@lg.example"


def test_the_customer_s_card_holds_their_contact_fields(client: TestClient) -> None:
    profile = {"phone": "555-0100", "email": "ann@example.com", "street1": "1 Main St", "custom_date": "1970-07-14"}
    new(client, ADMIN, code="ANN1", card_number="C-ANN1", first_name="Ann", last_name="Lee", street2="x", **profile)
    for receipt in (
        _sale(client, POINTS, "ANN1", amount="2"),
        _redeem(client, POINTS, "ANN1", custom_points_redeem="5"),
    ):
        customer = receipt.find("customer")
        assert customer is not None
        assert [(child.tag, child.text or "") for child in customer] == [
            ("code", "ANN1"),
            ("card_number", "C-ANN1"),
            ("first_name", "Ann"),
            ("last_name", "Lee"),
            *profile.items(),
        ]


def test_the_coalition_total_pools_the_campaigns_of_one_type(client: TestClient) -> None:
    # Jane holds LEGACY's 500 points; POINTS is the other points campaign of the coalition.
    first = _sale(client, POINTS, amount="1.00")  # 100 points
    assert first.findtext("transaction/cumulative_balance/points") == "100"
    assert _coalition(first) == "600"
    again = _sale(client, LEGACY, amount="1.00")  # 50 more points in LEGACY
    assert (again.findtext("transaction/cumulative_balance/points"), _coalition(again)) == ("550", "650")
    # A redemption lowers the balances, never a cumulative one.
    redeemed = _redeem(client, LEGACY, custom_points_redeem="40")
    assert [child.tag for child in redeemed.iterfind("transaction/*")] == [
        "id",
        "date",
        "deduct",
        "balance",
        "cumulative_balance",
        "coalition_cumulative_balance",
    ]
    assert (redeemed.findtext("transaction/balance/points"), _coalition(redeemed)) == ("510", "650")
    # Money pools with money only.
    card = _sale(client, GIFTCARD, amount="25.00")
    assert (_coalition(card, "amount"), card.findtext("transaction/coalition_cumulative_balance/glyph")) == (
        "25.00",
        "$",
    )


def test_an_opted_out_campaign_s_coalition_total_is_its_own(client: TestClient) -> None:
    assert status_of(update(client, POINTS, {"coalition_opt_out": "Y"})) == "updated"
    receipt = _sale(client, POINTS, amount="1.00")
    assert (receipt.findtext("transaction/cumulative_balance/points"), _coalition(receipt)) == ("100", "100")
    # ... and it leaves the pool of the others.
    assert _coalition(_sale(client, LEGACY, amount="1.00")) == "550"


def test_a_buyx_item_s_coalition_total_is_its_own(client: TestClient) -> None:
    item = {"type": "campaign_new", "action": "item", "campaign_id": BUYX, "reward_level": "10"}
    assert status_of(call(client, {**item, "item_description": "Widget", "item_identifier": "W"})) == "success"
    receipt = _sale(client, BUYX, service_product="W", buyx_quantity="2")
    assert receipt.findtext("transaction/coalition_cumulative_balance/item/balance") == "2"


def test_an_account_in_no_coalition_has_no_coalition_total(client: TestClient) -> None:
    new(client, OTHER_ADMIN, code="OTH1")
    receipt = _sale(client, OTHERCO_POINTS, "OTH1", OTHER_ADMIN, amount="1.00")
    assert receipt.find("transaction/coalition_cumulative_balance") is None
    assert receipt.findtext("transaction/cumulative_balance/points") is not None
    assert receipt.findtext("agency/id") == "otherco"
    assert receipt.findtext("agency/email") == "admin@otherco.example"


def test_in_json_every_part_is_an_object_of_strings(client: TestClient) -> None:
    body = call_json(client, {"type": "record_activity", "code": JANE, "campaign_id": POINTS, "amount": "1"})
    receipt = body["receipt"]
    assert receipt["agency"] == {
        "id": "greatwidgets",
        "name": "Great Widgets Company",
        "email": "john@greatwidgets.example",
    }
    assert receipt["transaction"]["coalition_cumulative_balance"] == {"points": "600"}
    assert all(isinstance(value, str) for value in receipt["customer"].values())


def test_the_customer_s_defined_custom_fields_are_labelled(client: TestClient) -> None:
    labels = {"custom_field_3_label": "Sentinel ALT", "custom_field_25_label": "Member #", "custom_field_9_label": "X"}
    assert status_of(call(client, {"type": "manage_fields", "action": "add", **labels})) == "success"
    profile = {"custom_field_3": "alt-1", "custom_field_25": "M-7", "custom_field_4": "undefined, not shown"}
    new(client, ADMIN, code="ANN1", **profile)
    sale = _sale(client, POINTS, "ANN1", amount="1")
    for receipt in (sale, _redeem(client, POINTS, "ANN1", custom_points_redeem="5")):
        customer = receipt.find("customer")
        assert customer is not None
        shown = [(c.tag, c.findtext("label"), c.findtext("data") or "") for c in customer if len(c)]
        assert shown == [
            ("custom_field_3", "Sentinel ALT", "alt-1"),
            ("custom_field_9", "X", ""),
            ("custom_field_25", "Member #", "M-7"),
        ]
    # A change of the definitions shows on the next receipt of this server process.
    remove = {"type": "manage_fields", "action": "delete", "field_list": "custom_field_9|custom_field_25"}
    assert status_of(call(client, remove)) == "success"
    customer = _sale(client, EVENTS, "ANN1").find("customer")
    assert customer is not None and [c.tag for c in customer if len(c)] == ["custom_field_3"]


def test_a_receipt_has_no_custom_fields_without_definitions(client: TestClient) -> None:
    new(client, ADMIN, code="ANN1", custom_field_3="kept, not shown")
    customer = _sale(client, EVENTS, "ANN1").find("customer")
    assert customer is not None and [c.tag for c in customer][-1] == "custom_date"
