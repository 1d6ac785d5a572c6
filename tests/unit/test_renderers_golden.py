"""Every renderer's exact bytes for a few documents, against the files in ``tests/golden/renderers/``.

Each file is named ``<document>.<format>``; the formats are ``xml``, ``json`` (pretty),
``condensed.json``, ``jsonp`` (pretty) and ``condensed.jsonp``.  After an intended change to the
output, regenerate the files and review the diff::

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/unit/test_renderers_golden.py
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from renderers import Element, el, render_jsonp, response
from renderers.json import render_json
from renderers.xml import render_xml
from tests.support.golden import GOLDEN_ROOT, check_golden, check_no_stray_files

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


@pytest.mark.parametrize(("document", "fmt"), CASES, ids=[f"{document}.{fmt}" for document, fmt in CASES])
def test_output_matches_golden_file(document: str, fmt: str) -> None:
    check_golden(GOLDEN_ROOT / "renderers" / f"{document}.{fmt}", FORMATS[fmt](DOCUMENTS[document]()))


def test_no_stray_golden_files() -> None:
    check_no_stray_files("renderers", {f"{document}.{fmt}" for document, fmt in CASES})
