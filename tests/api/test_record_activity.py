"""``record_activity``: one entry per call in each campaign type, answered by a receipt (both stores), and the
transaction custom fields (``custom_field_N``) kept with the entry and shown by ``customer_balance``
(``docs/ledger.md``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

import pytest
from lxml import etree
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from loyalty_api.ledger.rules import MAX_ENTRY_CENTS
from tests.support.api import call, call_json, error_of, status_of, warnings_of
from tests.support.campaigns import update
from tests.support.cli import show
from tests.support.demo import BUYX, EARNED, EVENTS, GIFTCARD, JANE, LEGACY, POINTS
from tests.support.golden import GoldenCase, golden_tests, without_stamps
from tests.support.ledger import customs, record, transactions
from tests.support.users import ADMIN, CLERK, MANAGER, OTHER_ADMIN, User

RECORD: Final = {"type": "record_activity", "code": JANE}
GOLDEN_DIR: Final = "ledger/record_activity"


def _case(name: str, **fields: str) -> GoldenCase:
    """A golden case of record_activity for Jane, run on a database of its own (with an item W in BUYX) in each
    form."""
    return GoldenCase(name, {**RECORD, **fields}, changes_state=True)


CASES: Final = [
    _case("points", campaign_id=POINTS, amount="9,95", authorization="Till 4"),
    _case("giftcard", campaign_id=GIFTCARD, amount="25.00"),
    _case("events", campaign_id=EVENTS),
    _case("earned", campaign_id=EARNED, custom_field_1="kept out", send_transaction_email="Y"),
    _case("buyx", campaign_id=BUYX, service_product="W", buyx_quantity="3"),
    _case("error_inactive", campaign_id=GIFTCARD, amount="1"),  # GIFTCARD deactivated first
    _case("error_mismatch", campaign_id=EVENTS, amount="1"),
    _case("error_missing_customer", campaign_id=POINTS, code="", amount="1"),
]


def _receipt(client: TestClient, campaign_id: str, user: User = ADMIN, **fields: str) -> dict[str, str]:
    """Record and return the receipt's transaction as {path: text} (e.g. "balance/points")."""
    root = call(client, {**RECORD, "campaign_id": campaign_id, **fields}, user)
    assert status_of(root) == "success", root.findtext("error")
    transaction = root.find("receipt/transaction")
    assert transaction is not None
    return {
        "/".join(p.tag for p in [*node.iterancestors()][::-1][3:] + [node]): node.text or ""
        for node in transaction.iter()
        if len(node) == 0
    }


def _add_item(client: TestClient, identifier: str = "W", level: str = "10") -> str:
    data = {"type": "campaign_new", "action": "item", "campaign_id": BUYX, "reward_level": level}
    root = call(client, {**data, "item_description": "Widget", "item_identifier": identifier})
    return str(root.findtext("campaign/item/id"))


def _prepare_golden(client: TestClient, case: GoldenCase) -> None:
    _add_item(client)
    if case.name == "error_inactive":
        assert status_of(call(client, {"type": "campaign_deactivate", "campaign_id": GIFTCARD})) == "success"


test_answers_match_golden_files, test_no_stray_golden_files = golden_tests(
    GOLDEN_DIR, CASES, without_stamps, prepare=_prepare_golden
)


def test_points_are_the_amount_times_the_ratio_rounded_down(client: TestClient) -> None:
    first = _receipt(client, LEGACY, amount="0.01")  # 0.01 x 50 = 0.5 points
    assert (first["recorded/points"], first["purchase/amount"], first["balance/points"]) == ("0.5", "0.01", "500.5")
    update = {"type": "campaign_update", "action": "campaign", "campaign_id": POINTS, "new_points_ratio": "0.3333"}
    assert status_of(call(client, update)) == "updated"
    sale = _receipt(client, POINTS, amount="1")  # 0.3333 points: 0.33
    assert (sale["recorded/points"], sale["balance/points"], sale["cumulative_balance/points"]) == ("0.33",) * 3
    assert error_of(call(client, {**RECORD, "campaign_id": POINTS, "amount": "0.01"})) == (
        "parameter_invalid",
        "The amount gives nothing to record (it rounds down to 0).",
    )


@pytest.mark.parametrize(
    ("ratio", "amount", "points"),
    [
        ("0.3333", "2.00", "0.66"),  # 66.66 hundredths: 66 rounded down, 67 to the nearest (half-even or half-up)
        ("1.5", "0.01", "0.01"),  # 1.5 hundredths: 1 rounded down, 2 half-even
        ("0.5", "0.03", "0.01"),  # 1.5 hundredths: 1 rounded down, 2 half-even
        ("0.9999", "9.99", "9.98"),  # 998.9001 hundredths: 998 rounded down, 999 to the nearest
    ],
)
def test_points_are_rounded_down_never_to_the_nearest(client: TestClient, ratio: str, amount: str, points: str) -> None:
    assert status_of(update(client, POINTS, {"new_points_ratio": ratio})) == "updated"
    sale = _receipt(client, POINTS, amount=amount)
    assert (sale["recorded/points"], sale["purchase/amount"]) == (points, amount)
    assert (sale["balance/points"], sale["cumulative_balance/points"]) == (points, points)


def test_points_rounding_down_to_nothing_are_refused_and_record_nothing(client: TestClient) -> None:
    """0.02 x 0.3333 = 0.006666 points: 0 rounded down (refused), 0.01 to the nearest hundredth."""
    assert status_of(update(client, POINTS, {"new_points_ratio": "0.3333"})) == "updated"
    assert error_of(call(client, {**RECORD, "campaign_id": POINTS, "amount": "0.02"})) == (
        "parameter_invalid",
        "The amount gives nothing to record (it rounds down to 0).",
    )
    assert _receipt(client, POINTS, amount="0.04")["balance/points"] == "0.01"  # 1.3332 hundredths: the first entry


def test_an_earned_campaign_without_an_amount_per_event_refuses_entries(client: TestClient) -> None:
    """A new earned campaign's amount_per_event defaults to 0.00: it has nothing to add until one is set."""
    root = call(client, {"type": "campaign_new", "action": "campaign", "campaign_type": "earned", "campaign_name": "E"})
    campaign_id = str(root.findtext("campaign/id"))
    assert error_of(call(client, {**RECORD, "campaign_id": campaign_id})) == (
        "parameter_invalid",
        f"Campaign {campaign_id} has no amount_per_event to add (set it with campaign_update).",
    )
    balance = call(client, {"type": "customer_balance", "code": JANE, "campaign_id": campaign_id})
    assert error_of(balance)[0] == "customer_not_in_campaign"  # not even enrolled
    assert status_of(update(client, campaign_id, {"new_amount_per_event": "2.5"})) == "updated"
    assert _receipt(client, campaign_id)["balance/amount"] == "2.50"
    # Set back to zero (a blank amount is 0.00), it refuses again.
    assert status_of(update(client, campaign_id, {"new_amount_per_event": ""})) == "updated"
    assert error_of(call(client, {**RECORD, "campaign_id": campaign_id}))[0] == "parameter_invalid"


def test_the_largest_entry_is_accepted_and_one_hundredth_more_refused(client: TestClient) -> None:
    """MAX_ENTRY_CENTS (10^15 hundredths) through the only type that reaches it, points: 100,000,000,000 spent at
    100 points each is exactly 10^13 points; 99,999,000,010 at 100.001 is 10^13 points and one hundredth."""
    assert MAX_ENTRY_CENTS == 10**15
    sale = _receipt(client, POINTS, amount="100000000000")
    assert (sale["recorded/points"], sale["balance/points"]) == ("10000000000000", "10000000000000")
    assert status_of(update(client, POINTS, {"new_points_ratio": "100.001"})) == "updated"
    too_large = ("parameter_invalid", "The amount is too large for one transaction.")
    assert error_of(call(client, {**RECORD, "campaign_id": POINTS, "amount": "99999000010"})) == too_large
    assert _receipt(client, POINTS, amount="1")["balance/points"] == "10000000000100"  # nothing recorded meanwhile


def test_balances_add_up_in_every_type(client: TestClient) -> None:
    _add_item(client, "A")
    _add_item(client, "B")
    loads = [Decimal("10.50"), Decimal("0.01"), Decimal("7")]
    for amount in loads:
        gift = _receipt(client, GIFTCARD, amount=str(amount))
    assert (gift["balance/amount"], gift["balance/currency"], gift["balance/glyph"]) == ("17.51", "USD", "$")
    for _ in range(3):
        visit = _receipt(client, EVENTS)
    assert (visit["add/amount"], visit["balance/events"], visit["cumulative_balance/events"]) == ("1", "3", "3")
    earned = _receipt(client, EARNED)
    earned = _receipt(client, EARNED)
    assert (earned["add/amount"], earned["balance/amount"]) == ("5.95", "11.90")
    _receipt(client, BUYX, service_product="A", buyx_quantity="2")
    item_b = _receipt(client, BUYX, service_product="B")
    assert (item_b["balance/item/balance"], item_b["add/description"]) == ("1", "Widget")
    item_a = _receipt(client, BUYX, service_product="1", buyx_quantity="5")  # by id
    assert (item_a["balance/item/id"], item_a["balance/item/balance"]) == ("1", "7")


def test_a_customer_is_enrolled_by_the_first_entry(client: TestClient) -> None:
    info = {"type": "customer_info", "code": JANE}
    before = call(client, info)
    assert GIFTCARD not in [node.text for node in before.findall("campaigns/campaign/id")]
    _receipt(client, GIFTCARD, amount="1")
    _receipt(client, GIFTCARD, amount="1")
    after = call(client, info)
    assert status_of(after) == "success"
    assert [node.text for node in after.findall("campaigns/campaign/id")].count(GIFTCARD) == 1


def test_the_card_number_names_the_customer(client: TestClient) -> None:
    edit = {"type": "record_customer", "customer_action": "edit", "code": JANE, "card_number": "4111222233334444"}
    assert status_of(call(client, edit)) == "success"
    root = call(client, {"type": "record_activity", "card_number": "4111222233334444", "campaign_id": EVENTS})
    assert root.findtext("receipt/customer/code") == JANE
    assert root.findtext("receipt/customer/card_number") == "4111222233334444"


def test_the_first_value_entry_freezes_the_opt_outs(client: TestClient, settings: Settings) -> None:
    update = {"type": "campaign_update", "action": "campaign", "campaign_id": EVENTS, "coalition_opt_out": "Y"}
    assert status_of(call(client, update)) == "updated"
    assert show(settings, EVENTS)["coalition_opt_out"] is True
    _receipt(client, EVENTS)
    root = call(client, {**update, "coalition_opt_out": "N"})
    assert status_of(root) == "updated"
    assert "coalition_opt_out was ignored" in warnings_of(root)[0]
    assert show(settings, EVENTS)["coalition_opt_out"] is True


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"campaign_id": POINTS}, "parameter_missing"),
        ({"campaign_id": POINTS, "amount": "0"}, "parameter_invalid"),
        ({"campaign_id": POINTS, "amount": "-5"}, "parameter_invalid"),
        ({"campaign_id": POINTS, "amount": "1.234"}, "parameter_invalid"),
        ({"campaign_id": POINTS, "amount": "1", "promo_id": "3"}, "promotion_not_found"),
        ({"campaign_id": GIFTCARD, "amount": "1", "promo_id": "3"}, "parameter_mismatch"),
        ({"campaign_id": POINTS, "amount": "1", "service_product": "W"}, "parameter_mismatch"),
        ({"campaign_id": POINTS, "amount": "1", "authorization": "a" * 256}, "string_parameter_too_long"),
        ({"campaign_id": GIFTCARD}, "parameter_missing"),
        ({"campaign_id": EVENTS, "buyx_quantity": "2"}, "parameter_mismatch"),
        ({"campaign_id": EVENTS, "service_product": "96"}, "parameter_mismatch"),
        ({"campaign_id": EARNED, "service_product": "96", "buyx_quantity": "2"}, "parameter_mismatch"),
        ({"campaign_id": BUYX}, "parameter_missing"),
        ({"campaign_id": BUYX, "service_product": "nope"}, "item_not_found"),
        ({"campaign_id": BUYX, "service_product": "W", "buyx_quantity": "0"}, "parameter_invalid"),
        ({"campaign_id": BUYX, "service_product": "W", "amount": "5"}, "parameter_mismatch"),
        ({"campaign_id": "0000000000000000"}, "campaign_not_found"),
        ({"campaign_id": EVENTS, "code": "nobody"}, "customer_not_found"),
        ({"campaign_id": ""}, "parameter_missing"),
    ],
)
def test_refusals_record_nothing(client: TestClient, fields: dict[str, str], code: str) -> None:
    _add_item(client)
    assert error_of(call(client, {**RECORD, **fields}))[0] == code
    # Nothing recorded: the next entry of the campaign starts from zero (or the demo's 500 points).
    assert _receipt(client, EVENTS)["balance/events"] == "1"
    assert _receipt(client, GIFTCARD, amount="1")["balance/amount"] == "1.00"
    assert _receipt(client, BUYX, service_product="W")["balance/item/balance"] == "1"


def test_an_earned_campaign_accepts_and_ignores_service_product(client: TestClient) -> None:
    """A legacy point-of-sale app sends service_product for earned campaigns, as for buyx ones."""
    plain = _receipt(client, EARNED)
    sent = _receipt(client, EARNED, service_product="96", authorization="Visit")
    assert (plain["add/amount"], sent["add/amount"], sent["balance/amount"]) == ("5.95", "5.95", "11.90")
    listed = transactions(client, EARNED)
    # Not kept: the ledger's service_product is a buyx item's id (docs/ledger.md).
    assert listed[sent["id"]]["service_product"] == "" and listed[sent["id"]]["authorization"] == "Visit"


def test_blank_fields_of_other_types_are_ignored(client: TestClient) -> None:
    assert _receipt(client, EVENTS, amount=" ", service_product="", buyx_quantity="")["balance/events"] == "1"


def test_a_deactivated_campaign_takes_no_entries_until_reactivated(client: TestClient) -> None:
    assert status_of(call(client, {"type": "campaign_deactivate", "campaign_id": EVENTS})) == "success"
    assert error_of(call(client, {**RECORD, "campaign_id": EVENTS})) == (
        "campaign_inactive",
        f"Campaign {EVENTS} is deactivated: it takes no new transactions.",
    )
    assert status_of(call(client, {"type": "campaign_reactivate", "campaign_id": EVENTS})) == "success"
    assert _receipt(client, EVENTS)["balance/events"] == "1"


def test_an_archived_item_can_no_longer_be_sold(client: TestClient) -> None:
    item_id = _add_item(client)
    _receipt(client, BUYX, service_product="W")
    assert (
        status_of(call(client, {"type": "campaign_delete", "action": "item", "campaign_id": BUYX, "item_id": item_id}))
        == "success"
    )
    assert error_of(call(client, {**RECORD, "campaign_id": BUYX, "service_product": item_id}))[0] == "item_not_found"


@pytest.mark.parametrize(
    ("user", "campaign_id", "outcome"),
    [
        (CLERK, EVENTS, "success"),
        (MANAGER, EARNED, "success"),
        (MANAGER, EVENTS, "campaign_not_found"),
        (OTHER_ADMIN, EVENTS, "campaign_not_found"),
    ],
)
def test_every_user_records_in_the_campaigns_they_see(
    client: TestClient, user: User, campaign_id: str, outcome: str
) -> None:
    root = call(client, {**RECORD, "campaign_id": campaign_id}, user)
    assert (status_of(root) if outcome == "success" else error_of(root)[0]) == outcome


def test_the_receipt_in_json_names_the_user_account(client: TestClient) -> None:
    body = call_json(client, {**RECORD, "campaign_id": EVENTS}, CLERK)
    assert body["status"] == "success"
    assert body["receipt"]["account_name"] == "Great Widgets Company"
    assert body["receipt"]["transaction"]["balance"] == {"events": "1"}


# --- transaction custom fields -------------------------------------------------------------------------------------


def test_sent_fields_are_kept_and_shown_after_the_known_elements(client: TestClient) -> None:
    sent = {
        "custom_field_10": "  Table 4 ",
        "custom_field_2": "Ünïcode & <markup>",
        "custom_field_1": "   ",  # blank: no value, not kept
        "custom_field": "the unnumbered customer field",  # not a transaction field: ignored
        "send_transaction_email": "Y",  # accepted; no email is sent
    }
    receipt = call(client, {**RECORD, "campaign_id": POINTS, "amount": "9.95", **sent}, CLERK)
    assert status_of(receipt) == "success", etree.tostring(receipt)
    # The receipt keeps its legacy shape.
    assert b"custom_field" not in etree.tostring(receipt)
    entry_id = str(receipt.findtext("receipt/transaction/id"))
    plain_id = record(client, POINTS, amount="1")

    listed = transactions(client, POINTS)
    assert customs(listed[entry_id]) == {"custom_field_2": "Ünïcode & <markup>", "custom_field_10": "Table 4"}
    assert list(listed[entry_id])[-3:] == ["record_timestamp", "custom_field_2", "custom_field_10"]
    assert customs(listed[plain_id]) == {}

    root = call(client, {"type": "customer_balance", "code": JANE, "campaign_id": POINTS})
    (shown,) = [t for t in root.findall("campaign/customer/transactions/transaction") if t.findtext("id") == entry_id]
    assert [child.tag for child in shown] == [
        "id",
        "date",
        "authorization",
        "service_product",
        "redeemed",
        "amount",
        "campaign",
        "user_name",
        "real",
        "record_timestamp",
        "custom_field_2",
        "custom_field_10",
    ]
    assert shown.findtext("custom_field_2") == "Ünïcode & <markup>"


def test_values_are_checked_as_customers_custom_fields_are(client: TestClient) -> None:
    longest = "x" * 1000
    entry_id = record(client, EVENTS, custom_field_20=longest)
    assert customs(transactions(client, EVENTS)[entry_id]) == {"custom_field_20": longest}

    before = transactions(client, EVENTS)
    too_long = call(client, {**RECORD, "campaign_id": EVENTS, "custom_field_3": "x" * 1001})
    assert error_of(too_long)[0] == "string_parameter_too_long"
    assert "custom_field_3" in error_of(too_long)[1]
    assert transactions(client, EVENTS) == before  # nothing recorded
