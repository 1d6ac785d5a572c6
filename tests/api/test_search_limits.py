"""The work one search may ask for is bounded, with ``parameter_invalid`` naming the limit, on both stores: the
inputs that ran for seconds, grew the process by gigabytes or broke the store (LIKE patterns past 50,000 bytes on
SQLite, more than 32,767 bound values on PostgreSQL, a thousand-word customer_find) are refused before any SQL."""

from __future__ import annotations

from typing import Final

import pytest
from starlette.testclient import TestClient

from loyalty_api.campaigns.lists import SEARCH_MAX_VALUES, SEARCH_VALUE_LIMIT
from loyalty_api.customers.customer_search import (
    FIND_MAX_CHARACTERS,
    FIND_MAX_GROUPS,
    FIND_MAX_WORDS,
)
from loyalty_api.customers.customer_search import SEARCH_VALUE_LIMIT as CUSTOMER_VALUE_LIMIT
from tests.support.api import call, error_of, status_of

pytestmark = pytest.mark.usefixtures("backend")

JANE: Final = "8000000000000001"


def _find(client: TestClient, text: str) -> tuple[str, str]:
    root = call(client, {"type": "customer_find", "find_customer": text})
    return (status_of(root), "") if status_of(root) != "error" else error_of(root)


def test_customer_find_takes_at_most_twenty_words_in_ten_alternatives(client: TestClient) -> None:
    largest = ", ".join(f"w{n}a w{n}b" for n in range(FIND_MAX_GROUPS))
    assert len(largest.split()) == FIND_MAX_WORDS
    assert _find(client, largest) == ("no_match", "")
    assert _find(client, "jane doe")[0] == "success"
    code, message = _find(client, largest + " one")
    assert code == "parameter_invalid"
    assert message == (
        "The field find_customer may hold at most 20 words in at most 10 alternatives, not 21 words in 10."
    )
    eleven = ", ".join(f"w{n}" for n in range(FIND_MAX_GROUPS + 1))
    assert _find(client, eleven) == (
        "parameter_invalid",
        "The field find_customer may hold at most 20 words in at most 10 alternatives, not 11 words in 11.",
    )
    # The probe that stalled the server: 120 alternatives of 120 words (about 29 KB).
    probe = ",".join(" ".join(f"w{group}x{word}" for word in range(120)) for group in range(120))
    assert _find(client, probe) == (
        "parameter_invalid",
        f"The field find_customer may hold at most 256 characters, not {len(probe)}.",
    )


def test_customer_find_takes_at_most_256_characters(client: TestClient) -> None:
    exactly = "x" * FIND_MAX_CHARACTERS
    assert _find(client, exactly) == ("no_match", "")
    assert _find(client, exactly + "y") == (
        "parameter_invalid",
        "The field find_customer may hold at most 256 characters, not 257.",
    )
    assert _find(client, " ".join(["w"] * 1000))[0] == "parameter_invalid"  # a thousand words


def test_customer_search_values_are_bounded(client: TestClient) -> None:
    at_limit = call(client, {"type": "customer_search", "last_name": "d" * CUSTOMER_VALUE_LIMIT})
    assert status_of(at_limit) == "no_match"
    over = call(client, {"type": "customer_search", "last_name": "d" * (CUSTOMER_VALUE_LIMIT + 1)})
    assert error_of(over) == ("parameter_invalid", "A search on last_name takes at most 255 characters, not 256.")
    exists = call(client, {"type": "customer_exists", "email": "e" * 60_000})
    assert error_of(exists) == ("parameter_invalid", "A search on email takes at most 255 characters, not 60000.")


@pytest.mark.parametrize("op", ["cn", "bw", "ew", "nc"])
def test_list_search_texts_are_bounded(client: TestClient, op: str) -> None:
    fields = {"type": "campaigns_list", "searchField": "name", "searchOper": op}
    assert status_of(call(client, {**fields, "searchValue": "w" * SEARCH_VALUE_LIMIT})) == "success"
    # Past 50,000 bytes SQLite refuses the LIKE pattern itself ("too complex").
    root = call(client, {**fields, "searchValue": "w" * 60_000})
    assert error_of(root) == ("parameter_invalid", "The field searchValue may hold at most 2000 characters, not 60000.")


@pytest.mark.parametrize("op", ["in", "ni"])
def test_list_search_lists_are_bounded(client: TestClient, op: str) -> None:
    fields = {"type": "campaigns_list", "searchField": "id", "searchOper": op}
    ids = [f"{n:016d}" for n in range(SEARCH_MAX_VALUES)]
    assert status_of(call(client, {**fields, "searchValue": ",".join(ids)})) == "success"
    root = call(client, {**fields, "searchValue": ",".join([*ids, "1"])})
    assert error_of(root) == (
        "parameter_invalid",
        f"The field searchValue may list at most 100 values for {op}, not 101.",
    )
    # Past 32,767 values PostgreSQL refused the statement (503 store_unavailable): refused before, with the limit.
    many = ",".join(str(n) for n in range(40_000))
    root = call(client, {**fields, "searchValue": many})
    assert error_of(root)[0] == "parameter_invalid"
