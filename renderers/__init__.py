"""Response renderers: a neutral document tree in, XML / JSON / JSONP bytes out.

Handlers build a :class:`Element` tree (see :mod:`renderers.document`); :func:`get_renderer` picks
the renderer for an ``output`` value and its ``render`` method turns the tree into the body.
Renderers know nothing about loyalty.
"""

from __future__ import annotations

from renderers._registry import Renderer, get_renderer, register_renderer, renderer_names
from renderers.document import BoxedList, Element, boxed_list, el, node, response
from renderers.json import JSON_CONTENT_TYPE
from renderers.jsonp import JSONP_CONTENT_TYPE, JSONP_HEADERS, is_valid_callback, render_jsonp
from renderers.xml import XML_CONTENT_TYPE, legacy_ampersands, xml_safe

__all__ = [
    "JSONP_CONTENT_TYPE",
    "JSONP_HEADERS",
    "JSON_CONTENT_TYPE",
    "XML_CONTENT_TYPE",
    "BoxedList",
    "Element",
    "Renderer",
    "boxed_list",
    "el",
    "get_renderer",
    "is_valid_callback",
    "legacy_ampersands",
    "node",
    "register_renderer",
    "render_jsonp",
    "renderer_names",
    "response",
    "xml_safe",
]
