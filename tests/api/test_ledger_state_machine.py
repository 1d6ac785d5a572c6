"""A hypothesis state machine over the ledger: it records, redeems and deletes transactions with random amounts in
every campaign type, through HTTP, and after every step checks each balance against a model: the balance
customer_balance shows equals the model's, equals the sum of the transactions it lists, and is never negative;
and every running balance (``ledger_balances``) equals the sums of its ledger entries (``Store.balance_mismatches``,
what ``loyalty-api db check`` runs).

One database serves every example; each example works on a customer of its own (new code), so it starts from
empty balances, and on a reward and an item it creates.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Final

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from lxml import etree
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from tests.support.api import call, outcome
from tests.support.balances import balance_mismatches
from tests.support.demo import BUYX, EARNED, EVENTS, GIFTCARD, POINTS
from tests.support.properties import machine_settings

# campaign id -> type (demo: points ratio 100, earned 5.95 per event)
CAMPAIGNS: Final = {GIFTCARD: "giftcard", POINTS: "points", BUYX: "buyx", EARNED: "earned", EVENTS: "events"}
CENTS: Final = st.integers(min_value=1, max_value=50_000)
KINDS: Final = st.sampled_from(sorted(CAMPAIGNS))
PICK: Final = st.integers(min_value=0, max_value=2**16)
_CODES: Final = itertools.count(1)


def _money(cents: int) -> str:
    return str(Decimal(cents) / 100)


class LedgerMachine(RuleBasedStateMachine):
    client: TestClient  # set on the class by the test
    database: Settings  # the database of client

    def __init__(self) -> None:
        super().__init__()
        self.code = ""
        self.reward_id = ""
        self.item_id = ""
        self.balance: dict[str, int] = dict.fromkeys(CAMPAIGNS, 0)  # hundredths
        self.entries: dict[str, list[tuple[str, int]]] = {campaign_id: [] for campaign_id in CAMPAIGNS}

    @initialize()
    def new_customer_reward_and_item(self) -> None:
        self.code = f"SM{next(_CODES):06d}"
        new = {"type": "record_customer", "customer_action": "new", "code": self.code}
        assert outcome(call(self.client, new)) == "success"
        reward = {"type": "campaign_new", "action": "reward", "campaign_id": EVENTS, "reward_level": "2"}
        self.reward_id = str(call(self.client, {**reward, "reward_description": "R"}).findtext("campaign/reward/id"))
        item = {"type": "campaign_new", "action": "item", "campaign_id": BUYX, "reward_level": "3"}
        self.item_id = str(call(self.client, {**item, "item_description": "I"}).findtext("campaign/item/id"))

    def _send(self, call_type: str, campaign_id: str, **fields: str) -> etree._Element:
        return call(self.client, {"type": call_type, "code": self.code, "campaign_id": campaign_id, **fields})

    @rule(campaign_id=KINDS, cents=CENTS)
    def record(self, campaign_id: str, cents: int) -> None:
        kind = CAMPAIGNS[campaign_id]
        fields = {"amount": _money(cents)} if kind in ("points", "giftcard") else {}
        if kind == "buyx":
            fields = {"service_product": self.item_id, "buyx_quantity": str(cents % 5 + 1)}
        root = self._send("record_activity", campaign_id, **fields)
        assert outcome(root) == "success"
        added = {"points": cents * 100, "giftcard": cents, "earned": 595, "events": 100}.get(
            kind, (cents % 5 + 1) * 100
        )
        self.balance[campaign_id] += added
        self.entries[campaign_id].append((str(root.findtext("receipt/transaction/id")), added))

    @rule(campaign_id=KINDS, cents=CENTS)
    def redeem(self, campaign_id: str, cents: int) -> None:
        kind = CAMPAIGNS[campaign_id]
        if kind == "points":
            fields, cost = {"custom_points_redeem": _money(cents * 10)}, cents * 10
        elif kind in ("giftcard", "earned"):
            fields, cost = {"reward_to_redeem": _money(cents)}, cents
        elif kind == "events":
            fields, cost = {"reward_to_redeem": self.reward_id}, 200
        else:
            fields, cost = {"reward_to_redeem": self.item_id}, 300
        answered = outcome(self._send("redeem", campaign_id, **fields))
        if cost <= self.balance[campaign_id]:
            assert answered == "success"
            self.balance[campaign_id] -= cost
            self.entries[campaign_id].append(("?", -cost))  # its id is not needed: only sales are deleted below
        else:
            assert answered == "insufficient_balance"

    @rule(campaign_id=KINDS, pick=PICK)
    def delete(self, campaign_id: str, pick: int) -> None:
        sales = [(i, entry) for i, entry in enumerate(self.entries[campaign_id]) if entry[1] > 0]
        if not sales:
            return
        index, (entry_id, amount) = sales[pick % len(sales)]
        root = self._send("transaction_delete", campaign_id, transaction_id=entry_id)
        if self.balance[campaign_id] - amount >= 0:
            assert outcome(root) == "success"
            self.balance[campaign_id] -= amount
            del self.entries[campaign_id][index]
            assert outcome(self._send("transaction_delete", campaign_id, transaction_id=entry_id)) == (
                "transaction_not_found"
            )
        else:
            assert outcome(root) == "insufficient_balance"

    @invariant()
    def balances_agree_with_the_model_and_the_ledger(self) -> None:
        if not self.code:
            return
        for campaign_id, kind in CAMPAIGNS.items():
            root = self._send("customer_balance", campaign_id)
            if outcome(root) == "customer_not_in_campaign":
                assert self.balance[campaign_id] == 0
                continue
            listed = sum(
                int(Decimal(str(t.findtext("amount"))) * 100)
                for t in root.findall("campaign/customer/transactions/transaction")
            )
            if kind == "buyx":
                shown = root.findtext("campaign/customer/items/item/balance") or "0"
            else:
                shown = str(root.findtext("campaign/customer/balance"))
            balance = int(Decimal(shown) * 100)
            assert balance == self.balance[campaign_id] == listed
            assert balance >= 0

    @invariant()
    def running_balances_equal_the_ledger_sums(self) -> None:
        assert balance_mismatches(self.database) == []


def test_balances_agree_with_a_model(shared_client: TestClient, shared_settings: Settings) -> None:
    LedgerMachine.client = shared_client
    LedgerMachine.database = shared_settings
    run_state_machine_as_test(LedgerMachine, settings=machine_settings(max_examples=10, steps=12))
