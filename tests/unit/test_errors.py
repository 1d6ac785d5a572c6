"""The error catalogue on its own, and ``docs/errors.md`` in step with it.

Adding an error code to ``loyalty_api/errors.py`` takes two more steps, which the tests enforce:

1. add to ``TRIGGERS`` in ``tests/api/test_error_answers.py`` a request that makes the server answer with the new
   code;
2. regenerate the documentation and review the diff::

       UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/unit/test_errors.py
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest

from loyalty_api.errors import CATALOGUE, ApiError, catalogue_markdown
from tests.support.golden import update_golden

ROOT: Final = Path(__file__).resolve().parents[2]
ERRORS_DOC: Final = ROOT / "docs" / "errors.md"


def test_every_code_raised_in_the_source_is_in_the_catalogue() -> None:
    raised: set[str] = set()
    for path in (ROOT / "loyalty_api").rglob("*.py"):
        raised.update(re.findall(r'ApiError\(\s*"(\w+)"', path.read_text(encoding="utf-8")))
    assert raised, "no ApiError found: the pattern is out of date"
    assert raised <= set(CATALOGUE), raised - set(CATALOGUE)


def test_api_error_fills_the_template() -> None:
    error = ApiError("parameter_missing", field="campaign_id")
    assert (error.code, error.message, error.http_status) == (
        "parameter_missing",
        "The field campaign_id is required.",
        200,
    )
    assert str(error) == error.message


def test_catalogue_entries_are_complete() -> None:
    for code, spec in CATALOGUE.items():
        assert spec.code == code and re.fullmatch(r"[a-z][a-z_]*[a-z]", code)
        assert spec.template and spec.description.strip()
        assert spec.http_status in (200, 400, 405, 413, 415, 503)


# --- docs/errors.md ---------------------------------------------------------------------------------------------


def _doc_rows() -> Iterator[list[str]]:
    for line in catalogue_markdown().splitlines():
        if line.startswith("| `"):
            yield [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]


def test_docs_list_every_code_with_status_message_and_when() -> None:
    rows = list(_doc_rows())
    assert [row[0] for row in rows] == [f"`{code}`" for code in CATALOGUE]
    for row, spec in zip(rows, CATALOGUE.values(), strict=True):
        assert row[1] == str(spec.http_status)
        assert row[2].replace("\\|", "|") == spec.template
        assert row[3].replace("\\|", "|") == spec.description


def _check_generated(doc: Path) -> None:
    """``doc`` is ``catalogue_markdown()``, the file first rewritten when ``UPDATE_GOLDEN`` says so."""
    expected = catalogue_markdown()
    if update_golden():
        doc.parent.mkdir(exist_ok=True)
        doc.write_text(expected, encoding="utf-8")
    assert doc.exists(), "run: UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/unit/test_errors.py"
    assert doc.read_text(encoding="utf-8") == expected, (
        f"{doc.name} is out of date; run: UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/unit/test_errors.py"
    )


def test_docs_errors_md_is_generated_from_the_catalogue() -> None:
    _check_generated(ERRORS_DOC)


@pytest.mark.parametrize("value", ["0", "", "no", "false", "False", "off", "2"])
def test_only_an_explicit_update_golden_rewrites_the_doc(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str
) -> None:
    stale = tmp_path / "errors.md"
    stale.write_text("stale\n", encoding="utf-8")
    monkeypatch.setenv("UPDATE_GOLDEN", value)
    with pytest.raises(AssertionError, match="errors.md is out of date"):
        _check_generated(stale)
    assert stale.read_text(encoding="utf-8") == "stale\n"


@pytest.mark.parametrize("value", ["1", "true", "yes", "Y", " on "])
def test_update_golden_rewrites_the_doc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str) -> None:
    stale = tmp_path / "errors.md"
    stale.write_text("stale\n", encoding="utf-8")
    monkeypatch.setenv("UPDATE_GOLDEN", value)
    _check_generated(stale)
    assert stale.read_text(encoding="utf-8") == catalogue_markdown()
