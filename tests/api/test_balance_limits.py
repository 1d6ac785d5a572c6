"""A customer's balance and cumulative total in a campaign never pass the store's limit (``MAX_SUM_CENTS``,
90,000,000,000,000.00): the sale or load that would take either past it is refused with ``balance_limit`` and
nothing of it is kept, on both stores; ``db check`` reports a store damaged past the limit (or past 64 bits) instead
of crashing on it."""

from __future__ import annotations

import json
from typing import Final

from click.testing import CliRunner
from starlette.testclient import TestClient

from loyalty_api.cli import cli
from loyalty_api.config import Settings
from loyalty_api.store.interface import MAX_SUM_CENTS
from tests.support.api import call, error_of, status_of
from tests.support.balances import balance_mismatches, run_sql

GIFTCARD: Final = "1234567890123450"
JANE: Final = "8000000000000001"
# The largest amount a request may carry (12 digits before the separator): 99,999,999,999,999 hundredths.
LARGEST: Final = "999999999999.99"
LOADS_TO_THE_LIMIT: Final = MAX_SUM_CENTS // 99_999_999_999_999  # 90


def _load(client: TestClient, amount: str = LARGEST) -> tuple[str, str]:
    root = call(client, {"type": "record_activity", "campaign_id": GIFTCARD, "code": JANE, "amount": amount})
    return (status_of(root), "") if status_of(root) != "error" else error_of(root)


def _balance(client: TestClient) -> tuple[str | None, str | None, int]:
    root = call(client, {"type": "customer_balance", "code": JANE, "campaign_id": GIFTCARD})
    customer = "campaign/customer"
    return (
        root.findtext(f"{customer}/balance"),
        root.findtext(f"{customer}/cumulative"),
        len(root.findall(f"{customer}/transactions/transaction")),
    )


def _fill(client: TestClient) -> None:
    for _ in range(LOADS_TO_THE_LIMIT):
        assert _load(client) == ("success", "")


def test_a_load_past_the_limit_is_refused_and_leaves_nothing(client: TestClient) -> None:
    _fill(client)
    full = _balance(client)
    assert full == ("89999999999999.10", "89999999999999.10", LOADS_TO_THE_LIMIT + 1)
    refused = _load(client)
    assert refused[0] == "balance_limit"
    assert "past 90,000,000,000,000.00" in refused[1]
    assert _balance(client) == full
    # Up to the limit exactly is still fine: 0.90 is left.
    assert _load(client, "0.90") == ("success", "")
    assert _load(client, "0.01")[0] == "balance_limit"
    assert _balance(client)[:2] == ("90000000000000.00", "90000000000000.00")


def test_the_cumulative_total_has_the_same_limit(client: TestClient) -> None:
    _fill(client)
    spend = {"type": "redeem", "campaign_id": GIFTCARD, "code": JANE, "reward_to_redeem": LARGEST}
    for _ in range(LOADS_TO_THE_LIMIT):
        assert status_of(call(client, spend)) == "success"
    emptied = _balance(client)
    assert emptied[:2] == ("0.00", "89999999999999.10")
    assert _load(client)[0] == "balance_limit"  # the balance is 0, but the cumulative total would pass the limit
    assert _balance(client) == emptied


def test_db_check_reports_balances_past_the_limit_or_64_bits(settings: Settings) -> None:
    ((campaign_pk, customer_pk),) = run_sql(
        settings,
        f"SELECT c.pk, u.pk FROM campaigns c, customers u WHERE c.campaign_id = '{GIFTCARD}' AND u.code = '{JANE}'",
    )
    huge = 9_000_000_000_000_000_000  # near 2**63: two of them overflow 64 bits
    run_sql(
        settings,
        *(
            "INSERT INTO ledger (account_pk, campaign_pk, customer_pk, at, user_name, amount_cents)"
            f" SELECT account_pk, pk, {customer_pk}, created_at, 'x', {huge} FROM campaigns WHERE pk = {campaign_pk}"
            for _ in range(2)
        ),
        "INSERT INTO ledger_balances (account_pk, campaign_pk, customer_pk, service_product, balance_cents,"
        f" cumulative_cents) SELECT account_pk, pk, {customer_pk}, '', {huge}, {huge} FROM campaigns"
        f" WHERE pk = {campaign_pk}",
    )
    checked = CliRunner(env={"LOYALTY_DATABASE_URL": settings.database_url}).invoke(cli, ["db", "check"])
    assert checked.exit_code == 1, checked.output
    (found,) = [json.loads(line) for line in checked.stdout.splitlines()]
    assert (found["campaign_pk"], found["customer_pk"], found["service_product"]) == (campaign_pk, customer_pk, "")
    assert found["running"] == {"balance_cents": huge, "cumulative_cents": huge}
    # The ledger's sums, exact where the database keeps numbers wider than 64 bits, the nearest double on SQLite.
    assert abs(found["ledger"]["balance_cents"] - 2 * huge) <= 2 * huge // 10**15
    assert "1 running balance(s) differ from the ledger or are past the limit" in checked.stderr
    assert len(balance_mismatches(settings)) == 1
