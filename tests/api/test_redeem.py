"""``redeem``: taking value from a balance in each campaign type, never below zero, with its transaction custom
fields.  (Simultaneous redemptions: ``tests/system/test_concurrency.py``.)"""

from __future__ import annotations

from typing import Final

import pytest
from lxml import etree
from starlette.testclient import TestClient

from tests.support.api import call, error_of, status_of
from tests.support.demo import BUYX, EARNED, EVENTS, GIFTCARD, JANE, LEGACY, POINTS
from tests.support.golden import GoldenCase, golden_tests, without_stamps
from tests.support.ledger import customs, record, transactions
from tests.support.users import ADMIN, CLERK, MANAGER, User

REDEEM: Final = {"type": "redeem", "code": JANE}
GOLDEN_DIR: Final = "ledger/redeem"


def _case(name: str, **fields: str) -> GoldenCase:
    """A golden case of redeem for Jane, in XML only if it succeeds (it would redeem again), both forms if not."""
    success = not name.startswith(("insufficient", "currency", "two"))
    return GoldenCase(name, {**REDEEM, **fields}, forms=("xml",) if success else ("xml", "json"))


CASES: Final = [
    _case("points_by_points", campaign_id=LEGACY, custom_points_redeem="120,5", authorization="Mug"),
    _case("points_by_reward", campaign_id=LEGACY, reward_to_redeem="1"),
    _case("giftcard", campaign_id=GIFTCARD, reward_to_redeem="2.50"),
    _case("buyx", campaign_id=BUYX, reward_to_redeem="W"),
    _case("insufficient", campaign_id=LEGACY, custom_points_redeem="500.01"),
    _case("currency_off", campaign_id=LEGACY, custom_dollars_redeem="1"),
    _case("two_fields", campaign_id=LEGACY, custom_points_redeem="1", reward_to_redeem="1"),
]


def _redeem(client: TestClient, campaign_id: str, user: User = ADMIN, **fields: str) -> etree._Element:
    return call(client, {**REDEEM, "campaign_id": campaign_id, **fields}, user)


def _balance(client: TestClient, campaign_id: str) -> str:
    root = call(client, {"type": "customer_balance", "code": JANE, "campaign_id": campaign_id})
    return str(root.findtext("campaign/customer/balance"))


def _new(client: TestClient, action: str, campaign_id: str, level: str, **fields: str) -> str:
    data = {"type": "campaign_new", "action": action, "campaign_id": campaign_id, "reward_level": level, **fields}
    root = call(client, data)
    return str(root.findtext(f"campaign/{action}/id"))


def _prepare_golden(client: TestClient, _case: GoldenCase) -> None:
    assert _new(client, "reward", LEGACY, "300", reward_description="Free Widget") == "1"
    assert _new(client, "item", BUYX, "3", item_description="Widget", item_identifier="W") == "2"
    record(client, GIFTCARD, amount="10")
    record(client, BUYX, service_product="W", buyx_quantity="4")


def _nothing_taken(client: TestClient, case: GoldenCase) -> None:
    if case.name == "insufficient":
        assert _balance(client, LEGACY) == "500"


test_answers_match_golden_files, test_no_stray_golden_files = golden_tests(
    GOLDEN_DIR, CASES, without_stamps, prepare=_prepare_golden, then=_nothing_taken
)


def test_money_value_redemption_rounds_the_points_up(client: TestClient) -> None:
    record(client, POINTS, amount="100")  # 10000 points
    # 0.01 x 18 x 100 = 18 points; with points_ratio 0.3333: 0.01 x 18 x 0.3333 = 0.059994 -> 0.06
    root = _redeem(client, POINTS, custom_dollars_redeem="0.01")
    assert root.findtext("receipt/transaction/deduct/points") == "-18"
    update = {"type": "campaign_update", "action": "campaign", "campaign_id": POINTS, "new_points_ratio": "0.3333"}
    assert status_of(call(client, update)) == "updated"
    root = _redeem(client, POINTS, custom_dollars_redeem="0.01")
    assert root.findtext("receipt/transaction/deduct/points") == "-0.06"
    assert root.findtext("receipt/transaction/balance/points") == "9981.94"
    assert root.findtext("receipt/transaction/cumulative_balance/points") == "10000"


def test_every_type_redeems_down_to_exactly_zero(client: TestClient) -> None:
    record(client, GIFTCARD, amount="5")
    assert _redeem(client, GIFTCARD, reward_to_redeem="5").findtext("receipt/transaction/balance/amount") == "0.00"
    record(client, EARNED)
    root = _redeem(client, EARNED, reward_to_redeem="5,95")
    assert root.findtext("receipt/transaction/deduct/amount") == "-5.95"
    assert root.findtext("receipt/transaction/balance/amount") == "0.00"
    reward = _new(client, "reward", EVENTS, "2", reward_description="Free coffee")
    record(client, EVENTS)
    assert error_of(_redeem(client, EVENTS, reward_to_redeem=reward)) == (
        "insufficient_balance",
        "The balance is 1; 2 cannot be taken from it.",
    )
    record(client, EVENTS)
    root = _redeem(client, EVENTS, reward_to_redeem=reward)
    assert (
        root.findtext("receipt/transaction/deduct/events"),
        root.findtext("receipt/transaction/balance/events"),
    ) == (
        "-2",
        "0",
    )
    assert root.findtext("receipt/transaction/deduct/description") == "Free coffee"
    assert error_of(_redeem(client, EVENTS, reward_to_redeem=reward))[0] == "insufficient_balance"


def test_buyx_balances_are_per_item(client: TestClient) -> None:
    first = _new(client, "item", BUYX, "2", item_description="A", item_identifier="A")
    _new(client, "item", BUYX, "2", item_description="B", item_identifier="B")
    record(client, BUYX, service_product="A", buyx_quantity="3")
    record(client, BUYX, service_product="B", buyx_quantity="1")
    assert error_of(_redeem(client, BUYX, reward_to_redeem="B"))[0] == "insufficient_balance"
    root = _redeem(client, BUYX, reward_to_redeem=first)
    assert root.findtext("receipt/transaction/deduct/item/amount") == "-2"
    assert root.findtext("receipt/transaction/balance/item/balance") == "1"


@pytest.mark.parametrize(
    ("campaign_id", "fields", "code"),
    [
        (LEGACY, {}, "parameter_missing"),
        (LEGACY, {"custom_points_redeem": "0"}, "parameter_invalid"),
        (LEGACY, {"custom_points_redeem": "1.001"}, "parameter_invalid"),
        (LEGACY, {"reward_to_redeem": "99"}, "reward_not_found"),
        (GIFTCARD, {"custom_points_redeem": "1"}, "parameter_mismatch"),
        (GIFTCARD, {"reward_to_redeem": "abc"}, "parameter_invalid"),
        (BUYX, {"reward_to_redeem": "nope"}, "item_not_found"),
        (EVENTS, {"reward_to_redeem": "1"}, "reward_not_found"),
        (LEGACY, {"custom_points_redeem": "1", "code": "nobody"}, "customer_not_found"),
        (EVENTS, {"reward_to_redeem": "1", "code": ""}, "parameter_missing"),
    ],
)
def test_refusals_take_nothing(client: TestClient, campaign_id: str, fields: dict[str, str], code: str) -> None:
    assert error_of(call(client, {**REDEEM, "campaign_id": campaign_id, **fields}))[0] == code
    assert _balance(client, LEGACY) == "500"


def test_a_deactivated_campaign_refuses_redemptions(client: TestClient) -> None:
    assert status_of(call(client, {"type": "campaign_deactivate", "campaign_id": LEGACY})) == "success"
    assert error_of(_redeem(client, LEGACY, custom_points_redeem="1"))[0] == "campaign_inactive"


def test_every_user_may_redeem_in_the_campaigns_they_see(client: TestClient) -> None:
    assert status_of(_redeem(client, LEGACY, CLERK, custom_points_redeem="1")) == "success"
    assert error_of(_redeem(client, LEGACY, MANAGER, custom_points_redeem="1"))[0] == "campaign_not_found"
    assert _balance(client, LEGACY) == "499"


# --- transaction custom fields -------------------------------------------------------------------------------------


def test_custom_fields_are_kept_and_a_deletion_hides_the_pair(client: TestClient) -> None:
    sale = record(client, POINTS, amount="10", custom_field_1="sale")
    root = call(
        client,
        {
            "type": "redeem",
            "code": JANE,
            "campaign_id": POINTS,
            "custom_points_redeem": "100",
            "custom_field_5": "voucher 17",
        },
    )
    assert status_of(root) == "success", etree.tostring(root)
    assert b"custom_field" not in etree.tostring(root)
    redemption = str(root.findtext("receipt/transaction/id"))
    too_long = {"type": "redeem", "code": JANE, "campaign_id": POINTS, "custom_points_redeem": "1"}
    assert error_of(call(client, {**too_long, "custom_field_5": "y" * 1001}))[0] == "string_parameter_too_long"

    listed = transactions(client, POINTS)
    assert customs(listed[redemption]) == {"custom_field_5": "voucher 17"}
    assert listed[redemption]["redeemed"] == "Y"
    assert customs(listed[sale]) == {"custom_field_1": "sale"}

    deleted = call(
        client, {"type": "transaction_delete", "code": JANE, "campaign_id": POINTS, "transaction_id": redemption}
    )
    assert status_of(deleted) == "success", etree.tostring(deleted)
    listed = transactions(client, POINTS)
    assert redemption not in listed
    assert customs(listed[sale]) == {"custom_field_1": "sale"}
