"""``customer_delete`` to the archive, ``loyalty-api customer restore`` and ``customer history``."""

from __future__ import annotations

from typing import Final

import pytest
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from tests.support.api import call, call_json, error_code, status_of
from tests.support.cli import customer_history, said
from tests.support.cli import restore_customer as restore
from tests.support.customers import customer_fields, info, new
from tests.support.demo import GIFTCARD, POINTS
from tests.support.demo import JANE as LEGACY_CODE
from tests.support.golden import customer_case, customer_golden_tests
from tests.support.ledger import customs, record, transactions
from tests.support.users import ADMIN, CLERK, MANAGER, User

CASES: Final = [
    customer_case("delete", {"type": "customer_delete", "code": LEGACY_CODE}),
    customer_case("delete_denied", {"type": "customer_delete", "code": LEGACY_CODE}, user=CLERK),
    customer_case("delete_not_found", {"type": "customer_delete", "code": "nobody"}),
]


test_answers_match_golden_files, test_no_stray_golden_files = customer_golden_tests("customer_delete", CASES)


def _delete(client: TestClient, code: str, user: User = ADMIN) -> str:
    root = call(client, {"type": "customer_delete", "code": code}, user)
    if root.get("status") != "success":
        return error_code(root)
    customer = root.find("customer")
    assert customer is not None and customer.get("status") == "deleted" and customer.findtext("code") == code
    return "deleted"


def test_delete_answers_the_legacy_shape(client: TestClient) -> None:
    body = call_json(client, {"type": "customer_delete", "code": LEGACY_CODE})
    assert body == {"status": "success", "customer": {"status": "deleted", "code": LEGACY_CODE}}


@pytest.mark.parametrize(("user", "outcome"), [(ADMIN, "deleted"), (MANAGER, "deleted"), (CLERK, "permission_denied")])
def test_rights(client: TestClient, user: User, outcome: str) -> None:
    new(client, code="D1", campaign_id=POINTS)  # a campaign the manager sees
    assert _delete(client, "D1", user) == outcome


def test_a_limited_manager_may_not_delete_a_customer_of_campaigns_it_cannot_see(client: TestClient) -> None:
    """The demo customer belongs to a campaign outside the manager's: deleting would take those transactions."""
    assert _delete(client, LEGACY_CODE, MANAGER) == "permission_denied"
    new(client, code="D2", campaign_id=f"{POINTS},{GIFTCARD}")
    assert _delete(client, "D2", MANAGER) == "permission_denied"
    new(client, code="D3")  # in no campaign at all
    assert _delete(client, "D3", MANAGER) == "deleted"
    assert _delete(client, LEGACY_CODE, ADMIN) == "deleted"


def test_delete_takes_the_customer_and_their_transactions_away(client: TestClient) -> None:
    assert _delete(client, LEGACY_CODE) == "deleted"
    assert error_code(info(client, LEGACY_CODE)) == "customer_not_found"
    assert call(client, {"type": "customer_search"}).get("status") == "no_match"
    assert _delete(client, LEGACY_CODE) == "customer_not_found"
    assert error_code(call(client, {"type": "customer_delete"})) == "parameter_missing"
    # The code is free again.
    assert new(client, code=LEGACY_CODE).get("status") == "success"


def test_restore_brings_everything_back(client: TestClient, settings: Settings) -> None:
    before = info(client, LEGACY_CODE)
    assert _delete(client, LEGACY_CODE) == "deleted"
    result = restore(settings, LEGACY_CODE)
    assert result.exit_code == 0, result.output
    assert said(result).strip() == "restored with 2 transactions"
    assert '"code": "8000000000000001"' in result.stdout
    after = info(client, LEGACY_CODE)
    assert customer_fields(after) == customer_fields(before)
    assert [c.findtext("balance") for c in after.findall("campaigns/campaign")] == ["500"]
    records = customer_history(settings, LEGACY_CODE)
    assert [(r["action"], r["user_id"]) for r in records] == [("delete", ADMIN[1]), ("restore", "ops-alice")]
    assert {"field": "transactions", "old": "2", "new": None} in records[0]["changes"]
    assert {"field": "first_name", "old": None, "new": "Jane"} in records[1]["changes"]


def test_restore_errors(client: TestClient, settings: Settings) -> None:
    result = restore(settings, "nobody")
    assert result.exit_code != 0 and "no deleted customer 'nobody'" in result.stderr
    assert restore(settings, LEGACY_CODE, by=" ").exit_code != 0
    new(client, code="R1", card_number="CARD-R1", campaign_id=POINTS)
    assert _delete(client, "R1") == "deleted"
    new(client, code="R2", card_number="CARD-R1")  # takes the card number meanwhile
    result = restore(settings, "R1")
    assert result.exit_code != 0 and "card_number is in use" in result.stderr
    call(client, {"type": "record_customer", "customer_action": "edit", "code": "R2", "card_number": ""})
    assert restore(settings, "R1").exit_code == 0
    assert customer_fields(info(client, "R1"))["card_number"] == "CARD-R1"


def test_restore_refuses_transactions_of_a_campaign_gone_meanwhile(client: TestClient, settings: Settings) -> None:
    new(client, code="G1", campaign_id=GIFTCARD)
    assert _delete(client, "G1") == "deleted"
    root = call(client, {"type": "campaign_delete", "campaign_id": GIFTCARD})
    assert root.get("status") == "success"
    result = restore(settings, "G1")
    assert result.exit_code != 0 and "1 of their transactions belong to campaigns no longer" in result.stderr


def test_restore_twice_and_a_whole_life_in_the_history(client: TestClient, settings: Settings) -> None:
    new(client, CLERK, code="W1", first_name="Wes", campaign_id=POINTS)
    call(client, {"type": "record_customer", "customer_action": "edit", "code": "W1", "first_name": "Wesley"})
    assert _delete(client, "W1") == "deleted"
    assert restore(settings, "W1").exit_code == 0
    assert restore(settings, "W1").exit_code != 0  # nothing left in the archive
    assert _delete(client, "W1") == "deleted"
    assert restore(settings, "W1", by="ops-bob").exit_code == 0
    records = customer_history(settings, "W1")
    assert [r["action"] for r in records] == ["create", "enrol", "update", "delete", "restore", "delete", "restore"]
    assert records[-1]["user_id"] == "ops-bob"
    assert set(records[0]) == {"id", "at", "account_id", "user_id", "entity", "entity_id", "action", "changes"}


def test_a_restored_customer_brings_their_transactions_custom_fields_back(
    client: TestClient, settings: Settings
) -> None:
    entry_id = record(client, POINTS, amount="3", custom_field_11="customer archive")
    before = transactions(client, POINTS)
    assert status_of(call(client, {"type": "customer_delete", "code": LEGACY_CODE})) == "success"
    result = restore(settings, LEGACY_CODE)
    assert result.exit_code == 0, result.output
    after = transactions(client, POINTS)
    assert after == before
    assert customs(after[entry_id]) == {"custom_field_11": "customer archive"}
