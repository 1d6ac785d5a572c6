"""``campaign_deactivate`` and ``campaign_reactivate``: rights, what each changes (a deactivated campaign leaves the
list, can still be changed, and comes back), and their audit records."""

from __future__ import annotations

from typing import Final

import pytest
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from tests.support.api import call, outcome, status_of
from tests.support.campaigns import CHANGE_RIGHTS, add_reward, listed, update
from tests.support.cli import history, show
from tests.support.demo import EVENTS, GIFTCARD, POINTS  # the manager may see POINTS, not EVENTS
from tests.support.golden import GoldenCase, check_golden_case, check_no_stray_files, golden_files, golden_params
from tests.support.users import CLERK, MANAGER, User

UNKNOWN: Final = "0000000000000000"
DEACTIVATE: Final = {"type": "campaign_deactivate"}
REACTIVATE: Final = {"type": "campaign_reactivate"}
GOLDEN_DIR: Final = "campaigns/campaign_lifecycle"  # with campaign_delete's files, named delete_*

CASES: Final = [
    GoldenCase("deactivate_success", {**DEACTIVATE, "campaign_id": POINTS}, changes_state=True),
    GoldenCase("deactivate_missing_id", DEACTIVATE),
    GoldenCase("deactivate_unknown", {**DEACTIVATE, "campaign_id": UNKNOWN}),
    GoldenCase("deactivate_manager_not_allowed", {**DEACTIVATE, "campaign_id": EVENTS}, MANAGER),
    GoldenCase("deactivate_clerk_denied", {**DEACTIVATE, "campaign_id": POINTS}, CLERK),
    GoldenCase("reactivate_clerk_denied", {**REACTIVATE, "campaign_id": POINTS}, CLERK),
]


# Cases run after the giftcard campaign was deactivated.
CASES_AFTER_DEACTIVATION: Final = [
    GoldenCase("reactivate_success", {**REACTIVATE, "campaign_id": GIFTCARD}, changes_state=True),
    GoldenCase("inactive_list_of_one", {"type": "campaigns_inactive_list"}),
]


@pytest.mark.parametrize(("case", "forms"), golden_params(CASES))
def test_answers_match_golden_files(client: TestClient, case: GoldenCase, forms: tuple[str, ...]) -> None:
    check_golden_case(client, GOLDEN_DIR, case, forms)


@pytest.mark.parametrize(("case", "forms"), golden_params(CASES_AFTER_DEACTIVATION))
def test_answers_after_deactivation_match_golden_files(
    client: TestClient, case: GoldenCase, forms: tuple[str, ...]
) -> None:
    assert status_of(call(client, {**DEACTIVATE, "campaign_id": GIFTCARD})) == "success"
    check_golden_case(client, GOLDEN_DIR, case, forms)


def test_no_stray_golden_files() -> None:
    expected = golden_files([*CASES, *CASES_AFTER_DEACTIVATION])
    check_no_stray_files(GOLDEN_DIR, expected, owns=lambda name: not name.startswith("delete_"))


def test_a_deactivated_campaign_leaves_the_list_and_can_still_be_changed(client: TestClient) -> None:
    assert status_of(call(client, {**DEACTIVATE, "campaign_id": POINTS})) == "success"
    assert POINTS not in listed(client)
    assert listed(client, "campaigns_inactive_list") == [POINTS]
    assert status_of(update(client, POINTS, {"new_campaign_name": "Resting Rewards"})) == "updated"
    reward_id = add_reward(client, POINTS, "100", "Mug")
    assert call(client, {"type": "campaign_rewards", "campaign_id": POINTS}).findtext("rewards/reward/id") == reward_id
    assert status_of(call(client, {**REACTIVATE, "campaign_id": POINTS})) == "success"
    assert POINTS in listed(client)
    assert listed(client, "campaigns_inactive_list") == []
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


@pytest.mark.parametrize(("user", "campaign_id", "expected"), CHANGE_RIGHTS)
def test_rights(client: TestClient, user: User, campaign_id: str, expected: str) -> None:
    for call_type in ("campaign_deactivate", "campaign_reactivate"):
        assert outcome(call(client, {"type": call_type, "campaign_id": campaign_id}, user)) == expected
