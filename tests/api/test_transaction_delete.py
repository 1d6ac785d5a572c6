"""``transaction_delete``: a reversing entry, never a removal; the balance goes back and never below zero."""

from __future__ import annotations

from typing import Final

import pytest
from starlette.testclient import TestClient

from tests.support.api import call, error_of, status_of
from tests.support.demo import BUYX, EARNED, GIFTCARD, JANE, LEGACY  # the manager may see EARNED, not LEGACY
from tests.support.ledger import record
from tests.support.users import ADMIN, CLERK, MANAGER, User

DELETE: Final = {"type": "transaction_delete", "code": JANE}


def _customer(client: TestClient, campaign_id: str) -> dict[str, object]:
    root = call(client, {"type": "customer_balance", "code": JANE, "campaign_id": campaign_id})
    assert status_of(root) == "success", root.findtext("error")
    return {
        "balance": root.findtext("campaign/customer/balance"),
        "cumulative": root.findtext("campaign/customer/cumulative"),
        "ids": [t.findtext("id") for t in root.findall("campaign/customer/transactions/transaction")],
    }


def _delete(client: TestClient, campaign_id: str, entry_id: str, user: User = ADMIN) -> str:
    root = call(client, {**DELETE, "campaign_id": campaign_id, "transaction_id": entry_id}, user)
    if status_of(root) == "success":
        node = root.find("transaction")
        assert node is not None and node.get("status") == "deleted"
        assert node.findtext("id") == entry_id
        return "success"
    return error_of(root)[0]


def test_delete_reverses_the_entry_and_hides_the_pair(client: TestClient) -> None:
    first = record(client, GIFTCARD, amount="10")
    second = record(client, GIFTCARD, amount="2.5")
    assert _delete(client, GIFTCARD, first) == "success"
    after = _customer(client, GIFTCARD)
    assert after["balance"] == after["cumulative"] == "2.50"
    assert first not in after["ids"]  # type: ignore[operator]
    assert second in after["ids"]  # type: ignore[operator]
    assert len(after["ids"]) == 2  # type: ignore[arg-type]  # the purchase left and the enrolment
    # Deleting it twice, or deleting the reversal (the next id) or the enrolment entry: not found.
    assert _delete(client, GIFTCARD, first) == "transaction_not_found"
    assert _delete(client, GIFTCARD, str(int(second) + 1)) == "transaction_not_found"
    assert _delete(client, GIFTCARD, str(int(first) - 1)) == "transaction_not_found"


def test_deleting_a_redemption_gives_the_value_back(client: TestClient) -> None:
    root = call(client, {"type": "redeem", "code": JANE, "campaign_id": LEGACY, "custom_points_redeem": "200"})
    redemption = str(root.findtext("receipt/transaction/id"))
    assert _customer(client, LEGACY)["balance"] == "300"
    assert _delete(client, LEGACY, redemption) == "success"
    assert _customer(client, LEGACY) == {"balance": "500", "cumulative": "500", "ids": ["2", "1"]}


def test_a_reversal_never_takes_the_balance_below_zero(client: TestClient) -> None:
    root = call(client, {"type": "redeem", "code": JANE, "campaign_id": LEGACY, "custom_points_redeem": "400"})
    assert status_of(root) == "success"
    assert _delete(client, LEGACY, "2") == "insufficient_balance"  # the 500-point purchase, 100 left
    assert _customer(client, LEGACY)["balance"] == "100"


def test_buyx_reversals_count_per_item(client: TestClient) -> None:
    item = {"type": "campaign_new", "action": "item", "campaign_id": BUYX, "reward_level": "5"}
    assert status_of(call(client, {**item, "item_description": "A", "item_identifier": "A"})) == "success"
    sale = record(client, BUYX, service_product="A", buyx_quantity="3")
    assert _delete(client, BUYX, sale) == "success"
    root = call(client, {"type": "customer_balance", "code": JANE, "campaign_id": BUYX})
    assert root.findtext("campaign/customer/items/item/balance") == "0"


@pytest.mark.parametrize("entry_id", ["", "abc", "99", "-1", "1" * 30])
def test_unknown_ids(client: TestClient, entry_id: str) -> None:
    expected = "parameter_missing" if entry_id == "" else "transaction_not_found"
    assert _delete(client, LEGACY, entry_id) == expected


def test_an_entry_of_another_campaign_is_not_found(client: TestClient) -> None:
    sale = record(client, GIFTCARD, amount="1")
    assert _delete(client, LEGACY, sale) == "transaction_not_found"
    assert _customer(client, GIFTCARD)["balance"] == "1.00"


@pytest.mark.parametrize(("user", "outcome"), [(ADMIN, "success"), (MANAGER, "success"), (CLERK, "permission_denied")])
def test_administrators_and_managers_delete(client: TestClient, user: User, outcome: str) -> None:
    sale = record(client, EARNED)
    assert _delete(client, EARNED, sale, user) == outcome
    assert _delete(client, LEGACY, "2", MANAGER) == "campaign_not_found"


def test_customer_info_and_balance_agree_after_a_reversal(client: TestClient) -> None:
    """customer_info's cumulative follows the ledger's rule too: a reversed entry no longer counts."""
    first = record(client, GIFTCARD, amount="10")
    record(client, GIFTCARD, amount="2.5")
    assert _delete(client, GIFTCARD, first) == "success"
    info = call(client, {"type": "customer_info", "code": JANE, "campaign_id": GIFTCARD})
    assert status_of(info) == "success", info.findtext("error")
    campaign = info.find("campaigns/campaign")
    assert campaign is not None
    balance = _customer(client, GIFTCARD)
    assert float(str(campaign.findtext("cumulative"))) == float(str(balance["cumulative"])) == 2.5
    assert float(str(campaign.findtext("balance"))) == float(str(balance["balance"])) == 2.5
