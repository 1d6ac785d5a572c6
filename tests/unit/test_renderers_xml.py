"""The XML renderer: declaration, mapping of containers, and well-formed output whatever the text."""

from __future__ import annotations

from typing import Final

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from renderers import XML_CONTENT_TYPE, Element, el, get_renderer, response, xml_safe
from renderers.xml import XmlRenderer, render_xml

DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

# Any code point, surrogates included, with the troublesome ones made frequent.
ANY_TEXT = st.text(
    st.characters(exclude_categories=())
    | st.sampled_from("\x00\x01\x08\x0b\x0c\x1f\ud800\udfff\ufffe\uffff\t\n\r<&>\"'")
)


def _reference_allowed(char: str) -> bool:
    """XML 1.0 ``Char``, spelled out from the specification."""
    code = ord(char)
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


def test_campaign_example() -> None:
    doc = response("updated", [Element("campaign", children=[el("id", "1234567890123450")])])
    assert render_xml(doc) == (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<response status="updated"><campaign><id>1234567890123450</id></campaign></response>'
    )


def test_renderer_attributes_and_condensed_makes_no_difference() -> None:
    renderer = XmlRenderer()
    doc = response("error", [el("error", "Missing", code="parameter_missing")])
    assert renderer.name == "xml"
    assert renderer.content_type == XML_CONTENT_TYPE == "text/xml; charset=utf-8"
    assert renderer.render(doc, condensed=True) == renderer.render(doc, condensed=False) == render_xml(doc)
    assert get_renderer("xml") is not None


def test_repeated_container_keeps_its_element_and_items() -> None:
    doc = response("success", [Element("warnings", children=[el("warning", "a"), el("warning", "b")], repeated=True)])
    assert render_xml(doc) == DECLARATION + (
        b'<response status="success"><warnings><warning>a</warning><warning>b</warning></warnings></response>'
    )


def test_inline_container_puts_items_in_parent() -> None:
    items = [Element("customer", children=[el("id", str(n))]) for n in (1, 2)]
    doc = response("success", [Element("customers", children=items, repeated=True, inline=True), el("n", 2)])
    root = etree.fromstring(render_xml(doc))
    assert [child.tag for child in root] == ["customer", "customer", "n"]
    assert [child.findtext("id") for child in list(root)[:2]] == ["1", "2"]


def test_nested_inline_containers_are_all_lifted() -> None:
    inner = Element("inner", children=[el("x", "1")], repeated=True, inline=True)
    outer = Element("outer", children=[inner, el("y", "2")], repeated=True, inline=True)
    assert render_xml(response("ok", [outer])) == DECLARATION + b'<response status="ok"><x>1</x><y>2</y></response>'


def test_empty_inline_container_leaves_nothing() -> None:
    doc = response("ok", [Element("customers", repeated=True, inline=True)])
    assert render_xml(doc) == DECLARATION + b'<response status="ok"/>'


def test_none_and_empty_text() -> None:
    assert (
        render_xml(response("ok", [el("a"), el("b", "")]))
        == DECLARATION + b'<response status="ok"><a/><b></b></response>'
    )


def test_non_ascii_is_utf8_and_markup_is_escaped() -> None:
    body = render_xml(response("ok", [el("name", "Zoë <&> 😀", note='"quoted" & <x>')]))
    assert "Zoë".encode() in body
    assert "😀".encode() in body
    root = etree.fromstring(body)
    assert root[0].text == "Zoë <&> 😀"
    assert root[0].get("note") == '"quoted" & <x>'


def test_forbidden_characters_in_text_and_attributes_become_replacement_characters() -> None:
    doc = response("ok\x00", [el("msg", "a\x01b\ud800c\uffffd", code="x\x1by")])
    root = etree.fromstring(render_xml(doc))
    assert root.get("status") == "ok\ufffd"
    assert root[0].text == "a\ufffdb\ufffdc\ufffdd"
    assert root[0].get("code") == "x\ufffdy"


# The writer tests all the texts of a document at once and copies them as they are unless one holds & < > (or is
# not printable): each of the three characters alone, and mixed, must be escaped.
_ESCAPED_TEXTS: Final = [
    ("&", b"&amp;"),
    ("<", b"&lt;"),
    (">", b"&gt;"),
    ("Tom & Jerry", b"Tom &amp; Jerry"),
    ("a < b", b"a &lt; b"),
    ("b > a", b"b &gt; a"),
    ("<&>", b"&lt;&amp;&gt;"),
    ("x > y & y < z", b"x &gt; y &amp; y &lt; z"),
    ("&amp;", b"&amp;amp;"),
    ("<b>Zoë</b>", "&lt;b&gt;Zoë&lt;/b&gt;".encode()),
]


@pytest.mark.parametrize(("text", "written"), _ESCAPED_TEXTS)
def test_and_lt_gt_are_escaped_in_a_plain_text_element(text: str, written: bytes) -> None:
    doc = response("ok", [el("message", text), el("other", "plain")])
    assert render_xml(doc) == DECLARATION + (
        b'<response status="ok"><message>' + written + b"</message><other>plain</other></response>"
    )


@pytest.mark.parametrize(("text", "written"), _ESCAPED_TEXTS)
def test_and_lt_gt_are_escaped_in_an_element_with_attributes_and_in_a_container(text: str, written: bytes) -> None:
    doc = response("error", [el("error", text, code="x"), Element("items", text, children=[el("item", "i")])])
    assert render_xml(doc) == DECLARATION + (
        b'<response status="error"><error code="x">'
        + written
        + b"</error><items>"
        + written
        + b"<item>i</item></items></response>"
    )


@pytest.mark.parametrize("text", ["", "plain", "tab\tnew\nline\rcr", "Zoë 😀", "\ud7ff\ue000\ufffd\U0010ffff"])
def test_xml_safe_returns_allowed_text_itself(text: str) -> None:
    assert xml_safe(text) is text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\x00", "\ufffd"),
        ("a\x08b\x0bc\x0cd\x1f", "a\ufffdb\ufffdc\ufffdd\ufffd"),
        ("\ud800\udbff\udc00\udfff", "\ufffd" * 4),
        ("x\ufffe\uffffy", "x\ufffd\ufffdy"),
        ("\x00\t\x00", "\ufffd\t\ufffd"),
    ],
)
def test_xml_safe_replaces_forbidden_characters(text: str, expected: str) -> None:
    assert xml_safe(text) == expected


@given(ANY_TEXT)
def test_xml_safe_agrees_with_the_specification(text: str) -> None:
    expected = "".join(char if _reference_allowed(char) else "\ufffd" for char in text)
    assert xml_safe(text) == expected


@given(status=ANY_TEXT, text=ANY_TEXT, attr=ANY_TEXT, item=ANY_TEXT)
def test_any_text_gives_well_formed_xml(status: str, text: str, attr: str, item: str) -> None:
    doc = response(
        status,
        [
            el("message", text, code=attr),
            Element("items", children=[el("item", item, kind=text)], repeated=True),
            Element("inline", children=[el("entry", attr)], repeated=True, inline=True),
        ],
    )
    body = render_xml(doc)
    assert body.startswith(DECLARATION)
    root = etree.fromstring(body)
    assert root.get("status") == xml_safe(status)
    assert (root[0].text or "") == xml_safe(text)
    assert root[0].get("code") == xml_safe(attr)
    assert (root[1][0].text or "") == xml_safe(item)
    assert root[1][0].get("kind") == xml_safe(text)
    assert root[2].tag == "entry"
    assert (root[2].text or "") == xml_safe(attr)


# --- the text writer against lxml's serialisation -------------------------------------------------------------

_NAMES = st.sampled_from(["response", "a", "b", "item", "x-y", "n_1"])


def _trees(depth: int) -> st.SearchStrategy[Element]:
    leaf = st.builds(
        Element,
        _NAMES,
        st.none() | ANY_TEXT,
        st.dictionaries(st.sampled_from(["status", "code", "k"]), ANY_TEXT, max_size=2),
    )
    if depth == 0:
        return leaf
    return leaf | st.builds(
        Element,
        _NAMES,
        st.none() | ANY_TEXT,
        st.dictionaries(st.sampled_from(["status", "code", "k"]), ANY_TEXT, max_size=2),
        st.lists(_trees(depth - 1), max_size=4),
        st.booleans(),
        st.booleans(),
    )


def _lxml_fill(node: etree._Element, elem: Element) -> None:
    if elem.text is not None:
        node.text = xml_safe(elem.text)
    for child in elem.children:
        _lxml_append(node, child)


def _lxml_append(parent: etree._Element, elem: Element) -> None:
    if elem.inline:
        for item in elem.children:
            _lxml_append(parent, item)
        return
    attrs = {name: xml_safe(value) for name, value in elem.attrs.items()}
    _lxml_fill(etree.SubElement(parent, elem.name, attrs or None), elem)


def _rendered_by_lxml(doc: Element) -> bytes:
    """The reference: the tree built with lxml and serialised by it (how the renderer first worked)."""
    root = etree.Element(doc.name, {name: xml_safe(value) for name, value in doc.attrs.items()} or None)
    _lxml_fill(root, doc)
    return DECLARATION + etree.tostring(root, encoding="UTF-8")


@given(_trees(3))
def test_the_text_writer_gives_lxmls_bytes(doc: Element) -> None:
    doc.inline = False  # the root is always an element of its own
    rendered = render_xml(doc)
    assert rendered == _rendered_by_lxml(doc)
    assert etree.fromstring(rendered).tag == doc.name


def test_empty_text_attributes_and_carriage_returns_as_lxml_writes_them() -> None:
    doc = Element("a", "", {"k": "q\r\n\t\"&<>'"}, [Element("b", "x\ry\tz\n&<>\"'"), Element("c")])
    assert (
        render_xml(doc)
        == _rendered_by_lxml(doc)
        == DECLARATION + (b'<a k="q&#13;&#10;&#9;&quot;&amp;&lt;&gt;\'"><b>x&#13;y\tz\n&amp;&lt;&gt;"\'</b><c/></a>')
    )


# Texts as most documents hold them (printable, nothing to escape), now and then with one character that is not
# (written as it is, escaped or replaced; not printable but allowed: tab, newline, no-break space, zero-width joiner).
_SPECIALS = "\x00\x01\x08\x0b\x0c\x1f\ud800\udfff\ufffe\uffff\t\n\r<&>\"'\xa0\u200d"
_PLAIN_TEXT = st.text(
    st.characters(
        codec="utf-8",
        exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"),
        include_characters=" ",
        exclude_characters="&<>",
    )
)
_SOME_TEXT = _PLAIN_TEXT | st.builds(
    lambda head, special, tail: head + special + tail, _PLAIN_TEXT, st.sampled_from(_SPECIALS), _PLAIN_TEXT
)


def _plain_trees(depth: int, text: st.SearchStrategy[str]) -> st.SearchStrategy[Element]:
    leaf = st.builds(Element, _NAMES, st.none() | text, st.dictionaries(st.just("k"), text, max_size=1))
    if depth == 0:
        return leaf
    children = st.lists(_plain_trees(depth - 1, text), max_size=4)
    return leaf | st.builds(Element, _NAMES, st.none() | text, st.just({}), children, st.booleans(), st.booleans())


@given(_plain_trees(3, _PLAIN_TEXT))
def test_documents_with_nothing_to_escape_give_lxmls_bytes(doc: Element) -> None:
    """All texts are written as they are, after one test of them all."""
    doc.inline = False
    assert render_xml(doc) == _rendered_by_lxml(doc)


@given(_plain_trees(3, _SOME_TEXT))
def test_one_text_to_escape_or_replace_anywhere_gives_lxmls_bytes(doc: Element) -> None:
    """A text that needs more than a copy, wherever it is, has the document written again with each text escaped."""
    doc.inline = False
    assert render_xml(doc) == _rendered_by_lxml(doc)
