"""``record_activity`` with ``promo_id``: what a promotion adds to a points sale, the receipt's ``promo``, the
refusals (one error per case), and a reversal taking back exactly what was given, on both stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

import pytest
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from tests.support.api import call, call_json, error_of, status_of
from tests.support.cli import run_cli
from tests.support.demo import GIFTCARD, JANE, LEGACY, OTHERCO_POINTS, POINTS
from tests.support.golden import GoldenCase, golden_tests, without_stamps
from tests.support.users import ADMIN, CLERK, OTHER_ADMIN, User

RECORD: Final = {"type": "record_activity", "code": JANE, "campaign_id": POINTS}
NEW_PROMO: Final = {"type": "campaign_new", "action": "promo", "campaign_id": POINTS}


def _promo(
    client: TestClient, operation: str, amount: str, campaign_id: str = POINTS, user: User = ADMIN, **fields: str
) -> str:
    data = {**NEW_PROMO, "campaign_id": campaign_id, "promo_operation": operation, "promo_amount": amount}
    root = call(client, {**data, "promo_description": f"{operation}{amount}", **fields}, user)
    assert status_of(root) == "success", root.findtext("error")
    return str(root.findtext("campaign/promo/id"))


def _sale(client: TestClient, amount: str, promo_id: str | None = None, user: User = ADMIN) -> dict[str, str]:
    """The receipt's transaction as {path: text} (``recorded/points``, ``promo/points``, ``balance/points``)."""
    extra = {} if promo_id is None else {"promo_id": promo_id}
    root = call(client, {**RECORD, "amount": amount, **extra}, user)
    assert status_of(root) == "success", root.findtext("error")
    transaction = root.find("receipt/transaction")
    assert transaction is not None
    return {
        f"{child.tag}/{leaf.tag}" if len(child) else child.tag: (leaf.text or "")
        for child in transaction
        for leaf in (child if len(child) else [child])
    }


def _balance(client: TestClient) -> str:
    root = call(client, {"type": "customer_balance", "code": JANE, "campaign_id": POINTS})
    if status_of(root) != "success":
        return "not enrolled"
    return str(root.findtext("campaign/customer/balance"))


def _prepare_golden(client: TestClient, case: GoldenCase) -> None:
    _promo(client, "x", "2")


GOLDEN: Final = [
    GoldenCase("promo_points", {**RECORD, "amount": "1.50", "promo_id": "1"}, changes_state=True),
    GoldenCase("error_promo_unknown", {**RECORD, "amount": "1", "promo_id": "99"}, changes_state=True),
]
test_answers_match_golden_files, test_no_stray_golden_files = golden_tests(
    "ledger/record_promotions", GOLDEN, without_stamps, prepare=_prepare_golden
)


@pytest.mark.parametrize(
    ("operation", "amount", "sale", "recorded", "added"),
    [
        ("x", "2", "1.50", "300", "150"),  # 1.50 x ratio 100 = 150 points, doubled
        ("x", "1.25", "0.01", "1.25", "0.25"),
        ("x", "0.5", "0.03", "1.5", "-1.5"),  # a multiplier under 1 gives less
        ("x", "1.3333", "0.01", "1.33", "0.33"),  # rounded down to the hundredth, as sales are
        ("+", "50", "1.50", "200", "50"),
        ("+", "0.25", "1", "100.25", "0.25"),
        ("+", "-50", "1.50", "100", "-50"),
        ("+", "-500", "1.50", "0", "-150"),  # never below zero: the promotion takes at most the sale's points
    ],
)
def test_what_a_promotion_adds(
    client: TestClient, operation: str, amount: str, sale: str, recorded: str, added: str
) -> None:
    promo_id = _promo(client, operation, amount)
    receipt = _sale(client, sale, promo_id)
    assert (receipt["recorded/points"], receipt["promo/id"], receipt["promo/points"]) == (recorded, promo_id, added)
    assert receipt["promo/description"] == f"{operation}{amount}"
    assert receipt["balance/points"] == recorded
    assert _balance(client) == recorded


def test_the_promo_element_follows_recorded_and_only_with_a_promotion(client: TestClient) -> None:
    promo_id = _promo(client, "x", "2")
    root = call(client, {**RECORD, "amount": "1", "promo_id": promo_id})
    assert [child.tag for child in root.find("receipt/transaction")] == [  # type: ignore[union-attr]
        "id",
        "date",
        "purchase",
        "recorded",
        "promo",
        "balance",
        "cumulative_balance",
        "coalition_cumulative_balance",
    ]
    assert "promo/id" not in _sale(client, "1")
    body = call_json(client, {**RECORD, "amount": "1", "promo_id": promo_id})
    assert body["receipt"]["transaction"]["promo"] == {"id": promo_id, "description": "x2", "points": "100"}


def test_a_clerk_may_record_with_a_promotion(client: TestClient) -> None:
    promo_id = _promo(client, "+", "10")
    assert _sale(client, "1", promo_id, CLERK)["recorded/points"] == "110"


def _refused(client: TestClient, promo_id: str, user: User = ADMIN, **fields: str) -> tuple[str, str]:
    before = _balance(client)
    root = call(client, {**RECORD, "amount": "1", "promo_id": promo_id, **fields}, user)
    assert _balance(client) == before  # nothing recorded
    return error_of(root)


def test_an_unknown_promotion_is_refused(client: TestClient) -> None:
    for promo_id in ("99", "abc", "0", "-1", "1" * 40):
        assert _refused(client, promo_id)[0] == "promotion_not_found"
    assert _refused(client, "99") == (
        "promotion_not_found",
        f"No promotion 99 in campaign {POINTS} (promo_id is the promotion's <id> from campaign_promos).",
    )


def test_another_accounts_promotion_is_unknown(client: TestClient) -> None:
    theirs = _promo(client, "x", "2", OTHERCO_POINTS, OTHER_ADMIN)
    assert _refused(client, theirs)[0] == "promotion_not_found"


def test_a_deleted_promotion_is_refused(client: TestClient) -> None:
    promo_id = _promo(client, "x", "2")
    call(client, {"type": "campaign_delete", "action": "promo", "campaign_id": POINTS, "promo_id": promo_id})
    assert _refused(client, promo_id) == (
        "promotion_deleted",
        f"The promotion {promo_id} was deleted; it applies to no new sale.",
    )


def test_a_promotion_of_another_campaign_is_refused(client: TestClient) -> None:
    promo_id = _promo(client, "x", "2", LEGACY)
    assert _refused(client, promo_id) == (
        "promotion_wrong_campaign",
        f"The promotion {promo_id} belongs to another campaign than {POINTS}.",
    )


def test_a_promotion_outside_its_dates_is_refused(client: TestClient) -> None:
    later = _promo(client, "x", "2", promo_start_date="2999-01-01")
    assert _refused(client, later) == (
        "promotion_not_active",
        f"The promotion {later} starts at 2999-01-01 00:00:00.",
    )
    over = _promo(client, "x", "2", promo_end_date="2000-01-01")
    assert _refused(client, over) == ("promotion_not_active", f"The promotion {over} ended at 2000-01-01 23:59:59.")
    now = _promo(client, "x", "2", promo_start_date="2000-01-01", promo_end_date="2999-12-31")
    assert _sale(client, "1", now)["recorded/points"] == "200"


def test_promo_id_belongs_to_points_campaigns(client: TestClient) -> None:
    promo_id = _promo(client, "x", "2")
    root = call(client, {**RECORD, "campaign_id": GIFTCARD, "amount": "1", "promo_id": promo_id})
    assert error_of(root)[0] == "parameter_mismatch"


def test_the_window_is_the_accounts_wall_clock(client: TestClient, settings: Settings) -> None:
    # Two hours from now in UTC has not come yet; in Kiritimati (UTC+14) it is long past.
    soon = (datetime.now(UTC) + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S")
    run_cli(settings, "account", "set", "greatwidgets", "--timezone", "Pacific/Kiritimati")  # before any login
    promo_id = _promo(client, "x", "2", promo_end_date=soon)
    code, message = _refused(client, promo_id)
    assert (code, message) == ("promotion_not_active", f"The promotion {promo_id} ended at {soon}.")


def test_in_utc_the_same_window_is_open(client: TestClient) -> None:
    soon = (datetime.now(UTC) + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S")
    promo_id = _promo(client, "x", "2", promo_end_date=soon)
    assert _sale(client, "1", promo_id)["recorded/points"] == "200"


def test_a_reversal_takes_back_exactly_what_was_given(client: TestClient) -> None:
    assert _sale(client, "1")["balance/points"] == "100"
    promo_id = _promo(client, "x", "3")
    receipt = _sale(client, "2", promo_id)
    assert (receipt["recorded/points"], receipt["balance/points"]) == ("600", "700")
    delete = {"type": "transaction_delete", "code": JANE, "campaign_id": POINTS, "transaction_id": receipt["id"]}
    assert status_of(call(client, delete)) == "success"
    assert _balance(client) == "100"


def test_a_negative_promotion_is_reversed_exactly_too(client: TestClient) -> None:
    _sale(client, "5")
    promo_id = _promo(client, "+", "-30")
    receipt = _sale(client, "1", promo_id)
    assert (receipt["recorded/points"], receipt["balance/points"]) == ("70", "570")
    delete = {"type": "transaction_delete", "code": JANE, "campaign_id": POINTS, "transaction_id": receipt["id"]}
    assert status_of(call(client, delete)) == "success"
    assert _balance(client) == "500"


def test_deleting_a_promotion_keeps_its_sales_as_they_were(client: TestClient) -> None:
    promo_id = _promo(client, "x", "2")
    receipt = _sale(client, "1", promo_id)
    call(client, {"type": "campaign_delete", "action": "promo", "campaign_id": POINTS, "promo_id": promo_id})
    assert _balance(client) == "200"
    root = call(client, {"type": "customer_balance", "code": JANE, "campaign_id": POINTS})
    amounts = {
        t.findtext("id"): t.findtext("amount") for t in root.findall("campaign/customer/transactions/transaction")
    }
    assert amounts[receipt["id"]] == "200"
    # And its sale can still be reversed, exactly.
    delete = {"type": "transaction_delete", "code": JANE, "campaign_id": POINTS, "transaction_id": receipt["id"]}
    assert status_of(call(client, delete)) == "success"
    assert _balance(client) == "0"


def test_a_sale_with_a_promotion_honours_an_idempotency_key(client: TestClient) -> None:
    promo_id = _promo(client, "x", "2")
    data = {**RECORD, "amount": "1", "promo_id": promo_id, "idempotency_key": "promo-sale-1"}
    first = call(client, data)
    second = call(client, data)
    assert first.findtext("receipt/transaction/id") == second.findtext("receipt/transaction/id")
    assert _balance(client) == "200"
