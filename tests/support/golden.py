"""Golden files: answers kept byte for byte in ``tests/golden/<folder>/<case>.<form>``.

A case is one request (after setup requests, if any) answered by the real app over HTTP on a fresh demo
database, in XML and in JSON.  What differs from run to run is replaced before comparing (new campaign ids,
stamps, dates, generated card numbers: one normalizer per family of answers).  After an intended change to an
answer, regenerate the files and review the diff::

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/api/test_campaign_new.py

``UPDATE_GOLDEN`` rewrites files only when it says so: ``1``, ``true``, ``yes``, ``y`` or ``on`` (any case);
anything else (``0``, ``no``, empty) compares.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import pytest
from starlette.testclient import TestClient

from loyalty_api.demo import DEMO_CAMPAIGNS
from tests.support.api import call, credentials
from tests.support.users import ADMIN, User

__all__ = [
    "FORMS",
    "GOLDEN_ROOT",
    "GoldenCase",
    "campaign_normalized",
    "check_golden",
    "check_golden_case",
    "check_no_stray_files",
    "customer_case",
    "customer_golden_call",
    "customer_golden_tests",
    "customer_normalized",
    "golden_files",
    "golden_params",
    "golden_tests",
    "update_golden",
    "without_dates",
    "without_stamps",
]

GOLDEN_ROOT: Final = Path(__file__).resolve().parent.parent / "golden"
FORMS: Final[dict[str, dict[str, str]]] = {"xml": {}, "json": {"output": "JSON"}}
CONTENT_TYPES: Final = {"xml": "text/xml; charset=utf-8", "json": "application/json"}
CaseTest = Callable[[TestClient, "GoldenCase", tuple[str, ...]], None]
FolderTest = Callable[[], None]
_TRUTHY: Final = frozenset({"1", "true", "yes", "y", "on"})
_DEMO_IDS: Final = frozenset(campaign_id.encode() for _account, campaign_id, *_rest in DEMO_CAMPAIGNS)
_NEW_ID: Final = re.compile(rb'(<id>|"id": ")(\d{16})(?!\d)')
_STAMP: Final = re.compile(rb"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
_DATE: Final = re.compile(rb"(?<!\d)(?!0000-00-00)\d{4}-\d\d-\d\d(?!\d)")  # not the 0000-00-00 of no date
_DAY: Final = re.compile(rb'(_transaction(?:>|": "))\d{4}-\d\d-\d\d')
_GENERATED: Final = re.compile(rb'(<card_number>|"card_number": ")\d{16}(?=<|")')
# The customer calls' files share one folder, tests/golden/customers/; each call's cases are named with these
# prefixes (record_customer's: new*, register, edit).
_CUSTOMER_PREFIXES: Final = {
    "generate_card_number": ("generate_card_number",),
    "customer_info": ("info",),
    "customer_search": ("search", "find", "exists"),
    "validate_customer_password": ("validate",),
    "customer_delete": ("delete",),
}


def update_golden() -> bool:
    """Whether ``UPDATE_GOLDEN`` asks for the files to be rewritten (an explicit truthy value only)."""
    return os.environ.get("UPDATE_GOLDEN", "").strip().lower() in _TRUTHY


def check_golden(path: Path, body: bytes) -> None:
    """``body`` is the file at ``path`` byte for byte, the file first rewritten when ``UPDATE_GOLDEN`` says so."""
    if update_golden():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    assert path.is_file(), f"{path} is missing: run its test with UPDATE_GOLDEN=1 (see {__file__})"
    expected = path.read_bytes()
    assert body.decode(errors="replace") == expected.decode(errors="replace")  # a readable diff
    assert body == expected


def without_stamps(body: bytes) -> bytes:
    """Stamps (``YYYY-MM-DD HH:MM:SS``) replaced."""
    return _STAMP.sub(b"YYYY-MM-DD HH:MM:SS", body)


def without_dates(body: bytes) -> bytes:
    """Dates (``YYYY-MM-DD``) replaced, except the ``0000-00-00`` of no date."""
    return _DATE.sub(b"YYYY-MM-DD", body)


def campaign_normalized(body: bytes) -> bytes:
    """New campaign ids (random, unlike the demo's) in ``<id>`` by ``NEW_CAMPAIGN_ID``, and stamps replaced."""
    body = _NEW_ID.sub(lambda m: m.group(0) if m.group(2) in _DEMO_IDS else m.group(1) + b"NEW_CAMPAIGN_ID", body)
    return without_stamps(body)


def customer_normalized(body: bytes) -> bytes:
    """Stamps, transaction days and generated 16-digit card numbers (by ``GENERATED``) replaced."""
    body = without_stamps(body)
    body = _DAY.sub(rb"\1YYYY-MM-DD", body)
    return _GENERATED.sub(rb"\1GENERATED", body)


def customer_golden_call(name: str) -> str:
    """The call whose golden file in ``tests/golden/customers/`` is ``name``."""
    for call_type, prefixes in _CUSTOMER_PREFIXES.items():
        if name.startswith(prefixes):
            return call_type
    return "record_customer"


@dataclass(frozen=True)
class GoldenCase:
    name: str
    fields: dict[str, str]
    user: User = ADMIN
    # A success that changes the store: each form is a test of its own, on its own fresh database.
    changes_state: bool = False
    forms: tuple[str, ...] = field(default=tuple(FORMS))
    # Requests sent (by the demo administrator) before the case's own, for each form.
    setup: tuple[dict[str, str], ...] = ()


def customer_case(
    name: str, fields: dict[str, str], *, user: User = ADMIN, setup: tuple[dict[str, str], ...] = ()
) -> GoldenCase:
    """A golden case of a customer call: each form on a database of its own (after ``setup``)."""
    return GoldenCase(name, fields, user, changes_state=True, setup=setup)


def golden_params(cases: Sequence[GoldenCase]) -> list[object]:
    """``pytest.param(case, forms)`` for each test: both forms at once, or one form a test if the case writes."""
    params: list[object] = []
    for case in cases:
        groups = [(form,) for form in case.forms] if case.changes_state else [case.forms]
        for forms in groups:
            params.append(pytest.param(case, forms, id=f"{case.name}.{'+'.join(forms)}"))
    return params


def golden_files(cases: Iterable[GoldenCase]) -> set[str]:
    """The names of the files of ``cases``: ``<case>.<form>``."""
    return {f"{case.name}.{form}" for case in cases for form in case.forms}


def check_golden_case(
    client: TestClient,
    folder: str,
    case: GoldenCase,
    forms: tuple[str, ...],
    normalize: Callable[[bytes], bytes] = campaign_normalized,
) -> None:
    """Send ``case`` in each of ``forms`` (after its setup); each answer, normalized, is its file in ``folder``."""
    for form in forms:
        for request in case.setup:
            call(client, request)
        reply = client.post("/api.php", data={**credentials(case.user), **case.fields, **FORMS[form]})
        assert reply.status_code == 200
        assert reply.headers["content-type"] == CONTENT_TYPES[form]
        check_golden(GOLDEN_ROOT / folder / f"{case.name}.{form}", normalize(reply.content))


def check_no_stray_files(folder: str, expected: Iterable[str], *, owns: Callable[[str], bool] = lambda _: True) -> None:
    """The files of ``folder`` that ``owns`` (all of them by default) are exactly ``expected`` (names starting with
    a dot are no golden files)."""
    path = GOLDEN_ROOT / folder
    present = {p.name for p in path.iterdir() if not p.name.startswith(".")} if path.is_dir() else set()
    assert {name for name in present if owns(name)} == set(expected)


def golden_tests(
    folder: str,
    cases: Sequence[GoldenCase],
    normalize: Callable[[bytes], bytes] = campaign_normalized,
    *,
    owns: Callable[[str], bool] = lambda _: True,
    prepare: Callable[[TestClient, GoldenCase], None] | None = None,
    then: Callable[[TestClient, GoldenCase], None] | None = None,
) -> tuple[CaseTest, FolderTest]:
    """The two tests of a module's golden ``cases`` (each on a fresh demo database), to assign to
    ``test_answers_match_golden_files, test_no_stray_golden_files``: each case's answers are its files in
    ``folder`` (``prepare`` runs before the case's requests, ``then`` after them), and no other file there (that
    ``owns`` accepts) is left."""

    @pytest.mark.parametrize(("case", "forms"), golden_params(cases))
    def test_answers_match_golden_files(client: TestClient, case: GoldenCase, forms: tuple[str, ...]) -> None:
        if prepare is not None:
            prepare(client, case)
        check_golden_case(client, folder, case, forms, normalize)
        if then is not None:
            then(client, case)

    def test_no_stray_golden_files() -> None:
        check_no_stray_files(folder, golden_files(cases), owns=owns)

    return test_answers_match_golden_files, test_no_stray_golden_files


def customer_golden_tests(call_type: str, cases: Sequence[GoldenCase]) -> tuple[CaseTest, FolderTest]:
    """:func:`golden_tests` of the cases of one customer call, in ``tests/golden/customers/``."""
    return golden_tests(
        "customers", cases, customer_normalized, owns=lambda name: customer_golden_call(name) == call_type
    )
