"""The running balances (``ledger_balances``, migration 0005) through the calls: every kind of entry keeps its row
equal to the sums of the ledger, and archive and restore keep them equal (docs/ledger.md, "Running balances").
``db upgrade`` from before 0005 and ``db check`` are in ``tests/system/test_cli.py``; concurrent entries in
``tests/system/test_concurrency.py``."""

from __future__ import annotations

from starlette.testclient import TestClient

from loyalty_api.config import Settings
from tests.support.api import call, status_of
from tests.support.balances import JANES_BALANCES, balance_mismatches, fill_ledger, run_sql
from tests.support.cli import restore_campaign, restore_customer
from tests.support.demo import BUYX, JANE, LEGACY, POINTS
from tests.support.ledger import record


def test_every_kind_of_entry_keeps_its_running_balance(client: TestClient, settings: Settings) -> None:
    first, second = fill_ledger(client)
    assert run_sql(settings, JANES_BALANCES) == [
        (POINTS, "", 70000, 100000),  # 1000 + 500 - 500 - 300 - 100 + 100 points; cumulative: the sale kept
        (POINTS, "Activation", 0, 0),
        (BUYX, first, 100, 400),  # 4 purchases, 3 used up by the free item
        (BUYX, second, 200, 200),
        (BUYX, "Activation", 0, 0),
        (LEGACY, "", 50000, 50000),  # the demo's sale, recorded by add_ledger_entry
        (LEGACY, "Activation", 0, 0),
    ]
    assert balance_mismatches(settings) == []
    root = call(client, {"type": "customer_balance", "code": JANE, "campaign_id": POINTS})
    assert (root.findtext("campaign/customer/balance"), root.findtext("campaign/customer/cumulative")) == (
        "700",
        "1000",
    )


def test_archive_and_restore_keep_them_equal(client: TestClient, settings: Settings) -> None:
    fill_ledger(client)
    before = run_sql(settings, JANES_BALANCES)
    assert status_of(call(client, {"type": "campaign_delete", "campaign_id": POINTS})) == "success"
    assert [row[0] for row in run_sql(settings, JANES_BALANCES)] == [BUYX, BUYX, BUYX, LEGACY, LEGACY]
    assert balance_mismatches(settings) == []
    restored = restore_campaign(settings, POINTS)
    assert restored.exit_code == 0, restored.output
    assert run_sql(settings, JANES_BALANCES) == before
    assert balance_mismatches(settings) == []

    assert status_of(call(client, {"type": "customer_delete", "code": JANE})) == "success"
    assert run_sql(settings, JANES_BALANCES) == []
    assert balance_mismatches(settings) == []
    restored = restore_customer(settings, JANE)
    assert restored.exit_code == 0, restored.output
    assert run_sql(settings, JANES_BALANCES) == before
    assert balance_mismatches(settings) == []
    # And they go on from there.
    record(client, POINTS, amount="1")
    assert (POINTS, "", 80000, 110000) in run_sql(settings, JANES_BALANCES)
    assert balance_mismatches(settings) == []
