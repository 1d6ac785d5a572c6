"""The neutral document's ``Element`` and ``el``: what they hold, and that every element has a dict and a list of its
own (both are written by hand for speed; the reference here is the plain dataclass they replaced)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from hypothesis import given
from hypothesis import strategies as st

from renderers import Element, el, node

NAMES: Final = st.text(st.characters(categories=["Ll", "Lu", "Nd"]) | st.just("_"), min_size=1, max_size=12)
ATTRS: Final = st.dictionaries(NAMES, st.text(max_size=8), max_size=3)


class _Text(str):
    """A str subclass: ``el`` turns it into a plain ``str``, as ``str()`` does."""


@dataclass(slots=True)
class _Reference:
    name: str
    text: str | None = None
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[_Reference] = field(default_factory=list)
    repeated: bool = False
    inline: bool = False


def _same(elem: Element, reference: _Reference) -> bool:
    return repr(elem) == repr(reference).replace("_Reference(", "Element(")


@given(
    NAMES,
    st.none() | st.text(max_size=8) | st.integers() | st.decimals(allow_nan=False) | st.text().map(_Text),
    ATTRS,
)
def test_el_is_a_text_element_with_its_own_dict_and_list(name: str, text: object, attrs: dict[str, str]) -> None:
    elem = el(name, text, **attrs)
    expected = None if text is None else str(text)
    assert elem == Element(name, expected, dict(attrs), [], False, False)
    assert _same(elem, _Reference(name, expected, dict(attrs)))
    assert elem.text is None or type(elem.text) is str
    other = el(name, text, **attrs)
    assert other.attrs is not elem.attrs and other.children is not elem.children
    elem.attrs["added"] = "1"
    elem.append(el("child"))
    assert other == Element(name, expected, dict(attrs))


@given(NAMES, st.none() | st.text(max_size=8), st.booleans(), st.booleans())
def test_element_defaults_are_fresh_and_given_ones_kept(
    name: str, text: str | None, repeated: bool, inline: bool
) -> None:
    first, second = Element(name, text), Element(name, text)
    assert first.attrs == {} and first.children == [] and not first.repeated and not first.inline
    assert first.attrs is not second.attrs and first.children is not second.children
    first.append(second)
    assert first.find(name) is second and second.children == []
    attrs, children = {"a": "1"}, [el("x", 1)]
    given_ = Element(name, text, attrs, children, repeated, inline)
    assert given_.attrs is attrs and given_.children is children
    assert given_ == Element(
        name=name, text=text, attrs={"a": "1"}, children=[el("x", "1")], repeated=repeated, inline=inline
    )
    assert _same(given_, _Reference(name, text, {"a": "1"}, [_Reference("x", "1")], repeated, inline))
    assert dataclasses.replace(given_, text="t") == Element(name, "t", attrs, children, repeated, inline)
    assert [f.name for f in dataclasses.fields(Element)] == [f.name for f in dataclasses.fields(_Reference)]


def test_el_of_numbers_and_none() -> None:
    assert el("n", 12345) == Element("n", "12345")
    assert el("d", Decimal("5.950")) == Element("d", "5.950")
    assert el("e") == Element("e") and el("e").text is None
    assert el("error", "Missing", code="parameter_missing").attrs == {"code": "parameter_missing"}


@given(NAMES, st.lists(NAMES.map(el), max_size=3))
def test_node_is_a_container_with_the_list_given_and_a_dict_of_its_own(name: str, items: list[Element]) -> None:
    children = list(items)
    elem = node(name, children)
    assert elem == Element(name, children=list(items))
    assert _same(elem, _Reference(name, children=[_Reference(item.name) for item in items]))
    assert elem.children is children
    other = node(name, [])
    assert other.attrs is not elem.attrs and other.children is not elem.children
    elem.attrs["added"] = "1"
    elem.append(el("child"))
    assert children[-1] == el("child") and other == Element(name)
