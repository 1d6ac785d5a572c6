"""The exact bytes the server answers to the specification's ``campaign_update``, against ``tests/golden/api/``.

Three answers (``success``, ``warnings``: a success carrying warnings, ``error``: wrong credentials), each in
every output form: ``xml``, ``json`` (pretty), ``condensed.json``, ``jsonp`` (pretty) and ``condensed.jsonp``.
The files are named ``<answer>.<form>``; the requests go over HTTP to the real app on a fresh demo database, and
every backend must answer the same bytes.  After an intended change to the output, regenerate the files and
review the diff::

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/api/test_golden_wire_formats.py
"""

from __future__ import annotations

from typing import Final

import pytest
from starlette.testclient import TestClient

from tests.support.demo import SPEC_GIFTCARD
from tests.support.golden import GOLDEN_ROOT, check_golden, check_no_stray_files

GOLDEN_DIR: Final = GOLDEN_ROOT / "api"
CALLBACK: Final = "handleResponse"

ANSWERS: Final[dict[str, dict[str, str]]] = {
    "success": SPEC_GIFTCARD,
    # Legacy Points already has transactions: both opt-out changes are ignored with a warning each.
    "warnings": {
        **SPEC_GIFTCARD,
        "campaign_id": "1234567890123455",
        "new_campaign_name": "Legacy Points Renamed",
        "coalition_opt_out": "Y",
        "two_tier_opt_out": "Y",
    },
    "error": {**SPEC_GIFTCARD, "user_password": "not-the-right-key"},
}

FORMS: Final[dict[str, tuple[dict[str, str], str]]] = {
    "xml": ({}, "text/xml; charset=utf-8"),
    "json": ({"output": "JSON"}, "application/json"),
    "condensed.json": ({"output": "JSON", "condensed": "yes"}, "application/json"),
    "jsonp": ({"callback": CALLBACK}, "application/javascript; charset=utf-8"),
    "condensed.jsonp": ({"callback": CALLBACK, "condensed": "yes"}, "application/javascript; charset=utf-8"),
}

CASES: Final = [(answer, form) for answer in ANSWERS for form in FORMS]


@pytest.mark.parametrize(("answer", "form"), CASES, ids=[f"{answer}.{form}" for answer, form in CASES])
def test_answer_matches_golden_file(client: TestClient, answer: str, form: str) -> None:
    output, content_type = FORMS[form]
    reply = client.post("/api.php", data={**ANSWERS[answer], **output})
    assert reply.status_code == 200
    assert reply.headers["content-type"] == content_type
    check_golden(GOLDEN_DIR / f"{answer}.{form}", reply.content)


def test_success_is_the_specification_s_answer() -> None:
    # The specification prints the success one element per line; the server sends it on one line after the declaration.
    assert (GOLDEN_DIR / "success.xml").read_bytes() == (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<response status="updated"><campaign><id>1234567890123450</id></campaign></response>'
    )
    assert (GOLDEN_DIR / "success.condensed.json").read_bytes() == (
        b'{"status":"updated","campaign":{"id":"1234567890123450"}}'
    )


def test_no_stray_golden_files() -> None:
    check_no_stray_files("api", {f"{answer}.{form}" for answer, form in CASES})
