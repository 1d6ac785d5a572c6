"""The neutral document every call answers with.

A document is a tree of :class:`Element`.  The root is always named ``response`` and carries a
``status`` attribute.  Renderers turn the same tree into XML, JSON, JSONP, ...; nothing here knows
what a campaign or a customer is.

Mapping rules the renderers share (see ``renderers/json.py`` for the JSON side):

* ``Element(name, text=...)`` is a text element: ``<name>text</name>``; in JSON ``"name": "text"``.
* ``Element(name, children=[...])`` (or ``node(name, [...])``) is a container: in JSON an object whose keys are
  the children's names (and the element's attributes).
* ``Element(name, children=[...], repeated=True)`` holds repeated items: in JSON an array under the
  container's name, the items' own element names dropped (an item that is a text element becomes a
  plain string).  Arrays stay arrays with one item, or none.
* ``inline=True`` on a repeated container: in XML its items stand directly in the parent, without
  the container element (legacy ``customer_search`` puts each ``<customer>`` straight under
  ``<response>``); in JSON it is still an array under the container's name.
* An element with both text and attributes (the one case is ``<error code="...">text</error>``)
  becomes ``"name": text`` plus ``"name_attr": value`` for each attribute in JSON.
* :func:`boxed_list`: a repeated container whose text items JSON writes as objects
  ``{"xml_value_to_show": text}``, the form an older JSON encoder gave lists of text elements and which typed
  clients declare; in XML it is any repeated container.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = ["BoxedList", "Element", "boxed_list", "el", "node", "response"]

_new_object = object.__new__


@dataclass(slots=True, init=False)
class Element:
    name: str
    text: str | None = None
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Element] = field(default_factory=list)
    repeated: bool = False
    inline: bool = False

    # Written by hand: the dataclass one calls a factory for each defaulted dict and list (a receipt makes ~25
    # elements, so this is on every request's path).  Each element still gets a dict and a list of its own.
    def __init__(
        self,
        name: str,
        text: str | None = None,
        attrs: dict[str, str] | None = None,
        children: list[Element] | None = None,
        repeated: bool = False,
        inline: bool = False,
    ) -> None:
        self.name = name
        self.text = text
        self.attrs = {} if attrs is None else attrs
        self.children = [] if children is None else children
        self.repeated = repeated
        self.inline = inline

    def append(self, child: Element) -> Element:
        self.children.append(child)
        return child

    def find(self, name: str) -> Element | None:
        """The first direct child called ``name`` (tests and the renderers' callers use it)."""
        for child in self.children:
            if child.name == name:
                return child
        return None


class BoxedList(Element):
    """A repeated container of text items that JSON writes as ``{"xml_value_to_show": text}`` objects."""

    __slots__ = ()


def boxed_list(name: str, items: list[Element], /) -> BoxedList:
    """A :class:`BoxedList` of ``items`` (text elements)."""
    return BoxedList(name, children=items, repeated=True)


def el(name: str, text: object | None = None, /, **attrs: str) -> Element:
    """A text element (``text`` is turned into ``str``; ``None`` gives an empty element)."""
    # Element.__init__'s work without its call (the most frequent element by far): attrs is a fresh dict already
    # (keyword arguments), the children list a new one.
    elem = _new_object(Element)
    elem.name = name
    elem.text = text if text is None or type(text) is str else str(text)
    elem.attrs = attrs
    elem.children = []
    elem.repeated = False
    elem.inline = False
    return elem


def node(name: str, children: list[Element], /) -> Element:
    """A container, ``Element(name, children=children)`` (the list itself, not a copy), without that call's cost: a
    keyword call of the class costs half as much again as this function (receipts make ~9 containers)."""
    elem = _new_object(Element)
    elem.name = name
    elem.text = None
    elem.attrs = {}
    elem.children = children
    elem.repeated = False
    elem.inline = False
    return elem


def response(status: str, children: Iterable[Element] = (), attrs: Mapping[str, str] | None = None) -> Element:
    """The root ``<response status="...">`` element."""
    all_attrs = {"status": status}
    if attrs:
        all_attrs.update(attrs)
    return Element("response", None, all_attrs, list(children))
