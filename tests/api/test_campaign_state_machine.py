"""A hypothesis state machine over the campaign family: it creates, renames, deactivates, reactivates and deletes
campaigns, and adds, changes and deletes rewards, through HTTP, and after every step checks that
``campaigns_list``, ``campaigns_inactive_list`` and ``campaign_rewards`` agree with a model of what should exist.

One database serves every example of the test (a fresh one per example would be too slow): each example starts
by reading what exists into its model, then the model predicts every answer.  Since what exists differs from
example to example, nothing hypothesis draws may depend on it: a rule draws a number ``pick`` and takes the
``pick % n``-th of the n campaigns (or rewards) it can act on, and does nothing when there is none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from lxml import etree
from starlette.testclient import TestClient

from tests.support.api import call, error_code
from tests.support.demo import EARNED, POINTS
from tests.support.properties import machine_settings
from tests.support.users import MANAGER

TYPES: Final = ("points", "giftcard", "events", "earned", "buyx")
REWARD_TYPES: Final = frozenset({"points", "events"})
# Names and descriptions: letters (any script), digits, punctuation and spaces; the server trims them.
TEXT: Final = st.text(st.characters(categories=("L", "N", "P", "Zs")), min_size=1, max_size=24).filter(str.strip)
LEVELS: Final = st.integers(min_value=1, max_value=10**6)
PICK: Final = st.integers(min_value=0, max_value=2**16)


@dataclass
class ModelReward:
    level: int
    description: str
    identifier: str | None


@dataclass
class ModelCampaign:
    name: str
    type: str
    active: bool = True
    rewards: dict[str, ModelReward] = field(default_factory=dict)


def _ok(root: etree._Element) -> etree._Element:
    assert root.get("status") in ("success", "updated"), etree.tostring(root)
    return root


def _listed(client: TestClient, call_type: str) -> dict[str, tuple[str, str]]:
    root = _ok(call(client, {"type": call_type}))
    listed = {
        str(c.findtext("id")): (str(c.findtext("name")), str(c.findtext("type"))) for c in root.findall("campaigns/")
    }
    assert root.findtext("pagination/total") == str(len(listed))
    return listed


def _rewards(client: TestClient, campaign_id: str) -> list[tuple[str, int, str, str | None]]:
    root = _ok(call(client, {"type": "campaign_rewards", "campaign_id": campaign_id}))
    return [
        (str(r.findtext("id")), int(str(r.findtext("level"))), str(r.findtext("description")), r.findtext("reward_id"))
        for r in root.findall("rewards/reward")
    ]


class CampaignMachine(RuleBasedStateMachine):
    client: TestClient  # set on the class by the test

    def __init__(self) -> None:
        super().__init__()
        self.model: dict[str, ModelCampaign] = {}
        self.deleted: set[str] = set()
        self.touched: str | None = None  # the campaign whose rewards the last step may have changed

    @initialize()
    def read_what_exists(self) -> None:
        for call_type, active in (("campaigns_list", True), ("campaigns_inactive_list", False)):
            for campaign_id, (name, type_) in _listed(self.client, call_type).items():
                campaign = ModelCampaign(name, type_, active)
                for reward_id, level, description, identifier in _rewards(self.client, campaign_id):
                    campaign.rewards[reward_id] = ModelReward(level, description, identifier)
                self.model[campaign_id] = campaign

    def _campaign(self, pick: int, *, with_rewards: bool = False) -> str | None:
        choices = sorted(cid for cid, c in self.model.items() if c.rewards or not with_rewards)
        return choices[pick % len(choices)] if choices else None

    def _reward(self, pick: int) -> tuple[str, str] | None:
        choices = sorted((cid, rid) for cid, c in self.model.items() for rid in c.rewards)
        return choices[pick % len(choices)] if choices else None

    # --- campaigns ---------------------------------------------------------------------------------

    @rule(type_=st.sampled_from(TYPES), name=TEXT)
    def create_campaign(self, type_: str, name: str) -> None:
        fields = {"type": "campaign_new", "action": "campaign", "campaign_type": type_, "campaign_name": name}
        campaign_id = str(_ok(call(self.client, fields)).findtext("campaign/id"))
        assert campaign_id not in self.model and campaign_id not in self.deleted
        self.model[campaign_id] = ModelCampaign(name.strip(), type_)
        self.touched = campaign_id

    @rule(pick=PICK, name=TEXT)
    def rename_campaign(self, pick: int, name: str) -> None:
        campaign_id = self._campaign(pick)
        if campaign_id is None:
            return
        fields = {"type": "campaign_update", "action": "campaign", "campaign_id": campaign_id}
        _ok(call(self.client, {**fields, "new_campaign_name": name}))
        self.model[campaign_id].name = name.strip()

    @rule(pick=PICK, active=st.booleans())
    def set_active(self, pick: int, active: bool) -> None:
        campaign_id = self._campaign(pick)
        if campaign_id is None:
            return
        call_type = "campaign_reactivate" if active else "campaign_deactivate"
        root = _ok(call(self.client, {"type": call_type, "campaign_id": campaign_id}))
        assert root.findtext("campaign/id") == campaign_id
        self.model[campaign_id].active = active

    @rule(pick=PICK)
    def delete_campaign(self, pick: int) -> None:
        campaign_id = self._campaign(pick)
        if campaign_id is None:
            return
        root = _ok(call(self.client, {"type": "campaign_delete", "campaign_id": campaign_id}))
        assert root.find("campaign").get("status") == "deleted"  # type: ignore[union-attr]
        del self.model[campaign_id]
        self.deleted.add(campaign_id)

    @rule(pick=PICK)
    def deleted_campaigns_are_gone(self, pick: int) -> None:
        if not self.deleted:
            return
        campaign_id = sorted(self.deleted)[pick % len(self.deleted)]
        for call_type in ("campaign_rewards", "campaign_deactivate", "campaign_delete"):
            root = call(self.client, {"type": call_type, "campaign_id": campaign_id})
            assert error_code(root) == "campaign_not_found"

    # --- rewards -------------------------------------------------------------------------------------

    @rule(pick=PICK, level=LEVELS, description=TEXT, identifier=st.none() | TEXT)
    def add_reward(self, pick: int, level: int, description: str, identifier: str | None) -> None:
        campaign_id = self._campaign(pick)
        if campaign_id is None:
            return
        fields = {"type": "campaign_new", "action": "reward", "campaign_id": campaign_id, "reward_level": str(level)}
        fields["reward_description"] = description
        if identifier is not None:
            fields["reward_identifier"] = identifier
        root = call(self.client, fields)
        campaign = self.model[campaign_id]
        if campaign.type not in REWARD_TYPES:
            assert error_code(root) == "parameter_mismatch"
            return
        reward_id = str(_ok(root).findtext("campaign/reward/id"))
        assert all(reward_id not in c.rewards for c in self.model.values())
        campaign.rewards[reward_id] = ModelReward(
            level, description.strip(), None if identifier is None else identifier.strip()
        )
        self.touched = campaign_id

    @rule(pick=PICK, level=st.none() | LEVELS, description=st.none() | TEXT, identifier=st.none() | TEXT)
    def update_reward(self, pick: int, level: int | None, description: str | None, identifier: str | None) -> None:
        chosen = self._reward(pick)
        if chosen is None:
            return
        campaign_id, reward_id = chosen
        fields = {"type": "campaign_update", "action": "reward", "campaign_id": campaign_id, "reward_id": reward_id}
        for name, value in (("level", level), ("description", description), ("identifier", identifier)):
            if value is not None:
                fields[f"new_reward_{name}"] = str(value)
        root = call(self.client, fields)
        if level is None and description is None and identifier is None:
            assert error_code(root) == "parameter_missing"
            return
        assert root.find("reward").get("status") == "updated"  # type: ignore[union-attr]
        reward = self.model[campaign_id].rewards[reward_id]
        reward.level = reward.level if level is None else level
        reward.description = reward.description if description is None else description.strip()
        reward.identifier = reward.identifier if identifier is None else identifier.strip()
        self.touched = campaign_id

    @rule(pick=PICK)
    def delete_reward(self, pick: int) -> None:
        chosen = self._reward(pick)
        if chosen is None:
            return
        campaign_id, reward_id = chosen
        fields = {"type": "campaign_delete", "action": "reward", "campaign_id": campaign_id, "reward_id": reward_id}
        assert call(self.client, fields).find("reward").get("status") == "deleted"  # type: ignore[union-attr]
        del self.model[campaign_id].rewards[reward_id]
        assert error_code(call(self.client, fields)) == "reward_not_found"
        self.touched = campaign_id

    # --- what must hold after every step ---------------------------------------------------------

    @invariant()
    def lists_agree_with_the_model(self) -> None:
        for call_type, active in (("campaigns_list", True), ("campaigns_inactive_list", False)):
            expected = {cid: (c.name, c.type) for cid, c in self.model.items() if c.active == active}
            assert _listed(self.client, call_type) == expected

    @invariant()
    def rewards_agree_with_the_model(self) -> None:
        # The rewards of the campaign the step changed (every campaign's are checked when the example ends).
        if self.touched is not None and self.touched in self.model:
            self._check_rewards(self.touched)
        self.touched = None

    def _check_rewards(self, campaign_id: str) -> None:
        rewards = self.model[campaign_id].rewards
        expected = sorted(
            ((rid, r.level, r.description, r.identifier) for rid, r in rewards.items()),
            key=lambda item: (item[1], int(item[0])),
        )
        assert _rewards(self.client, campaign_id) == expected

    def teardown(self) -> None:
        for campaign_id in self.model:
            self._check_rewards(campaign_id)


def test_campaigns_and_rewards_agree_with_a_model(shared_client: TestClient) -> None:
    CampaignMachine.client = shared_client
    run_state_machine_as_test(CampaignMachine, settings=machine_settings(max_examples=25, steps=15))
    # What the examples left behind, seen by the manager: only the campaigns it is allowed.
    root = _ok(call(shared_client, {"type": "campaigns_list"}, MANAGER))
    assert {str(c.findtext("id")) for c in root.findall("campaigns/campaign")} <= {POINTS, EARNED}
