"""Buyx items: ``campaign_new`` / ``campaign_update`` / ``campaign_delete`` with ``action=item``, and
``buyx_items_list``, over HTTP on the demo world (both stores)."""

from __future__ import annotations

import json
from typing import Final

import pytest
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from tests.support.api import call, credentials, error_of, status_of
from tests.support.cli import history, restore_campaign
from tests.support.demo import BUYX, POINTS  # the manager may not see BUYX
from tests.support.golden import GoldenCase, check_golden_case, check_no_stray_files, golden_files, golden_params
from tests.support.users import ADMIN, CLERK, MANAGER, OTHER_ADMIN, User

NEW: Final = {"type": "campaign_new", "action": "item"}
UPDATE: Final = {"type": "campaign_update", "action": "item"}
DELETE: Final = {"type": "campaign_delete", "action": "item"}
LIST: Final = {"type": "buyx_items_list"}
WIDGET: Final = {**NEW, "campaign_id": BUYX, "reward_level": "10", "item_description": "Widget"}
GOLDEN_DIR: Final = "ledger/buyx_items"


def _add(client: TestClient, **fields: str) -> str:
    root = call(client, {**WIDGET, **fields})
    assert status_of(root) == "success", root.findtext("error")
    item_id = root.findtext("campaign/item/id")
    assert item_id is not None
    return item_id


def _items(client: TestClient, user: User = ADMIN) -> list[dict[str, str]]:
    root = call(client, {**LIST, "campaign_id": BUYX}, user)
    assert status_of(root) == "success", root.findtext("error")
    return [{child.tag: child.text or "" for child in item} for item in root.findall("buyx_items/item")]


CASES: Final = [
    GoldenCase("new_success", {**WIDGET, "item_identifier": "W-1"}, changes_state=True),
    GoldenCase("new_missing_description", {**NEW, "campaign_id": BUYX, "reward_level": "5"}),
    GoldenCase("new_level_not_whole", {**WIDGET, "reward_level": "2.5"}),
    GoldenCase("new_on_points", {**WIDGET, "campaign_id": POINTS}),
    GoldenCase("new_clerk_denied", WIDGET, user=CLERK),
    GoldenCase("list_empty", {**LIST, "campaign_id": BUYX}),
    GoldenCase("list_on_points", {**LIST, "campaign_id": POINTS}),
    GoldenCase("update_unknown_item", {**UPDATE, "campaign_id": BUYX, "item_id": "99", "new_reward_level": "5"}),
]
# Two items exist first: 1 (no identifier) and 2 (identifier SKU-2).
CASES_WITH_ITEMS: Final = [
    GoldenCase("list_two", {**LIST, "campaign_id": BUYX}, CLERK),
    GoldenCase(
        "update_success", {**UPDATE, "campaign_id": BUYX, "item_id": "1", "new_reward_level": "12"}, changes_state=True
    ),
    GoldenCase(
        "update_identifier_in_use", {**UPDATE, "campaign_id": BUYX, "item_id": "1", "new_item_identifier": "SKU-2"}
    ),
    GoldenCase("delete_success", {**DELETE, "campaign_id": BUYX, "item_id": "SKU-2"}, changes_state=True),
    GoldenCase("delete_clerk_denied", {**DELETE, "campaign_id": BUYX, "item_id": "2"}, CLERK),
]


@pytest.mark.parametrize(("case", "forms"), golden_params(CASES))
def test_answers_match_golden_files(client: TestClient, case: GoldenCase, forms: tuple[str, ...]) -> None:
    check_golden_case(client, GOLDEN_DIR, case, forms)


@pytest.mark.parametrize(("case", "forms"), golden_params(CASES_WITH_ITEMS))
def test_answers_with_items_match_golden_files(client: TestClient, case: GoldenCase, forms: tuple[str, ...]) -> None:
    assert _add(client, reward_level="10", item_description="Widget") == "1"
    assert _add(client, reward_level="5", item_description="Gadget", item_identifier="SKU-2") == "2"
    check_golden_case(client, GOLDEN_DIR, case, forms)


def test_no_stray_golden_files() -> None:
    check_no_stray_files(GOLDEN_DIR, golden_files([*CASES, *CASES_WITH_ITEMS]))


def test_items_are_listed_in_creation_order_with_their_fields(client: TestClient) -> None:
    first = _add(client, reward_level="20", item_description="  Big  ", item_identifier=" B ")
    second = _add(client, reward_level="05", item_description="Small")
    assert _items(client, CLERK) == [
        {"id": first, "description": "Big", "reward_level": "20", "item_identifier": "B"},
        {"id": second, "description": "Small", "reward_level": "5", "item_identifier": ""},
    ]


def test_one_item_is_still_an_array_in_json(client: TestClient) -> None:
    item_id = _add(client)
    data = {**credentials(), **LIST, "campaign_id": BUYX}
    body = json.loads(client.post("/api.php", data={**data, "output": "json"}).content)
    assert body["buyx_items"] == [{"id": item_id, "description": "Widget", "reward_level": "10", "item_identifier": ""}]


def test_identifier_is_unique_in_the_campaign(client: TestClient) -> None:
    _add(client, item_identifier="SKU")
    assert error_of(call(client, {**WIDGET, "item_identifier": "SKU"})) == (
        "item_identifier_in_use",
        f"The item_identifier SKU is in use by another item of campaign {BUYX}.",
    )
    assert len(_items(client)) == 1


def test_update_changes_only_what_is_given_and_is_audited(client: TestClient, settings: Settings) -> None:
    item_id = _add(client, item_identifier="MUG")
    base = {**UPDATE, "campaign_id": BUYX, "item_id": item_id}
    root = call(client, {**base, "new_reward_level": "8", "new_item_description": " ", "new_item_identifier": ""})
    assert status_of(root) == "success"
    assert root.find("item").get("status") == "updated"  # type: ignore[union-attr]
    # Named by its identifier; keeping its own identifier is no clash.
    root = call(client, {**base, "item_id": "MUG", "new_item_description": "Big Mug", "new_item_identifier": "MUG"})
    assert root.findtext("item/id") == item_id
    assert _items(client) == [{"id": item_id, "description": "Big Mug", "reward_level": "8", "item_identifier": "MUG"}]
    records = [(r["action"], r["entity_id"], r["changes"]) for r in history(settings, BUYX) if r["entity"] == "item"]
    assert records == [
        (
            "create",
            item_id,
            [
                {"field": "level", "old": None, "new": "10"},
                {"field": "description", "old": None, "new": "Widget"},
                {"field": "identifier", "old": None, "new": "MUG"},
            ],
        ),
        ("update", item_id, [{"field": "level", "old": "10", "new": "8"}]),
        ("update", item_id, [{"field": "description", "old": "Widget", "new": "Big Mug"}]),
    ]


def test_update_needs_a_new_value(client: TestClient) -> None:
    item_id = _add(client)
    assert error_of(call(client, {**UPDATE, "campaign_id": BUYX, "item_id": item_id}))[0] == "parameter_missing"
    root = call(client, {**UPDATE, "campaign_id": BUYX, "item_id": item_id, "new_reward_level": "0"})
    assert error_of(root)[0] == "parameter_invalid"


def test_delete_archives_the_item_and_its_id_is_never_reused(client: TestClient, settings: Settings) -> None:
    kept = _add(client)
    gone = _add(client, item_identifier="G")
    root = call(client, {**DELETE, "campaign_id": BUYX, "item_id": gone})
    assert root.find("item").get("status") == "deleted"  # type: ignore[union-attr]
    assert [item["id"] for item in _items(client)] == [kept]
    assert error_of(call(client, {**DELETE, "campaign_id": BUYX, "item_id": "G"}))[0] == "item_not_found"
    assert int(_add(client, item_identifier="G")) > int(gone)  # the identifier is free again
    (record,) = [r for r in history(settings, BUYX) if r["action"] == "delete"]
    assert (record["entity"], record["entity_id"]) == ("item", gone)


def test_items_go_to_the_archive_and_back_with_their_campaign(client: TestClient, settings: Settings) -> None:
    item_id = _add(client, item_identifier="W")
    assert status_of(call(client, {"type": "campaign_delete", "campaign_id": BUYX})) == "success"
    assert error_of(call(client, {**LIST, "campaign_id": BUYX}))[0] == "campaign_not_found"
    result = restore_campaign(settings, BUYX, by="ops")
    assert result.exit_code == 0, result.stderr
    assert _items(client) == [{"id": item_id, "description": "Widget", "reward_level": "10", "item_identifier": "W"}]


@pytest.mark.parametrize(
    ("user", "outcome"),
    [
        (ADMIN, "success"),
        (MANAGER, "campaign_not_found"),
        (CLERK, "permission_denied"),
        (OTHER_ADMIN, "campaign_not_found"),
    ],
)
def test_rights_to_change_items(client: TestClient, user: User, outcome: str) -> None:
    existing = _add(client)
    for data in (
        WIDGET,
        {**UPDATE, "campaign_id": BUYX, "item_id": existing, "new_reward_level": "6"},
        {**DELETE, "campaign_id": BUYX, "item_id": existing},
    ):
        root = call(client, data, user)
        assert (status_of(root) if outcome == "success" else error_of(root)[0]) == outcome


def test_unknown_item_names_answer_item_not_found(client: TestClient) -> None:
    _add(client, item_identifier="SKU")
    for item_id in ("0", "sku", "1" * 40, "-1"):
        root = call(client, {**UPDATE, "campaign_id": BUYX, "item_id": item_id, "new_reward_level": "5"})
        assert error_of(root)[0] == "item_not_found"


def test_reward_calls_do_not_reach_items(client: TestClient) -> None:
    """Items share the rewards table, but a buyx campaign has no rewards: reward calls never see its items."""
    item_id = _add(client)
    for call_type in ("campaign_update", "campaign_delete"):
        fields = {"type": call_type, "action": "reward", "campaign_id": BUYX, "reward_id": item_id}
        assert error_of(call(client, {**fields, "new_reward_description": "Changed"}))[0] == "reward_not_found"
    listed = call(client, {"type": "campaign_rewards", "campaign_id": BUYX})
    assert status_of(listed) == "success"
    assert listed.findall("rewards/reward") == []
    assert [item["description"] for item in _items(client)] == ["Widget"]
