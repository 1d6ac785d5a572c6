"""Rewards: ``campaign_new`` / ``campaign_update`` / ``campaign_delete`` with ``action=reward``, and
``campaign_rewards``, over HTTP on the demo world."""

from __future__ import annotations

import json
from typing import Final

import pytest
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from tests.support.api import call, credentials, error_of, status_of
from tests.support.campaigns import CHANGE_RIGHTS
from tests.support.cli import history
from tests.support.demo import BUYX, EARNED, EVENTS, GIFTCARD, POINTS  # the manager may see POINTS, not EVENTS
from tests.support.golden import GoldenCase, check_golden_case, check_no_stray_files, golden_files, golden_params
from tests.support.users import ADMIN, CLERK, MANAGER, OTHER_ADMIN, User

NEW: Final = {"type": "campaign_new", "action": "reward"}
UPDATE: Final = {"type": "campaign_update", "action": "reward"}
DELETE: Final = {"type": "campaign_delete", "action": "reward"}
LIST: Final = {"type": "campaign_rewards"}
WIDGET: Final = {**NEW, "campaign_id": POINTS, "reward_level": "1000", "reward_description": "Free Widget"}


def _add(client: TestClient, campaign_id: str = POINTS, user: User = ADMIN, **fields: str) -> str:
    data = {**NEW, "campaign_id": campaign_id, "reward_level": "100", "reward_description": "A reward", **fields}
    root = call(client, data, user)
    assert status_of(root) == "success", root.findtext("error")
    reward_id = root.findtext("campaign/reward/id")
    assert reward_id is not None
    return reward_id


def _rewards(client: TestClient, campaign_id: str = POINTS, user: User = ADMIN) -> list[dict[str, str]]:
    root = call(client, {**LIST, "campaign_id": campaign_id}, user)
    assert status_of(root) == "success", root.findtext("error")
    assert root.findtext("campaign/id") == campaign_id
    return [{child.tag: child.text or "" for child in reward} for reward in root.findall("rewards/reward")]


CASES: Final = [
    GoldenCase("new_success", WIDGET, changes_state=True),
    GoldenCase("new_missing_level", {**WIDGET, "reward_level": ""}),
    GoldenCase("new_missing_description", {**NEW, "campaign_id": POINTS, "reward_level": "5"}),
    GoldenCase("new_level_not_whole", {**WIDGET, "reward_level": "10.5"}),
    GoldenCase("new_description_too_long", {**WIDGET, "reward_description": "d" * 256}),
    GoldenCase("new_identifier_too_long", {**WIDGET, "reward_identifier": "i" * 65}),
    GoldenCase("new_on_giftcard", {**WIDGET, "campaign_id": GIFTCARD}),
    GoldenCase("new_clerk_denied", WIDGET, user=CLERK),
    GoldenCase("new_manager_not_allowed", {**WIDGET, "campaign_id": EVENTS}, user=MANAGER),
    GoldenCase("new_other_account", WIDGET, user=OTHER_ADMIN),
    GoldenCase("update_nothing_to_change", {**UPDATE, "campaign_id": POINTS, "reward_id": "1"}),
    GoldenCase("update_unknown_reward", {**UPDATE, "campaign_id": POINTS, "reward_id": "99", "new_reward_level": "5"}),
    GoldenCase("delete_unknown_reward", {**DELETE, "campaign_id": POINTS, "reward_id": "SKU-1"}),
    GoldenCase("delete_missing_reward_id", {**DELETE, "campaign_id": POINTS}),
    GoldenCase("list_empty", {**LIST, "campaign_id": POINTS}),
    GoldenCase("list_unknown_campaign", {**LIST, "campaign_id": "0000000000000000"}),
]
# Cases that need rewards to exist: two are added first (ids 1 and 2, the second with an identifier).
CASES_WITH_REWARDS: Final = [
    GoldenCase("update_success", {**UPDATE, "campaign_id": POINTS, "reward_id": "1", "new_reward_level": "900"}),
    GoldenCase("update_bad_level", {**UPDATE, "campaign_id": POINTS, "reward_id": "1", "new_reward_level": "0"}),
    GoldenCase(
        "update_clerk_denied", {**UPDATE, "campaign_id": POINTS, "reward_id": "1", "new_reward_level": "5"}, CLERK
    ),
    GoldenCase("delete_success", {**DELETE, "campaign_id": POINTS, "reward_id": "2"}, changes_state=True),
    GoldenCase("delete_clerk_denied", {**DELETE, "campaign_id": POINTS, "reward_id": "2"}, CLERK),
    GoldenCase("list_two", {**LIST, "campaign_id": POINTS}, CLERK),
]


@pytest.mark.parametrize(("case", "forms"), golden_params(CASES))
def test_answers_match_golden_files(client: TestClient, case: GoldenCase, forms: tuple[str, ...]) -> None:
    check_golden_case(client, "campaigns/campaign_rewards", case, forms)


@pytest.mark.parametrize(("case", "forms"), golden_params(CASES_WITH_REWARDS))
def test_answers_with_rewards_match_golden_files(client: TestClient, case: GoldenCase, forms: tuple[str, ...]) -> None:
    assert _add(client, reward_level="1000", reward_description="Free Widget") == "1"
    assert _add(client, reward_level="1500", reward_description="Free Service", reward_identifier="156739948736") == "2"
    check_golden_case(client, "campaigns/campaign_rewards", case, forms)


def test_no_stray_golden_files() -> None:
    check_no_stray_files("campaigns/campaign_rewards", golden_files([*CASES, *CASES_WITH_REWARDS]))


def test_new_rewards_are_listed_by_level(client: TestClient) -> None:
    big = _add(client, reward_level="1500", reward_description="Free Service", reward_identifier=" SKU-9 ")
    small = _add(client, reward_level="0500", reward_description="  Free Widget  ", reward_identifier="")
    assert _rewards(client) == [
        {"id": small, "level": "500", "description": "Free Widget"},
        {"id": big, "level": "1500", "description": "Free Service", "reward_id": "SKU-9"},
    ]
    events = _add(client, EVENTS, reward_level="10", reward_description="Free coffee")
    assert _rewards(client, EVENTS) == [{"id": events, "level": "10", "description": "Free coffee"}]


def test_one_reward_is_still_an_array_in_json(client: TestClient) -> None:
    reward_id = _add(client)
    reply = client.post(
        "/api.php",
        data={
            **credentials(),
            **LIST,
            "campaign_id": POINTS,
            "output": "json",
        },
    )
    body = json.loads(reply.content)
    assert body["rewards"] == [{"id": reward_id, "level": "100", "description": "A reward"}]


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("reward_level", "0", "parameter_invalid"),
        ("reward_level", "-5", "parameter_invalid"),
        ("reward_level", "1e3", "parameter_invalid"),
        ("reward_level", "1,000", "parameter_invalid"),
        ("reward_level", "1" * 13, "parameter_invalid"),
        ("reward_description", " ", "parameter_missing"),
        ("reward_description", "d" * 256, "string_parameter_too_long"),
        ("reward_identifier", "i" * 65, "string_parameter_too_long"),
    ],
)
def test_new_reward_values(client: TestClient, field: str, value: str, code: str) -> None:
    assert error_of(call(client, {**WIDGET, field: value}))[0] == code
    assert _rewards(client) == []


def test_limits_are_inclusive(client: TestClient) -> None:
    reward_id = _add(client, reward_level="9" * 12, reward_description="d" * 255, reward_identifier="i" * 64)
    assert _rewards(client) == [{"id": reward_id, "level": "9" * 12, "description": "d" * 255, "reward_id": "i" * 64}]


@pytest.mark.parametrize("campaign_id", [GIFTCARD, BUYX, EARNED])
def test_only_points_and_events_campaigns_have_rewards(client: TestClient, campaign_id: str) -> None:
    code, message = error_of(call(client, {**WIDGET, "campaign_id": campaign_id}))
    assert code == "parameter_mismatch"
    assert campaign_id in message
    assert _rewards(client, campaign_id) == []


def test_update_changes_only_what_is_given(client: TestClient, settings: Settings) -> None:
    reward_id = _add(client, reward_level="100", reward_description="Mug", reward_identifier="MUG")
    base = {**UPDATE, "campaign_id": POINTS, "reward_id": reward_id}
    root = call(client, {**base, "new_reward_level": "150", "new_reward_description": "", "new_reward_identifier": " "})
    assert status_of(root) == "success"
    assert root.find("reward").get("status") == "updated"  # type: ignore[union-attr]
    assert root.findtext("reward/id") == reward_id
    assert _rewards(client) == [{"id": reward_id, "level": "150", "description": "Mug", "reward_id": "MUG"}]
    call(client, {**base, "new_reward_description": "Big Mug", "new_reward_identifier": "MUG-L"})
    assert _rewards(client) == [{"id": reward_id, "level": "150", "description": "Big Mug", "reward_id": "MUG-L"}]
    records = [r for r in history(settings, POINTS) if r["entity"] == "reward"]
    assert [(r["action"], r["entity_id"], r["changes"]) for r in records] == [
        (
            "create",
            reward_id,
            [
                {"field": "level", "old": None, "new": "100"},
                {"field": "description", "old": None, "new": "Mug"},
                {"field": "identifier", "old": None, "new": "MUG"},
            ],
        ),
        ("update", reward_id, [{"field": "level", "old": "100", "new": "150"}]),
        (
            "update",
            reward_id,
            [
                {"field": "description", "old": "Mug", "new": "Big Mug"},
                {"field": "identifier", "old": "MUG", "new": "MUG-L"},
            ],
        ),
    ]


def test_update_to_the_same_values_appends_nothing(client: TestClient, settings: Settings) -> None:
    reward_id = _add(client, reward_level="100", reward_description="Mug")
    before = history(settings, POINTS)
    root = call(
        client,
        {
            **UPDATE,
            "campaign_id": POINTS,
            "reward_id": reward_id,
            "new_reward_level": "100",
            "new_reward_description": "Mug",
        },
    )
    assert status_of(root) == "success"
    assert history(settings, POINTS) == before


def test_update_needs_a_new_value(client: TestClient) -> None:
    reward_id = _add(client)
    root = call(client, {**UPDATE, "campaign_id": POINTS, "reward_id": reward_id, "new_reward_level": " "})
    assert error_of(root) == (
        "parameter_missing",
        "The field new_reward_level or new_reward_description or new_reward_identifier is required.",
    )


def test_update_values(client: TestClient) -> None:
    reward_id = _add(client)
    base = {**UPDATE, "campaign_id": POINTS, "reward_id": reward_id}
    assert error_of(call(client, {**base, "new_reward_level": "2.5"}))[0] == "parameter_invalid"
    assert error_of(call(client, {**base, "new_reward_description": "d" * 256}))[0] == "string_parameter_too_long"
    assert error_of(call(client, {**base, "new_reward_identifier": "i" * 65}))[0] == "string_parameter_too_long"
    # A bad field refuses the whole update.
    assert error_of(call(client, {**base, "new_reward_description": "Fine", "new_reward_level": "x"}))[0] == (
        "parameter_invalid"
    )
    assert _rewards(client)[0]["description"] == "A reward"


def test_a_reward_of_another_campaign_is_not_found(client: TestClient) -> None:
    reward_id = _add(client, EVENTS)
    for data in (
        {**UPDATE, "campaign_id": POINTS, "reward_id": reward_id, "new_reward_level": "5"},
        {**DELETE, "campaign_id": POINTS, "reward_id": reward_id},
    ):
        assert error_of(call(client, data)) == (
            "reward_not_found",
            f"No reward {reward_id} in campaign {POINTS} (reward_id is the reward's <id> from campaign_rewards,"
            " not its identifier).",
        )
    assert len(_rewards(client, EVENTS)) == 1


def test_delete_archives_the_reward(client: TestClient, settings: Settings) -> None:
    kept = _add(client, reward_level="10")
    gone = _add(client, reward_level="20", reward_description="Gone", reward_identifier="G")
    root = call(client, {**DELETE, "campaign_id": POINTS, "reward_id": gone})
    assert status_of(root) == "success"
    assert root.find("reward").get("status") == "deleted"  # type: ignore[union-attr]
    assert [r["id"] for r in _rewards(client)] == [kept]
    # Gone for the API: a second delete or an update does not find it.
    assert error_of(call(client, {**DELETE, "campaign_id": POINTS, "reward_id": gone}))[0] == "reward_not_found"
    # Its id is never given again.
    assert int(_add(client)) > int(gone)
    (record,) = [r for r in history(settings, POINTS) if r["action"] == "delete"]
    assert (record["entity"], record["entity_id"], record["user_id"]) == ("reward", gone, "john1970")
    assert record["changes"] == [
        {"field": "level", "old": "20", "new": None},
        {"field": "description", "old": "Gone", "new": None},
        {"field": "identifier", "old": "G", "new": None},
    ]


def test_rewards_of_a_deactivated_campaign_can_be_managed(client: TestClient) -> None:
    assert status_of(call(client, {"type": "campaign_deactivate", "campaign_id": POINTS})) == "success"
    reward_id = _add(client)
    call(client, {**UPDATE, "campaign_id": POINTS, "reward_id": reward_id, "new_reward_level": "7"})
    assert _rewards(client) == [{"id": reward_id, "level": "7", "description": "A reward"}]


@pytest.mark.parametrize(("user", "campaign_id", "outcome"), CHANGE_RIGHTS)
def test_rights_to_change_rewards(client: TestClient, user: User, campaign_id: str, outcome: str) -> None:
    existing = _add(client, campaign_id)
    requests = [
        {**NEW, "campaign_id": campaign_id, "reward_level": "5", "reward_description": "R"},
        {**UPDATE, "campaign_id": campaign_id, "reward_id": existing, "new_reward_level": "6"},
        {**DELETE, "campaign_id": campaign_id, "reward_id": existing},
    ]
    for data in requests:
        root = call(client, data, user)
        assert (status_of(root) if outcome == "success" else error_of(root)[0]) == outcome


@pytest.mark.parametrize(
    ("user", "campaign_id", "visible"),
    [
        (ADMIN, EVENTS, True),
        (MANAGER, POINTS, True),
        (MANAGER, EVENTS, False),
        (CLERK, EVENTS, True),
        (OTHER_ADMIN, POINTS, False),
    ],
)
def test_rights_to_list_rewards(client: TestClient, user: User, campaign_id: str, visible: bool) -> None:
    reward_id = _add(client, campaign_id)
    root = call(client, {**LIST, "campaign_id": campaign_id}, user)
    if visible:
        assert [r.findtext("id") for r in root.findall("rewards/reward")] == [reward_id]
    else:
        # Exactly the answer for a campaign that does not exist.
        missing = call(client, {**LIST, "campaign_id": "0000000000000000"}, user)
        assert error_of(root) == ("campaign_not_found", f"No campaign {campaign_id} in this account.")
        assert error_of(missing) == ("campaign_not_found", "No campaign 0000000000000000 in this account.")


def test_unknown_reward_ids_answer_like_missing_ones(client: TestClient) -> None:
    for reward_id in ("0", "abc", "1" * 40, "-1"):
        root = call(client, {**UPDATE, "campaign_id": POINTS, "reward_id": reward_id, "new_reward_level": "5"})
        assert error_of(root)[0] == "reward_not_found"
