"""Golden files of the customer calls' answers: ``tests/golden/customers/<case>.<xml|json>``.

Each case is a request (after some setup requests) answered by the real app over HTTP on a fresh demo database,
in XML and in JSON, each form on a database of its own.  What differs from run to run is replaced before
comparing: creation stamps by ``YYYY-MM-DD HH:MM:SS``, transaction dates by ``YYYY-MM-DD``, generated 16-digit card
numbers by ``GENERATED``.  After an intended change to an answer, regenerate the files and review the diff::

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_customer_golden.py
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import pytest
from starlette.testclient import TestClient

from tests.support.api import ADMIN, CLERK, call
from tests.support.customers import POINTS

GOLDEN: Final = Path(__file__).parent / "golden" / "customers"
FORMS: Final[dict[str, dict[str, str]]] = {"xml": {}, "json": {"output": "JSON"}}
_STAMP: Final = re.compile(rb"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
_DAY: Final = re.compile(rb'(_transaction(?:>|": "))\d{4}-\d\d-\d\d')
_GENERATED: Final = re.compile(rb'(<card_number>|"card_number": ")\d{16}(?=<|")')
DEMO: Final = "8000000000000001"
NEW: Final = {"type": "record_customer", "customer_action": "new"}
AMY: Final = {
    **NEW,
    "code": "AMY1",
    "card_number": "4400123",
    "first_name": "Amy",
    "last_name": "Acker",
    "email": "amy@example.com",
    "custom_date": "1970-07-14",
    "custom_field_3": "Gouda",
    "customer_username": "amy70",
    "customer_password": "correct horse",
    "customer_PIN": "2468",
    "campaign_id": POINTS,
}
VALIDATE: Final = {"type": "validate_customer_password", "code": "AMY1"}


@dataclass(frozen=True)
class Case:
    name: str
    fields: dict[str, str]
    setup: tuple[dict[str, str], ...] = ()
    user: tuple[str, str, str] = ADMIN
    extra: dict[str, str] = field(default_factory=dict)


CASES: Final = (
    Case("new", AMY),
    Case("new_generated_card", {**NEW, "code": "G1", "card_number_generate": "16"}),
    Case("register", {"type": "record_customer", "customer_action": "register", "code": "R1", "first_name": "Rae"}),
    Case("edit", {"type": "record_customer", "customer_action": "edit", "code": "AMY1", "last_name": ""}, (AMY,)),
    Case("new_exists", {**NEW, "code": "X", "card_number": "4400123"}, (AMY,)),
    Case("new_mismatch", {**NEW, "card_number": "1", "card_number_generate": "10"}),
    Case("new_bad_date", {**NEW, "custom_date": "1970-13-01"}),
    Case("generate_card_number", {"type": "generate_card_number"}),
    Case("info", {"type": "customer_info", "code": "AMY1"}, (AMY,)),
    Case("info_demo", {"type": "customer_info", "card_number": "", "code": DEMO}),
    Case(
        "info_hidden",
        {"type": "customer_info", "code": "AMY1", "include_balances": "N", "hide_custom_field": "Y"},
        (AMY,),
    ),
    Case("info_not_found", {"type": "customer_info", "code": "nobody"}),
    Case("info_missing", {"type": "customer_info"}),
    Case("search_one", {"type": "customer_search", "last_name": "ACK"}, (AMY,)),
    Case("search_many", {"type": "customer_search", "length": "2"}, (AMY,)),
    Case("search_balances", {"type": "customer_search", "code": DEMO, "include_balances": "Y"}),
    Case("search_no_match", {"type": "customer_search", "first_name": "Nobody"}),
    Case("search_secret", {"type": "customer_search", "customer_password": "x"}),
    Case("find", {"type": "customer_find", "find_customer": "amy acker, jane"}, (AMY,)),
    Case("find_no_match", {"type": "customer_find", "find_customer": "nobody"}),
    Case("exists", {"type": "customer_exists", "code": "AMY1", "email": "AMY@example.com"}, (AMY,)),
    Case("exists_no_match", {"type": "customer_exists", "customer_username": "nobody"}),
    Case("validate", {**VALIDATE, "customer_password": "correct horse"}, (AMY,)),
    Case("validate_wrong", {**VALIDATE, "customer_PIN": "0000"}, (AMY,)),
    Case("validate_locked", {**VALIDATE, "customer_PIN": "2468"}, (AMY, *([{**VALIDATE, "customer_PIN": "1"}] * 5))),
    Case("delete", {"type": "customer_delete", "code": DEMO}),
    Case("delete_denied", {"type": "customer_delete", "code": DEMO}, user=CLERK),
    Case("delete_not_found", {"type": "customer_delete", "code": "nobody"}),
)


def _normalized(body: bytes) -> bytes:
    body = _STAMP.sub(b"YYYY-MM-DD HH:MM:SS", body)
    body = _DAY.sub(rb"\1YYYY-MM-DD", body)
    return _GENERATED.sub(rb"\1GENERATED", body)


@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_answers_match_golden_files(client: TestClient, case: Case, form: str) -> None:
    for request in case.setup:
        call(client, request)
    account_id, user_id, key = case.user
    data = {"account_id": account_id, "user_id": user_id, "user_password": key, **case.fields, **FORMS[form]}
    reply = client.post("/api.php", data=data)
    assert reply.status_code == 200
    body = _normalized(reply.content)
    path = GOLDEN / f"{case.name}.{form}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    assert path.is_file(), f"{path} is missing: run UPDATE_GOLDEN=1 .venv/bin/python -m pytest {__file__}"
    assert body.decode() == path.read_text(encoding="utf-8")


def test_no_stray_golden_files() -> None:
    expected = {f"{case.name}.{form}" for case in CASES for form in FORMS}
    assert {path.name for path in GOLDEN.iterdir()} == expected
