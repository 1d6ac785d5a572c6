"""XML rendering of a :class:`~renderers.document.Element` tree through lxml.

The output is ``<?xml version="1.0" encoding="UTF-8"?>\\n`` followed by the tree on one line, as
UTF-8 bytes.  Every response is well-formed whatever the texts hold: characters XML 1.0 forbids are
replaced with U+FFFD by :func:`xml_safe` (element and attribute names are trusted: they come from
code).  Repeated containers render their items as child elements; ``inline=True`` containers render
their items directly in the parent, without the container element.
"""

from __future__ import annotations

import re

from lxml import etree

from renderers.document import Element

__all__ = ["XML_CONTENT_TYPE", "XmlRenderer", "render_xml", "xml_safe"]

XML_CONTENT_TYPE = "text/xml; charset=utf-8"

_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

# Everything XML 1.0's ``Char`` production excludes: C0 controls but \t \n \r, lone surrogates,
# U+FFFE and U+FFFF (astral characters are allowed).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_REPLACEMENT = "\ufffd"


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 forbids replaced by U+FFFD (``text`` itself if none)."""
    if _FORBIDDEN.search(text) is None:
        return text
    return _FORBIDDEN.sub(_REPLACEMENT, text)


def _safe_attrs(attrs: dict[str, str]) -> dict[str, str]:
    return {name: xml_safe(value) for name, value in attrs.items()}


def _fill(node: etree._Element, elem: Element) -> None:
    """Give ``node`` the text and the children of ``elem``."""
    if elem.text is not None:
        node.text = xml_safe(elem.text)
    for child in elem.children:
        _append(node, child)


def _append(parent: etree._Element, elem: Element) -> None:
    if elem.inline:
        # The container vanishes: its items stand in ``parent`` (its own text and attributes are dropped).
        for item in elem.children:
            _append(parent, item)
        return
    _fill(etree.SubElement(parent, elem.name, _safe_attrs(elem.attrs) if elem.attrs else None), elem)


def render_xml(doc: Element) -> bytes:
    """The XML declaration and ``doc`` as UTF-8 bytes."""
    root = etree.Element(doc.name, _safe_attrs(doc.attrs) if doc.attrs else None)
    _fill(root, doc)
    return _DECLARATION + etree.tostring(root, encoding="UTF-8")


class XmlRenderer:
    """The built-in ``output=xml`` renderer (``condensed`` makes no difference)."""

    name = "xml"
    content_type = XML_CONTENT_TYPE

    def render(self, doc: Element, *, condensed: bool = False) -> bytes:
        return render_xml(doc)
