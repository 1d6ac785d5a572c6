"""JSONP: the callback grammar, the ``/**/callback(<json>);`` wrapping, and the headers."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renderers import JSONP_CONTENT_TYPE, JSONP_HEADERS, Element, el, is_valid_callback, render_jsonp, response
from renderers.json import render_json
from renderers.jsonp import CALLBACK_MAX_LENGTH

_FIRST = frozenset(string.ascii_letters + "_$")
_REST = _FIRST | frozenset(string.digits)

SEGMENTS = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(sorted(_FIRST)),
    st.text(st.sampled_from(sorted(_REST)), max_size=12),
)
VALID_PATHS = st.lists(SEGMENTS, min_size=1, max_size=12).map(".".join).filter(lambda p: len(p) <= CALLBACK_MAX_LENGTH)
# Text made mostly of the characters that matter to the grammar, so near misses are common.
NEAR_MISSES = st.text(st.sampled_from("aZ_$09.é١ \n-(") | st.characters(), max_size=140)
ANY_TEXT = st.text(st.characters(exclude_categories=()) | st.sampled_from('\x00\ud800\udfff\u2028\u2029"\\/\n)(;*'))


def _reference_is_valid_callback(name: str) -> bool:
    """The callback grammar checked one character at a time, without regular expressions."""
    if not 0 < len(name) <= CALLBACK_MAX_LENGTH:
        return False
    at_segment_start = True
    for char in name:
        if char == ".":
            if at_segment_start:
                return False
            at_segment_start = True
        elif at_segment_start:
            if char not in _FIRST:
                return False
            at_segment_start = False
        elif char not in _REST:
            return False
    return not at_segment_start


def _body(output: bytes, callback: str) -> bytes:
    prefix = b"/**/" + callback.encode() + b"("
    assert output.startswith(prefix)
    assert output.endswith(b");")
    return output[len(prefix) : -len(b");")]


def test_example() -> None:
    doc = response("error", [el("error", "Missing", code="parameter_missing")])
    assert render_jsonp(doc, "cb", condensed=True) == (
        b'/**/cb({"status":"error","error":"Missing","error_code":"parameter_missing"});'
    )


@pytest.mark.parametrize("condensed", [True, False])
def test_wraps_the_json_rendering(condensed: bool) -> None:
    doc = response("updated", [Element("campaign", children=[el("id", "1234567890123450")])])
    output = render_jsonp(doc, "jQuery_1.done$", condensed=condensed)
    assert _body(output, "jQuery_1.done$") == render_json(doc, condensed=condensed)


def test_headers() -> None:
    assert JSONP_CONTENT_TYPE == "application/javascript; charset=utf-8"
    assert dict(JSONP_HEADERS) == {
        b"content-type": b"application/javascript; charset=utf-8",
        b"x-content-type-options": b"nosniff",
    }
    assert all(name == name.lower() for name, _ in JSONP_HEADERS)


@pytest.mark.parametrize(
    "name", ["cb", "$", "_", "a1", "$.jQuery_123", "jQuery111308.callback_9", "a.b.c.d", "A" * CALLBACK_MAX_LENGTH]
)
def test_valid_callbacks(name: str) -> None:
    assert is_valid_callback(name)


@pytest.mark.parametrize(
    "name",
    [
        "",
        "1a",
        ".a",
        "a.",
        "a..b",
        "a.1b",
        "a b",
        "a\n",
        "a-b",
        "a[0]",
        "alert(1)//",
        "é",
        "ａ",
        "a١",
        "A" * (CALLBACK_MAX_LENGTH + 1),
    ],
)
def test_invalid_callbacks(name: str) -> None:
    assert not is_valid_callback(name)
    with pytest.raises(ValueError, match="invalid JSONP callback"):
        render_jsonp(response("ok"), name, condensed=True)


@given(NEAR_MISSES)
def test_grammar_agrees_with_reference_on_arbitrary_text(name: str) -> None:
    assert is_valid_callback(name) == _reference_is_valid_callback(name)


@given(st.text())
def test_grammar_agrees_with_reference_on_any_text(name: str) -> None:
    assert is_valid_callback(name) == _reference_is_valid_callback(name)


@given(VALID_PATHS, st.booleans())
def test_generated_paths_are_valid_and_prefix_the_output(callback: str, condensed: bool) -> None:
    assert _reference_is_valid_callback(callback)
    assert is_valid_callback(callback)
    output = render_jsonp(response("ok"), callback, condensed=condensed)
    assert output.startswith(b"/**/" + callback.encode("ascii") + b"(")


@given(status=ANY_TEXT, text=ANY_TEXT, attr=ANY_TEXT, condensed=st.booleans())
def test_any_text_gives_a_json_body_without_raw_line_separators(
    status: str, text: str, attr: str, condensed: bool
) -> None:
    doc = response(status, [el("message", text, code=attr), Element("w", children=[el("x", text)], repeated=True)])
    body = _body(render_jsonp(doc, "cb", condensed=condensed), "cb").decode("utf-8")
    assert "\u2028" not in body
    assert "\u2029" not in body
    parsed = json.loads(body)
    assert set(parsed) == {"status", "message", "message_code", "w"}
