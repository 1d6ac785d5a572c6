"""The README stays in step with the code: every call and every error code is listed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from loyalty_api.calls._table import CALLS
from loyalty_api.errors import CATALOGUE

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.S | re.M)
    assert match is not None, f"README has no section {title!r}"
    return match.group(1)


_CALLS: list[tuple[str, str | None]] = sorted(CALLS, key=lambda key: (key[0], key[1] or ""))


@pytest.mark.parametrize(("call_type", "action"), _CALLS)
def test_every_call_is_in_the_readme(call_type: str, action: str | None) -> None:
    rows = [line for line in _section("The calls").splitlines() if f"`{call_type}`" in line]
    assert rows, f"README's call table lacks {call_type}"
    if action is not None:
        assert any(f"`{action}`" in row for row in rows), f"README's call table lacks {call_type} / {action}"


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_error_code_is_in_the_readme(code: str) -> None:
    spec = CATALOGUE[code]
    assert f"| `{code}` | {spec.http_status} |" in _section("Errors")
