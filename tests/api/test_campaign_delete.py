"""``campaign_delete`` and the operator's ``campaign restore``: rights, what a deletion takes away from the API,
the archive that gives everything back, and the audit trail of a campaign's whole life."""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Final

import pytest
from lxml import etree
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from loyalty_api.store.sqlite.store import sqlite_path
from tests.support.api import call, error_of, outcome, status_of, warnings_of
from tests.support.campaigns import add_reward, listed, update
from tests.support.cli import history, restore_campaign, run_cli, said, show
from tests.support.demo import EARNED, EVENTS, GIFTCARD, JANE, LEGACY, POINTS  # the manager may see POINTS, not EVENTS
from tests.support.golden import GoldenCase, golden_tests
from tests.support.ledger import customs, record, transactions
from tests.support.users import ADMIN, CLERK, MANAGER, OTHER_ADMIN, User

UNKNOWN: Final = "0000000000000000"
DEACTIVATE: Final = {"type": "campaign_deactivate"}
REACTIVATE: Final = {"type": "campaign_reactivate"}
DELETE: Final = {"type": "campaign_delete", "action": "campaign"}
GOLDEN_DIR: Final = "campaigns/campaign_lifecycle"  # with campaign_deactivate's files, the ones not named delete_*

CASES: Final = [
    GoldenCase("delete_success", {**DELETE, "campaign_id": LEGACY}, changes_state=True),
    GoldenCase("delete_without_action", {"type": "campaign_delete", "campaign_id": LEGACY}, changes_state=True),
    GoldenCase("delete_unknown_action", {**DELETE, "action": "coupon", "campaign_id": LEGACY}),
    GoldenCase("delete_unknown", {**DELETE, "campaign_id": UNKNOWN}),
    GoldenCase("delete_manager_denied", {**DELETE, "campaign_id": POINTS}, MANAGER),
    GoldenCase("delete_manager_not_allowed", {**DELETE, "campaign_id": EVENTS}, MANAGER),
    GoldenCase("delete_clerk_denied", {**DELETE, "campaign_id": POINTS}, CLERK),
    GoldenCase("delete_other_account", {**DELETE, "campaign_id": POINTS}, OTHER_ADMIN),
]


test_answers_match_golden_files, test_no_stray_golden_files = golden_tests(
    GOLDEN_DIR, CASES, owns=lambda name: name.startswith("delete_")
)


def _restore(settings: Settings, campaign_id: str, by: str = "ops-alice") -> tuple[int, str, str]:
    result = restore_campaign(settings, campaign_id, by)
    return result.exit_code, result.stdout, said(result)


def _rewards_doc(client: TestClient, campaign_id: str) -> bytes:
    return etree.tostring(call(client, {"type": "campaign_rewards", "campaign_id": campaign_id}))


def _rows(settings: Settings, campaign_id: str) -> dict[str, list[Any]]:
    """Every stored row of the campaign, its rewards and its ledger entries (SQLite only)."""
    with sqlite3.connect(sqlite_path(settings.database_url)) as conn:
        (pk,) = conn.execute("SELECT pk FROM campaigns WHERE campaign_id = ?", (campaign_id,)).fetchone()
        return {
            "campaign": conn.execute("SELECT * FROM campaigns WHERE pk = ?", (pk,)).fetchall(),
            "rewards": conn.execute("SELECT * FROM rewards WHERE campaign_pk = ? ORDER BY pk", (pk,)).fetchall(),
            "ledger": conn.execute("SELECT * FROM ledger WHERE campaign_pk = ? ORDER BY pk", (pk,)).fetchall(),
        }


@pytest.mark.parametrize(
    ("user", "campaign_id", "deletion"),
    [
        (ADMIN, POINTS, "success"),
        (ADMIN, EVENTS, "success"),
        (MANAGER, POINTS, "permission_denied"),
        (MANAGER, EVENTS, "campaign_not_found"),
        (CLERK, POINTS, "permission_denied"),
        (OTHER_ADMIN, POINTS, "campaign_not_found"),
    ],
)
def test_rights(client: TestClient, user: User, campaign_id: str, deletion: str) -> None:
    root = call(client, {**DELETE, "campaign_id": campaign_id}, user)
    assert outcome(root) == deletion
    if deletion == "campaign_not_found":
        # Exactly the answer for a campaign that does not exist.
        missing = error_of(call(client, {**DELETE, "campaign_id": UNKNOWN}, user))[1]
        assert error_of(root)[1] == missing.replace(UNKNOWN, campaign_id)


def test_delete_takes_the_campaign_away_from_the_api(client: TestClient, settings: Settings) -> None:
    add_reward(client, LEGACY, "500", "Free Widget")
    root = call(client, {"type": "campaign_delete", "campaign_id": LEGACY})
    assert (root.find("campaign").get("status"), root.findtext("campaign/id")) == ("deleted", LEGACY)  # type: ignore[union-attr]
    assert LEGACY not in listed(client)
    assert LEGACY not in listed(client, "campaigns_inactive_list")
    for data in (
        {"type": "campaign_rewards", "campaign_id": LEGACY},
        {"type": "campaign_update", "action": "campaign", "campaign_id": LEGACY, "new_campaign_name": "Back?"},
        {"type": "campaign_deactivate", "campaign_id": LEGACY},
        {**DELETE, "campaign_id": LEGACY},
    ):
        assert error_of(call(client, data)) == ("campaign_not_found", f"No campaign {LEGACY} in this account.")
    (record,) = [r for r in history(settings, LEGACY) if r["action"] == "delete"]
    assert (record["entity"], record["user_id"]) == ("campaign", "john1970")
    assert record["changes"] == [
        {"field": "type", "old": "points", "new": None},
        {"field": "name", "old": "Legacy Points", "new": None},
        {"field": "points_ratio", "old": "50", "new": None},
        {"field": "coalition_opt_out", "old": False, "new": None},
        {"field": "two_tier_opt_out", "old": False, "new": None},
        {"field": "active", "old": True, "new": None},
        {"field": "rewards", "old": "1", "new": None},
        {"field": "transactions", "old": "2", "new": None},
    ]


def test_delete_then_restore_gives_everything_back(client: TestClient, settings: Settings, backend: str) -> None:
    kept = [add_reward(client, LEGACY, "500", "Free Widget"), add_reward(client, LEGACY, "900", "Free Gadget")]
    dropped = add_reward(client, LEGACY, "700", "Dropped")
    call(client, {"type": "campaign_delete", "action": "reward", "campaign_id": LEGACY, "reward_id": dropped})
    update(client, LEGACY, {"description": "Our oldest"})
    call(client, {**DEACTIVATE, "campaign_id": LEGACY})
    stored = show(settings, LEGACY)
    rewards = _rewards_doc(client, LEGACY)
    rows = _rows(settings, LEGACY) if backend == "sqlite" else None

    assert status_of(call(client, {**DELETE, "campaign_id": LEGACY})) == "success"
    code, out, err = _restore(settings, LEGACY)
    assert code == 0, err
    assert json.loads(out) == stored
    assert err.strip() == "restored with 2 rewards and 2 transactions"

    assert show(settings, LEGACY) == stored
    assert _rewards_doc(client, LEGACY) == rewards
    assert [
        r.findtext("id")
        for r in call(client, {"type": "campaign_rewards", "campaign_id": LEGACY}).findall("rewards/reward")
    ] == kept
    assert listed(client, "campaigns_inactive_list") == [LEGACY]
    if rows is not None:
        assert _rows(settings, LEGACY) == rows
    # Its transactions are back: the opt-outs are frozen again.
    root = update(client, LEGACY, {"coalition_opt_out": "Y"})
    assert status_of(root) == "updated"
    assert warnings_of(root) and "transactions are already recorded" in warnings_of(root)[0]
    # The reward deleted on its own stays deleted.
    delete_reward = {"type": "campaign_delete", "action": "reward", "campaign_id": LEGACY, "reward_id": dropped}
    assert error_of(call(client, delete_reward))[0] == "reward_not_found"

    records = history(settings, LEGACY)
    restore = records[-1]
    assert (restore["action"], restore["user_id"], restore["entity_id"]) == ("restore", "ops-alice", LEGACY)
    assert {"field": "transactions", "old": None, "new": "2"} in restore["changes"]
    assert {"field": "rewards", "old": None, "new": "2"} in restore["changes"]
    assert {"field": "active", "old": None, "new": False} in restore["changes"]


def test_restore_errors(client: TestClient, settings: Settings) -> None:
    code, _out, err = _restore(settings, GIFTCARD)
    assert code != 0 and "no deleted campaign '1234567890123450' in 'greatwidgets'" in err
    assert status_of(call(client, {**DELETE, "campaign_id": GIFTCARD})) == "success"
    code, _out, err = _restore(settings, GIFTCARD, by="  ")
    assert code != 0 and "--by" in err
    # The operator made a new campaign with the same id meanwhile: it cannot come back over it.
    run_cli(
        settings, "campaign", "add", "--account", "greatwidgets", "--type", "events", "--name", "N", "--id", GIFTCARD
    )
    code, _out, err = _restore(settings, GIFTCARD)
    assert code != 0 and "live campaign" in err
    assert show(settings, GIFTCARD)["type"] == "events"


def test_restore_refuses_transactions_of_a_customer_gone_meanwhile(client: TestClient, settings: Settings) -> None:
    assert status_of(call(client, {**DELETE, "campaign_id": LEGACY})) == "success"
    assert status_of(call(client, {"type": "customer_delete", "code": JANE})) == "success"
    code, _out, err = _restore(settings, LEGACY)
    assert code != 0 and "2 of its transactions belong to customers no longer in the account" in err
    assert LEGACY not in listed(client)


def test_restore_twice(client: TestClient, settings: Settings) -> None:
    assert status_of(call(client, {**DELETE, "campaign_id": EVENTS})) == "success"
    assert _restore(settings, EVENTS)[0] == 0
    code, _out, err = _restore(settings, EVENTS)
    assert code != 0 and "no deleted campaign" in err
    # Deleted and restored again: the same campaign, once more.
    assert status_of(call(client, {**DELETE, "campaign_id": EVENTS})) == "success"
    assert _restore(settings, EVENTS, by="ops-bob")[0] == 0
    assert EVENTS in listed(client)
    assert [r["action"] for r in history(settings, EVENTS)] == ["delete", "restore", "delete", "restore"]
    assert history(settings, EVENTS)[-1]["user_id"] == "ops-bob"


def test_a_restored_campaign_is_seen_by_the_users_allowed_it(client: TestClient, settings: Settings) -> None:
    assert status_of(call(client, {**DELETE, "campaign_id": POINTS})) == "success"
    assert error_of(call(client, {"type": "campaign_rewards", "campaign_id": POINTS}, MANAGER))[0] == (
        "campaign_not_found"
    )
    assert _restore(settings, POINTS)[0] == 0
    root = call(client, {"type": "campaigns_list"}, MANAGER)
    assert [c.findtext("id") for c in root.findall("campaigns/campaign")] == [POINTS, EARNED]


def test_history_shows_a_whole_life_in_order(client: TestClient, settings: Settings) -> None:
    root = call(
        client, {"type": "campaign_new", "action": "campaign", "campaign_type": "events", "campaign_name": "Life"}
    )
    campaign_id = str(root.findtext("campaign/id"))
    update(client, campaign_id, {"new_campaign_name": "Long Life"})
    reward_id = add_reward(client, campaign_id, "10", "Coffee")
    base = {"campaign_id": campaign_id, "reward_id": reward_id}
    call(client, {"type": "campaign_update", "action": "reward", **base, "new_reward_level": "12"})
    call(client, {"type": "campaign_update", "action": "reward", **base, "new_reward_level": "12"})  # no change
    call(client, {"type": "campaign_delete", "action": "reward", **base})
    call(client, {**DEACTIVATE, "campaign_id": campaign_id})
    call(client, {**DEACTIVATE, "campaign_id": campaign_id})  # no change
    call(client, {**REACTIVATE, "campaign_id": campaign_id})
    call(client, {**DELETE, "campaign_id": campaign_id})
    assert _restore(settings, campaign_id)[0] == 0
    records = history(settings, campaign_id)
    assert [(r["entity"], r["action"], r["user_id"]) for r in records] == [
        ("campaign", "create", "john1970"),
        ("campaign", "update", "john1970"),
        ("reward", "create", "john1970"),
        ("reward", "update", "john1970"),
        ("reward", "delete", "john1970"),
        ("campaign", "deactivate", "john1970"),
        ("campaign", "reactivate", "john1970"),
        ("campaign", "delete", "john1970"),
        ("campaign", "restore", "ops-alice"),
    ]
    assert [r["id"] for r in records] == sorted(r["id"] for r in records)
    assert [r["at"] for r in records] == sorted(r["at"] for r in records)


def test_a_restored_campaign_brings_its_transactions_custom_fields_back(client: TestClient, settings: Settings) -> None:
    entry_id = record(client, EVENTS, custom_field_7="kept in the archive")
    before = transactions(client, EVENTS)
    assert status_of(call(client, {"type": "campaign_delete", "action": "campaign", "campaign_id": EVENTS})) == (
        "success"
    )
    result = restore_campaign(settings, EVENTS)
    assert result.exit_code == 0, result.output
    after = transactions(client, EVENTS)
    assert after == before
    assert customs(after[entry_id]) == {"custom_field_7": "kept in the archive"}
