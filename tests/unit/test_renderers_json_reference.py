"""The JSON renderer against what it replaced, byte for byte, for any value or document: the indented text it writes
itself against the standard library's indenting encoder (``json.JSONEncoder(ensure_ascii=False, indent=2)``), and
the mapping of the tree (with its shortcut for plain text elements) against the mapping as first written."""

from __future__ import annotations

import json
from typing import Final

from hypothesis import given
from hypothesis import strategies as st

from renderers import Element, el, response
from renderers.json import _ESCAPED, JsonValue, _escape, _pretty, render_json, to_json_value

_Object = dict[str, JsonValue]

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


def _reference_put(obj: _Object, elem: Element) -> None:
    if elem.repeated:
        obj[elem.name] = [_reference_item(item) for item in elem.children]
    elif elem.children or (elem.text is None and elem.attrs):
        obj[elem.name] = _reference_object(elem)
    else:
        obj[elem.name] = elem.text or ""
        for attr, value in elem.attrs.items():
            obj[f"{elem.name}_{attr}"] = value


def _reference_item(elem: Element) -> JsonValue:
    if elem.repeated:
        return [_reference_item(item) for item in elem.children]
    if elem.children or (elem.text is None and elem.attrs):
        return _reference_object(elem)
    if not elem.attrs:
        return elem.text or ""
    obj: _Object = {elem.name: elem.text or ""}
    for attr, value in elem.attrs.items():
        obj[f"{elem.name}_{attr}"] = value
    return obj


def _reference_object(elem: Element) -> _Object:
    obj: _Object = dict(elem.attrs)
    for child in elem.children:
        _reference_put(obj, child)
    return obj


def _reference_value(doc: Element) -> _Object:
    attrs = doc.attrs
    if "status" in attrs and next(iter(attrs)) != "status":
        obj: _Object = {"status": attrs["status"]}
        obj.update(attrs)
    else:
        obj = dict(attrs)
    for child in doc.children:
        _reference_put(obj, child)
    return obj


_NAMES: Final = st.sampled_from(["a", "b", "a_c", "status", "id"])
_ATTRS: Final = st.dictionaries(st.sampled_from(["c", "id", "status"]), ANY_TEXT, max_size=2)


def _any_elements(children: st.SearchStrategy[Element]) -> st.SearchStrategy[Element]:
    return st.builds(
        Element, _NAMES, st.none() | ANY_TEXT, _ATTRS, st.lists(children, max_size=3), st.booleans(), st.booleans()
    )


ANY_ELEMENTS: Final = st.recursive(
    st.builds(Element, _NAMES, st.none() | ANY_TEXT, _ATTRS | st.just({}), st.just([]), st.booleans(), st.booleans()),
    _any_elements,
    max_leaves=12,
)


@given(st.lists(ANY_ELEMENTS, max_size=4), _ATTRS, ANY_TEXT, st.booleans())
def test_the_tree_maps_as_first_written(
    children: list[Element], attrs: dict[str, str], status: str, condensed: bool
) -> None:
    doc = response(status, children, attrs)
    expected = _reference_value(doc)
    assert to_json_value(doc) == expected
    assert list(to_json_value(doc)) == list(expected)
    standard = (
        json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":")) if condensed else _STANDARD
    )
    assert render_json(doc, condensed=condensed) == _ESCAPED.sub(_escape, standard.encode(expected)).encode()
