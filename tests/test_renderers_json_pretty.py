"""The indented JSON is written by the renderer itself: byte for byte what the standard library's indenting encoder
gives (``json.JSONEncoder(ensure_ascii=False, indent=2)``, which the renderer used before), for any value."""

from __future__ import annotations

import json
from typing import Final

from hypothesis import given
from hypothesis import strategies as st

from renderers import Element, el, response
from renderers.json import _ESCAPED, JsonValue, _escape, _pretty, render_json, to_json_value

ANY_TEXT: Final = st.text(
    st.characters(exclude_categories=()) | st.sampled_from('\x00\x1f\x7f\ud800\udfff\u2028\u2029"\\/\n\t\r\b\f'),
    max_size=6,
)
_STANDARD: Final = json.JSONEncoder(ensure_ascii=False, check_circular=False, indent=2)

VALUES: Final = st.recursive(
    ANY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ANY_TEXT, inner, max_size=3),
    max_leaves=12,
)


def _standard_bytes(doc: Element) -> bytes:
    """What render_json answered before (the standard encoder, then the same line-terminator escaping)."""
    text = _STANDARD.encode(to_json_value(doc))
    return _ESCAPED.sub(_escape, text).encode()


@given(VALUES)
def test_pretty_is_the_standard_encoder_s_text(value: JsonValue) -> None:
    assert _pretty(value) == _STANDARD.encode(value)


def _containers(children: st.SearchStrategy[Element]) -> st.SearchStrategy[Element]:
    return st.builds(
        lambda name, items, repeated: Element(name, children=items, repeated=repeated),
        st.sampled_from(["c", "d", "t"]),
        st.lists(children, max_size=3),
        st.booleans(),
    )


ELEMENTS: Final = st.recursive(
    st.builds(el, st.sampled_from(["t", "u"]), st.none() | ANY_TEXT), _containers, max_leaves=10
)


@given(ELEMENTS, ANY_TEXT)
def test_documents_render_as_before(child: Element, status: str) -> None:
    doc = response(status, [child, el("error", "x", code=status)])
    assert render_json(doc) == _standard_bytes(doc)
