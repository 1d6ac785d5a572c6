"""The labels of an account's customer custom fields as receipts show them, kept a moment in this process.

A receipt is the answer of every sale, the call point-of-sale terminals make most; reading the account's field
definitions on each would cost a statement per sale (a round trip on PostgreSQL).  So the labels are read once
and kept :data:`LABELS_SECONDS` per store and account.  A change through ``manage_fields`` forgets them in the
process that made it (its next receipt shows the change); other server processes show it within
:data:`LABELS_SECONDS`, as they do a key change (``docs/customers.md``, "Custom fields in answers").
``customer_info`` and ``customer_search`` read the definitions on every call and are never behind.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Final
from weakref import WeakKeyDictionary

from loyalty_api.accounts.custom_fields import field_name
from loyalty_api.store.interface import Store
from loyalty_api.store.models import FieldDefinition
from renderers import Element, el, node

__all__ = ["FIRST_LABEL", "LABELS_SECONDS", "forget_labels", "labelled_field", "labels_of", "receipt_labels"]

LABELS_SECONDS: Final = 2.0
_MAX_ACCOUNTS: Final = 10_000
# store -> account pk -> (monotonic time the labels expire, the labels)
_kept: WeakKeyDictionary[Store, dict[int, tuple[float, Mapping[str, str]]]] = WeakKeyDictionary()


# The label of custom_field_1, a fixed field (manage_fields lists it, and no definition changes it).
FIRST_LABEL: Final = "Custom Field"


def labels_of(definitions: list[FieldDefinition]) -> dict[str, str]:
    """``custom_field_N`` -> label of each definition of customer fields, in number order (never
    ``custom_field_1``, a fixed field: :data:`FIRST_LABEL`)."""
    return {field_name("customer", definition.number): definition.label for definition in definitions}


def labelled_field(name: str, label: str, data: str) -> Element:
    """A numbered custom field as clients read it: ``customer->custom_field_3->label`` and ``->data``."""
    return node(name, [el("label", label), el("data", data)])


async def receipt_labels(store: Store, account_pk: int) -> Mapping[str, str]:
    """The account's customer field labels (:func:`labels_of`), at most :data:`LABELS_SECONDS` old."""
    accounts = _kept.setdefault(store, {})
    now = time.monotonic()
    kept = accounts.get(account_pk)
    if kept is not None and kept[0] > now:
        return kept[1]
    labels = labels_of(await store.list_fields(account_pk, "customer"))
    if len(accounts) >= _MAX_ACCOUNTS:
        accounts.clear()
    accounts[account_pk] = (now + LABELS_SECONDS, labels)
    return labels


def forget_labels(store: Store, account_pk: int) -> None:
    """Read the account's labels again on the next receipt (their definitions changed)."""
    accounts = _kept.get(store)
    if accounts is not None:
        accounts.pop(account_pk, None)
