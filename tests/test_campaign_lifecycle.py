"""``campaign_deactivate``, ``campaign_reactivate``, ``campaign_delete`` and the operator's ``campaign restore``:
rights, what each changes, the archive, and the audit trail of a campaign's whole life."""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Final

import pytest
from click.testing import CliRunner
from lxml import etree
from starlette.testclient import TestClient

from loyalty_api.cli import cli
from loyalty_api.config import Settings
from loyalty_api.store.sqlite.store import sqlite_path
from tests.support.api import ADMIN, CLERK, MANAGER, OTHER_ADMIN, call
from tests.support.golden import GoldenCase, check_golden_case, check_no_stray_files, golden_params
from tests.support.stored import error_of, history, run_cli, show, status_of, update, warnings_of

GIFTCARD: Final = "1234567890123450"
POINTS: Final = "1234567890123451"  # the manager may see it
EVENTS: Final = "1234567890123454"  # the manager may not see it
LEGACY: Final = "1234567890123455"  # points, with two ledger entries
UNKNOWN: Final = "0000000000000000"
DEACTIVATE: Final = {"type": "campaign_deactivate"}
REACTIVATE: Final = {"type": "campaign_reactivate"}
DELETE: Final = {"type": "campaign_delete", "action": "campaign"}

CASES: Final = [
    GoldenCase("deactivate_success", {**DEACTIVATE, "campaign_id": POINTS}, changes_state=True),
    GoldenCase("deactivate_missing_id", DEACTIVATE),
    GoldenCase("deactivate_unknown", {**DEACTIVATE, "campaign_id": UNKNOWN}),
    GoldenCase("deactivate_manager_not_allowed", {**DEACTIVATE, "campaign_id": EVENTS}, MANAGER),
    GoldenCase("deactivate_clerk_denied", {**DEACTIVATE, "campaign_id": POINTS}, CLERK),
    GoldenCase("reactivate_clerk_denied", {**REACTIVATE, "campaign_id": POINTS}, CLERK),
    GoldenCase("delete_success", {**DELETE, "campaign_id": LEGACY}, changes_state=True),
    GoldenCase("delete_without_action", {"type": "campaign_delete", "campaign_id": LEGACY}, changes_state=True),
    GoldenCase("delete_unknown_action", {**DELETE, "action": "promo", "campaign_id": LEGACY}),
    GoldenCase("delete_unknown", {**DELETE, "campaign_id": UNKNOWN}),
    GoldenCase("delete_manager_denied", {**DELETE, "campaign_id": POINTS}, MANAGER),
    GoldenCase("delete_manager_not_allowed", {**DELETE, "campaign_id": EVENTS}, MANAGER),
    GoldenCase("delete_clerk_denied", {**DELETE, "campaign_id": POINTS}, CLERK),
    GoldenCase("delete_other_account", {**DELETE, "campaign_id": POINTS}, OTHER_ADMIN),
]
# Cases run after the giftcard campaign was deactivated.
CASES_AFTER_DEACTIVATION: Final = [
    GoldenCase("reactivate_success", {**REACTIVATE, "campaign_id": GIFTCARD}, changes_state=True),
    GoldenCase("inactive_list_of_one", {"type": "campaigns_inactive_list"}),
]


@pytest.mark.parametrize(("case", "forms"), golden_params(CASES))
def test_answers_match_golden_files(client: TestClient, case: GoldenCase, forms: tuple[str, ...]) -> None:
    check_golden_case(client, "campaign_lifecycle", case, forms)


@pytest.mark.parametrize(("case", "forms"), golden_params(CASES_AFTER_DEACTIVATION))
def test_answers_after_deactivation_match_golden_files(
    client: TestClient, case: GoldenCase, forms: tuple[str, ...]
) -> None:
    assert status_of(call(client, {**DEACTIVATE, "campaign_id": GIFTCARD})) == "success"
    check_golden_case(client, "campaign_lifecycle", case, forms)


def test_no_stray_golden_files() -> None:
    check_no_stray_files("campaign_lifecycle", [*CASES, *CASES_AFTER_DEACTIVATION])


def _listed(client: TestClient, call_type: str = "campaigns_list") -> list[str]:
    root = call(client, {"type": call_type})
    return [str(c.findtext("id")) for c in root.findall("campaigns/campaign")]


def _rewards_doc(client: TestClient, campaign_id: str) -> bytes:
    return etree.tostring(call(client, {"type": "campaign_rewards", "campaign_id": campaign_id}))


def _add_reward(client: TestClient, campaign_id: str, level: str, description: str) -> str:
    data = {"type": "campaign_new", "action": "reward", "campaign_id": campaign_id}
    root = call(client, {**data, "reward_level": level, "reward_description": description})
    return str(root.findtext("campaign/reward/id"))


def _restore(settings: Settings, campaign_id: str, by: str = "ops-alice") -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli,
        ["campaign", "restore", campaign_id, "--account", "greatwidgets", "--by", by],
        env={"LOYALTY_DATABASE_URL": settings.database_url},
    )
    return result.exit_code, result.stdout, result.stderr


def _rows(settings: Settings, campaign_id: str) -> dict[str, list[Any]]:
    """Every stored row of the campaign, its rewards and its ledger entries (SQLite only)."""
    with sqlite3.connect(sqlite_path(settings.database_url)) as conn:
        (pk,) = conn.execute("SELECT pk FROM campaigns WHERE campaign_id = ?", (campaign_id,)).fetchone()
        return {
            "campaign": conn.execute("SELECT * FROM campaigns WHERE pk = ?", (pk,)).fetchall(),
            "rewards": conn.execute("SELECT * FROM rewards WHERE campaign_pk = ? ORDER BY pk", (pk,)).fetchall(),
            "ledger": conn.execute("SELECT * FROM ledger WHERE campaign_pk = ? ORDER BY pk", (pk,)).fetchall(),
        }


def test_a_deactivated_campaign_leaves_the_list_and_can_still_be_changed(client: TestClient) -> None:
    assert status_of(call(client, {**DEACTIVATE, "campaign_id": POINTS})) == "success"
    assert POINTS not in _listed(client)
    assert _listed(client, "campaigns_inactive_list") == [POINTS]
    assert status_of(update(client, POINTS, {"new_campaign_name": "Resting Rewards"})) == "updated"
    reward_id = _add_reward(client, POINTS, "100", "Mug")
    assert call(client, {"type": "campaign_rewards", "campaign_id": POINTS}).findtext("rewards/reward/id") == reward_id
    assert status_of(call(client, {**REACTIVATE, "campaign_id": POINTS})) == "success"
    assert POINTS in _listed(client)
    assert _listed(client, "campaigns_inactive_list") == []
    root = call(client, {"type": "campaigns_list", "searchField": "id", "searchValue": POINTS})
    assert root.findtext("campaigns/campaign/name") == "Resting Rewards"


def test_deactivating_twice_changes_nothing_the_second_time(client: TestClient, settings: Settings) -> None:
    assert status_of(call(client, {**REACTIVATE, "campaign_id": POINTS})) == "success"
    assert history(settings, POINTS) == []
    for _ in range(2):
        root = call(client, {**DEACTIVATE, "campaign_id": POINTS})
        assert (status_of(root), root.findtext("campaign/id")) == ("success", POINTS)
    for _ in range(2):
        assert status_of(call(client, {**REACTIVATE, "campaign_id": POINTS}, MANAGER)) == "success"
    records = history(settings, POINTS)
    assert [(r["action"], r["user_id"], r["changes"]) for r in records] == [
        ("deactivate", "john1970", [{"field": "active", "old": True, "new": False}]),
        ("reactivate", "mgr1970", [{"field": "active", "old": False, "new": True}]),
    ]
    assert show(settings, POINTS)["active"] is True


@pytest.mark.parametrize(
    ("user", "campaign_id", "activation", "deletion"),
    [
        (ADMIN, POINTS, "success", "success"),
        (ADMIN, EVENTS, "success", "success"),
        (MANAGER, POINTS, "success", "permission_denied"),
        (MANAGER, EVENTS, "campaign_not_found", "campaign_not_found"),
        (CLERK, POINTS, "permission_denied", "permission_denied"),
        (OTHER_ADMIN, POINTS, "campaign_not_found", "campaign_not_found"),
    ],
)
def test_rights(
    client: TestClient, user: tuple[str, str, str], campaign_id: str, activation: str, deletion: str
) -> None:
    def outcome(root: etree._Element) -> str:
        return status_of(root) if status_of(root) == "success" else error_of(root)[0]

    for call_type in ("campaign_deactivate", "campaign_reactivate"):
        assert outcome(call(client, {"type": call_type, "campaign_id": campaign_id}, user)) == activation
    root = call(client, {**DELETE, "campaign_id": campaign_id}, user)
    assert outcome(root) == deletion
    if deletion == "campaign_not_found":
        # Exactly the answer for a campaign that does not exist.
        missing = error_of(call(client, {**DELETE, "campaign_id": UNKNOWN}, user))[1]
        assert error_of(root)[1] == missing.replace(UNKNOWN, campaign_id)


def test_delete_takes_the_campaign_away_from_the_api(client: TestClient, settings: Settings) -> None:
    _add_reward(client, LEGACY, "500", "Free Widget")
    root = call(client, {"type": "campaign_delete", "campaign_id": LEGACY})
    assert (root.find("campaign").get("status"), root.findtext("campaign/id")) == ("deleted", LEGACY)  # type: ignore[union-attr]
    assert LEGACY not in _listed(client)
    assert LEGACY not in _listed(client, "campaigns_inactive_list")
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
    kept = [_add_reward(client, LEGACY, "500", "Free Widget"), _add_reward(client, LEGACY, "900", "Free Gadget")]
    dropped = _add_reward(client, LEGACY, "700", "Dropped")
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
    assert _listed(client, "campaigns_inactive_list") == [LEGACY]
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
    assert status_of(call(client, {"type": "customer_delete", "code": "8000000000000001"})) == "success"
    code, _out, err = _restore(settings, LEGACY)
    assert code != 0 and "2 of its transactions belong to customers no longer in the account" in err
    assert LEGACY not in _listed(client)


def test_restore_twice(client: TestClient, settings: Settings) -> None:
    assert status_of(call(client, {**DELETE, "campaign_id": EVENTS})) == "success"
    assert _restore(settings, EVENTS)[0] == 0
    code, _out, err = _restore(settings, EVENTS)
    assert code != 0 and "no deleted campaign" in err
    # Deleted and restored again: the same campaign, once more.
    assert status_of(call(client, {**DELETE, "campaign_id": EVENTS})) == "success"
    assert _restore(settings, EVENTS, by="ops-bob")[0] == 0
    assert EVENTS in _listed(client)
    assert [r["action"] for r in history(settings, EVENTS)] == ["delete", "restore", "delete", "restore"]
    assert history(settings, EVENTS)[-1]["user_id"] == "ops-bob"


def test_a_restored_campaign_is_seen_by_the_users_allowed_it(client: TestClient, settings: Settings) -> None:
    assert status_of(call(client, {**DELETE, "campaign_id": POINTS})) == "success"
    assert error_of(call(client, {"type": "campaign_rewards", "campaign_id": POINTS}, MANAGER))[0] == (
        "campaign_not_found"
    )
    assert _restore(settings, POINTS)[0] == 0
    root = call(client, {"type": "campaigns_list"}, MANAGER)
    assert [c.findtext("id") for c in root.findall("campaigns/campaign")] == [POINTS, "1234567890123453"]


def test_history_shows_a_whole_life_in_order(client: TestClient, settings: Settings) -> None:
    root = call(
        client, {"type": "campaign_new", "action": "campaign", "campaign_type": "events", "campaign_name": "Life"}
    )
    campaign_id = str(root.findtext("campaign/id"))
    update(client, campaign_id, {"new_campaign_name": "Long Life"})
    reward_id = _add_reward(client, campaign_id, "10", "Coffee")
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
