"""Property test: ``customer_search`` in each ``exact_match`` mode agrees with a model, on non-ASCII text, on both
stores."""

from __future__ import annotations

import itertools
from typing import Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tests.support.api import call
from tests.support.customers import LEGACY_CODE, new

# Letters whose lower case is one letter, the same in Python, SQLite's registered fold and PostgreSQL's lower()
# (no final sigma, no dotted capital I, no ß).
_ALPHABET: Final = "aAbBäÄöÖéÉçÇåÅжЖщЩ "
_NAMES: Final = st.text(_ALPHABET, min_size=1, max_size=6).map(str.strip).filter(bool)
_MODES: Final = st.sampled_from([None, "insensitive", "sensitive"])
_codes = itertools.count(1)


def _model(mode: str | None, needle: str, value: str) -> bool:
    if mode is None:
        return needle.lower() in value.lower()
    if mode == "insensitive":
        return needle.lower() == value.lower()
    return needle == value


@pytest.fixture
def stored() -> dict[str, str]:
    """code -> last name of every customer of the account, as the test created them."""
    return {LEGACY_CODE: "Doe"}


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(names=st.lists(_NAMES, min_size=1, max_size=3), needle=_NAMES, mode=_MODES)
def test_search_agrees_with_the_model(
    client: TestClient, stored: dict[str, str], names: list[str], needle: str, mode: str | None
) -> None:
    for name in names:
        code = f"Q{next(_codes)}"
        assert new(client, code=code, last_name=name).get("status") == "success"
        stored[code] = name
    fields = {"type": "customer_search", "last_name": needle, "length": "1000"}
    if mode is not None:
        fields["exact_match"] = mode
    root = call(client, fields)
    found = [str(node.findtext("code")) for node in root.findall("customer")]
    expected = [code for code, name in stored.items() if _model(mode, needle, name)]
    assert found == expected
    assert root.get("status") == ("success" if expected else "no_match")
