"""Golden files of the campaign family's answers: ``tests/golden/campaigns/<call>/<case>.<xml|json>``.

Each case is one request, answered by the real app over HTTP on a fresh demo database, in XML and in JSON.  What
differs from run to run is replaced before comparing: new campaign ids (random) in ``<id>`` by ``NEW_CAMPAIGN_ID`` and
creation stamps by ``YYYY-MM-DD HH:MM:SS``.  After an intended change to an answer, regenerate the files and review
the diff::

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_campaign_new.py tests/test_campaign_rewards.py \\
        tests/test_campaigns_list.py tests/test_campaign_lifecycle.py
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import pytest
from starlette.testclient import TestClient

from loyalty_api.demo import DEMO_CAMPAIGNS
from tests.support.api import ADMIN

__all__ = ["GOLDEN_ROOT", "GoldenCase", "check_golden_case", "check_no_stray_files", "golden_params"]

GOLDEN_ROOT: Final = Path(__file__).resolve().parent.parent / "golden" / "campaigns"
FORMS: Final[dict[str, dict[str, str]]] = {"xml": {}, "json": {"output": "JSON"}}
CONTENT_TYPES: Final = {"xml": "text/xml; charset=utf-8", "json": "application/json"}
_DEMO_IDS: Final = frozenset(campaign_id.encode() for _account, campaign_id, *_rest in DEMO_CAMPAIGNS)
_ID: Final = re.compile(rb'(<id>|"id": ")(\d{16})(?!\d)')
_STAMP: Final = re.compile(rb"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


@dataclass(frozen=True)
class GoldenCase:
    name: str
    fields: dict[str, str]
    user: tuple[str, str, str] = ADMIN
    # A success that changes the store: each form is a test of its own, on its own fresh database.
    changes_state: bool = False
    forms: tuple[str, ...] = field(default=tuple(FORMS))


def golden_params(cases: Sequence[GoldenCase]) -> list[object]:
    """``pytest.param(case, forms)`` for each test: both forms at once, or one form a test if the case writes."""
    params: list[object] = []
    for case in cases:
        groups = [(form,) for form in case.forms] if case.changes_state else [case.forms]
        for forms in groups:
            params.append(pytest.param(case, forms, id=f"{case.name}.{'+'.join(forms)}"))
    return params


def check_golden_case(client: TestClient, directory: str, case: GoldenCase, forms: tuple[str, ...]) -> None:
    account_id, user_id, key = case.user
    for form in forms:
        data = {"account_id": account_id, "user_id": user_id, "user_password": key, **case.fields, **FORMS[form]}
        reply = client.post("/api.php", data=data)
        assert reply.status_code == 200
        assert reply.headers["content-type"] == CONTENT_TYPES[form]
        _check_golden(GOLDEN_ROOT / directory / f"{case.name}.{form}", _normalized(reply.content))


def check_no_stray_files(directory: str, cases: Sequence[GoldenCase]) -> None:
    expected = {f"{case.name}.{form}" for case in cases for form in case.forms}
    folder = GOLDEN_ROOT / directory
    present = {path.name for path in folder.iterdir() if not path.name.startswith(".")} if folder.is_dir() else set()
    assert present == expected


def _normalized(body: bytes) -> bytes:
    body = _ID.sub(lambda m: m.group(0) if m.group(2) in _DEMO_IDS else m.group(1) + b"NEW_CAMPAIGN_ID", body)
    return _STAMP.sub(b"YYYY-MM-DD HH:MM:SS", body)


def _check_golden(path: Path, body: bytes) -> None:
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    assert path.is_file(), f"{path} is missing: run UPDATE_GOLDEN=1 .venv/bin/python -m pytest (see {__file__})"
    assert body.decode() == path.read_bytes().decode()
