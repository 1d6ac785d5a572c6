"""XML rendering of a :class:`~renderers.document.Element` tree, written as text.

The output is ``<?xml version="1.0" encoding="UTF-8"?>\\n`` followed by the tree on one line, as
UTF-8 bytes.  Every response is well-formed whatever the texts hold: characters XML 1.0 forbids are
replaced with U+FFFD by :func:`xml_safe`, and ``& < >`` (and in attributes ``"`` and the whitespace
that attribute normalisation would change) are escaped (element and attribute names are trusted: they
come from code).  Repeated containers render their items as child elements; ``inline=True``
containers render their items directly in the parent, without the container element.

The bytes are exactly what lxml's ``etree.tostring(root, encoding="UTF-8")`` gives for the same tree
(an element with neither text nor children is ``<name/>``, one with empty text ``<name></name>``,
``\\r`` is written ``&#13;``): the first versions built the tree with lxml, and a property test holds
this writer to that serialisation, byte for byte.  Writing the text directly costs a third of building
lxml elements one Python call at a time (``docs/performance.md``).
"""

from __future__ import annotations

import re
from typing import Final

from renderers.document import Element

__all__ = ["XML_CONTENT_TYPE", "XmlRenderer", "legacy_ampersands", "render_xml", "xml_safe"]

XML_CONTENT_TYPE = "text/xml; charset=utf-8"

_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

# Everything XML 1.0's ``Char`` production excludes: C0 controls but \t \n \r, lone surrogates,
# U+FFFE and U+FFFF (astral characters are allowed).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_REPLACEMENT = "\ufffd"

# What needs more than a copy: escaped characters and forbidden ones (one search decides for most texts).
_TEXT_SPECIAL: Final = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ATTR_SPECIAL: Final = re.compile('[&<>"\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')
_TEXT_ESCAPES: Final = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
_ATTR_ESCAPES: Final = {**_TEXT_ESCAPES, '"': "&quot;", "\t": "&#9;", "\n": "&#10;"}


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 forbids replaced by U+FFFD (``text`` itself if none)."""
    if _FORBIDDEN.search(text) is None:
        return text
    return _FORBIDDEN.sub(_REPLACEMENT, text)


def _escaped_text(text: str) -> str:
    """``text`` escaped; callers write ``text`` itself when ``_needs_escaping(text)`` is None."""
    return _TEXT_SPECIAL.sub(lambda m: _TEXT_ESCAPES.get(m.group(), _REPLACEMENT), text)


_needs_escaping: Final = _TEXT_SPECIAL.search


def _escaped_attr(value: str) -> str:
    if _ATTR_SPECIAL.search(value) is None:
        return value
    return _ATTR_SPECIAL.sub(lambda m: _ATTR_ESCAPES.get(m.group(), _REPLACEMENT), value)


def _write(parts: list[str], elem: Element, texts: list[str] | None) -> None:
    """``elem`` added to ``parts``.  ``texts`` None: each text escaped as it needs; else each text written as it is and
    added to ``texts``, for the caller to check them all at once."""
    if elem.inline:
        # The container vanishes: its items stand in the parent (its own text and attributes are dropped).
        for item in elem.children:
            _write(parts, item, texts)
        return
    name = elem.name
    attrs = "".join(f' {key}="{_escaped_attr(value)}"' for key, value in elem.attrs.items()) if elem.attrs else ""
    at = len(parts)
    parts.append(name)  # the start tag's place
    text = elem.text
    if text is not None:
        if texts is not None:
            texts.append(text)
        elif _needs_escaping(text) is not None:
            text = _escaped_text(text)
        parts.append(text)
    for child in elem.children:
        text = child.text
        if text is not None and not child.children and not child.attrs and not child.inline:
            # The common case, a plain text element, written here rather than by a call of its own.
            if texts is not None:
                texts.append(text)
            elif _needs_escaping(text) is not None:
                text = _escaped_text(text)
            name_ = child.name
            parts.append(f"<{name_}>{text}</{name_}>")
        else:
            _write(parts, child, texts)
    if len(parts) == at + 1:  # no text and nothing rendered inside (inline containers may render nothing)
        parts[at] = f"<{name}{attrs}/>"
    else:
        parts[at] = f"<{name}{attrs}>"
        parts.append(f"</{name}>")


def render_xml(doc: Element) -> bytes:
    """The XML declaration and ``doc`` as UTF-8 bytes."""
    parts: list[str] = []
    texts: list[str] = []
    _write(parts, doc, texts)
    # Most documents have no text to escape: a test of all their texts at once costs a third of a search per text.
    # Printable characters are never forbidden ones, nor "\r"; a document with any other is written again, each text
    # escaped as it needs.
    every = "".join(texts)
    if not every.isprintable() or "&" in every or "<" in every or ">" in every:
        parts = []
        _write(parts, doc, None)
    return _DECLARATION + "".join(parts).encode("utf-8")


def legacy_ampersands(xml: bytes) -> bytes:
    """``xml`` (as :func:`render_xml` wrote it) with every ``&`` of a text left bare, as an old server sent them for
    clients that escape them again themselves (``str_replace('&', '&amp;', $xml)``).  Only ``&``: ``<`` and ``>`` stay
    escaped.  The result is not well-formed XML when a text holds ``&``: strict parsers refuse it.

    :func:`render_xml` writes ``&amp;`` only for an ``&`` of a text (attribute values never hold one: they come
    from code), so undoing that escape leaves every text's ``&`` bare and nothing else changed.
    """
    return xml.replace(b"&amp;", b"&")


class XmlRenderer:
    """The built-in ``output=xml`` renderer (``condensed`` makes no difference)."""

    name = "xml"
    content_type = XML_CONTENT_TYPE

    def render(self, doc: Element, *, condensed: bool = False) -> bytes:
        return render_xml(doc)
