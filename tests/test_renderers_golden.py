"""Every renderer's exact bytes for a few documents, against the files in ``tests/golden/renderers/``.

Each file is named ``<document>.<format>``; the formats are ``xml``, ``json`` (pretty),
``condensed.json``, ``jsonp`` (pretty) and ``condensed.jsonp``.  After an intended change to the
output, regenerate the files and review the diff::

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_renderers_golden.py
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from renderers import Element, el, render_jsonp, response
from renderers.json import render_json
from renderers.xml import render_xml

GOLDEN_DIR = Path(__file__).parent / "golden" / "renderers"
CALLBACK = "jQuery123.done"

DOCUMENTS: dict[str, Callable[[], Element]] = {
    "success": lambda: response("updated", [Element("campaign", children=[el("id", "1234567890123450")])]),
    "error": lambda: response(
        "error", [el("error", "The parameter 'account_id' is missing.", code="parameter_missing")]
    ),
    "warnings": lambda: response(
        "updated",
        [
            Element("customer", children=[el("id", "42"), el("first_name", "Zoë"), el("phone", None)]),
            Element(
                "warnings",
                children=[el("warning", "phone ignored"), el("warning", 'email "a<b>" & co ignored')],
                repeated=True,
            ),
        ],
    ),
    "repeated_one": lambda: response(
        "success",
        [
            Element(
                "campaigns", children=[Element("campaign", children=[el("id", "1"), el("name", "Café")])], repeated=True
            )
        ],
    ),
    "repeated_zero": lambda: response("success", [Element("campaigns", repeated=True)]),
    "inline": lambda: response(
        "success",
        [
            Element(
                "customers",
                children=[
                    Element("customer", children=[el("id", "1"), el("email", "ann@example.com")]),
                    Element("customer", children=[el("id", "2"), el("email", None)]),
                ],
                repeated=True,
                inline=True,
            ),
            el("count", 2),
        ],
    ),
}

FORMATS: dict[str, Callable[[Element], bytes]] = {
    "xml": render_xml,
    "json": lambda doc: render_json(doc, condensed=False),
    "condensed.json": lambda doc: render_json(doc, condensed=True),
    "jsonp": lambda doc: render_jsonp(doc, CALLBACK, condensed=False),
    "condensed.jsonp": lambda doc: render_jsonp(doc, CALLBACK, condensed=True),
}

CASES = [(document, fmt) for document in DOCUMENTS for fmt in FORMATS]


def _check_golden(path: Path, body: bytes) -> None:
    """Compare ``body`` with the file at ``path``, first rewriting the file when ``UPDATE_GOLDEN=1``."""
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    assert path.is_file(), f"{path} is missing: run UPDATE_GOLDEN=1 pytest {__file__}"
    assert body == path.read_bytes()


@pytest.mark.parametrize(("document", "fmt"), CASES, ids=[f"{document}.{fmt}" for document, fmt in CASES])
def test_output_matches_golden_file(document: str, fmt: str) -> None:
    _check_golden(GOLDEN_DIR / f"{document}.{fmt}", FORMATS[fmt](DOCUMENTS[document]()))


def test_no_stray_golden_files() -> None:
    expected = {f"{document}.{fmt}" for document, fmt in CASES}
    present = {path.name for path in GOLDEN_DIR.iterdir() if not path.name.startswith(".")}
    assert present == expected
