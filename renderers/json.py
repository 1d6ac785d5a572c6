"""JSON rendering of a :class:`~renderers.document.Element` tree.

The mapping (``renderers/document.py`` states the rules all renderers share):

* The root ``response`` becomes an object: its attributes first (``status`` first of all), then its
  children in order.
* A repeated container (``repeated=True``, inline or not) becomes an array under the container's
  name; each item is mapped by the rules below, an item that is a text element becoming a plain
  string.  One item or none still gives an array.
* An element with children becomes an object: its attributes as keys, then its children (its text,
  if any, is dropped).
* An element with text becomes a string; its attributes, if any, become sibling keys
  ``"<name>_<attr>"`` (``<error code="x">msg</error>`` -> ``"error": "msg", "error_code": "x"``).
  An array item with text and attributes becomes an object holding those same keys.
* An element with neither text nor children is an empty text element, ``""``, unless it has
  attributes: then it is an object of its attributes.  (Nothing tells an empty container from
  ``el(name, None)``, so an empty non-repeated container also gives ``""``; a list that may be empty
  belongs in a ``repeated`` container, which always gives an array.)
* A :class:`~renderers.document.BoxedList` is an array whose text items are objects
  ``{"xml_value_to_show": text}``.
* Two keys of one object with the same name (children not in a repeated container, or a child named
  like an attribute): the later value wins, at the place where the name first appeared.

Output is UTF-8, non-ASCII characters kept as they are.  U+2028 and U+2029 are escaped as
``\\u2028`` and ``\\u2029`` (required for JSONP, harmless here) and lone surrogates as ``\\udXXX``, so
the bytes are valid UTF-8 and parse back to the same strings (except that a high surrogate followed
by a low one, two code points in a ``str``, reads back as the one character the pair encodes).
``condensed=True`` leaves no whitespace outside strings; the default is indented by 2 spaces.
"""

from __future__ import annotations

import json
import re
from json.encoder import encode_basestring
from typing import TypeAlias

from renderers.document import BoxedList, Element

__all__ = ["JSON_CONTENT_TYPE", "JsonRenderer", "JsonValue", "render_json", "to_json_value"]

JSON_CONTENT_TYPE = "application/json"

JsonValue: TypeAlias = "str | list[JsonValue] | dict[str, JsonValue]"
_JsonObject: TypeAlias = "dict[str, JsonValue]"

# The key of a BoxedList's text items.
_BOX = "xml_value_to_show"
_CONDENSED = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":"))

# Characters escaped although ``ensure_ascii=False``: JavaScript line terminators, lone surrogates.
_ESCAPED = re.compile("[\u2028\u2029\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _put_text(obj: _JsonObject, name: str, text: str, attrs: dict[str, str]) -> None:
    """The text-element rule: ``"name": text`` and ``"name_<attr>": value`` per attribute."""
    obj[name] = text
    for attr, value in attrs.items():
        obj[f"{name}_{attr}"] = value


def _put(obj: _JsonObject, elem: Element) -> None:
    """Add ``elem`` to the object of its parent."""
    if type(elem) is BoxedList:
        obj[elem.name] = [{_BOX: item} if isinstance(item := _item(child), str) else item for child in elem.children]
    elif elem.repeated:
        obj[elem.name] = [_item(item) for item in elem.children]
    elif elem.children or (elem.text is None and elem.attrs):
        obj[elem.name] = _object(elem)
    else:
        _put_text(obj, elem.name, elem.text or "", elem.attrs)


def _item(elem: Element) -> JsonValue:
    """One item of a repeated container."""
    if elem.repeated:
        return [_item(item) for item in elem.children]
    if elem.children or (elem.text is None and elem.attrs):
        return _object(elem)
    if not elem.attrs:
        return elem.text or ""
    obj: _JsonObject = {}
    _put_text(obj, elem.name, elem.text or "", elem.attrs)
    return obj


def _object(elem: Element) -> _JsonObject:
    obj: _JsonObject = dict(elem.attrs)
    _put_children(obj, elem.children)
    return obj


def _put_children(obj: _JsonObject, children: list[Element]) -> None:
    for child in children:
        if child.children or child.repeated or child.attrs:
            _put(obj, child)
        else:  # the common case, a plain text element (or an empty one): _put's text rule, without its calls
            obj[child.name] = child.text or ""


def to_json_value(doc: Element) -> dict[str, JsonValue]:
    """The JSON object for the root ``doc`` (``status`` first, then the other attributes, then children)."""
    attrs = doc.attrs
    if "status" in attrs and next(iter(attrs)) != "status":
        obj: _JsonObject = {"status": attrs["status"]}
        obj.update(attrs)
    else:
        obj = dict(attrs)
    _put_children(obj, doc.children)
    return obj


def _write_pretty(parts: list[str], value: JsonValue, newline: str) -> None:
    """``value`` as ``json.JSONEncoder(ensure_ascii=False, indent=2)`` writes it, ``newline`` being the line break
    and indent of the line it starts on."""
    if isinstance(value, str):
        parts.append(encode_basestring(value))
        return
    if not value:
        parts.append("{}" if isinstance(value, dict) else "[]")
        return
    inner = newline + "  "
    if isinstance(value, dict):
        separator = "{" + inner
        for key, item in value.items():
            if isinstance(item, str):
                parts.append(f"{separator}{encode_basestring(key)}: {encode_basestring(item)}")
            else:
                parts.append(f"{separator}{encode_basestring(key)}: ")
                _write_pretty(parts, item, inner)
            separator = "," + inner
        parts.append(newline + "}")
    else:
        separator = "[" + inner
        for item in value:
            parts.append(separator)
            _write_pretty(parts, item, inner)
            separator = "," + inner
        parts.append(newline + "]")


def _pretty(value: JsonValue) -> str:
    """``json.JSONEncoder(ensure_ascii=False, indent=2).encode(value)``, written directly: the standard library's
    indenting encoder is pure Python and general, this writer (with its C string escaping) costs a third of it."""
    parts: list[str] = []
    _write_pretty(parts, value, "\n")
    return "".join(parts)


def render_json(doc: Element, *, condensed: bool = False) -> bytes:
    """``doc`` as UTF-8 JSON bytes, indented unless ``condensed``."""
    value = to_json_value(doc)
    text = _CONDENSED.encode(value) if condensed else _pretty(value)
    if not text.isascii():
        text = _ESCAPED.sub(_escape, text)
    return text.encode()


class JsonRenderer:
    """The built-in ``output=json`` renderer."""

    name = "json"
    content_type = JSON_CONTENT_TYPE

    def render(self, doc: Element, *, condensed: bool = False) -> bytes:
        return render_json(doc, condensed=condensed)
