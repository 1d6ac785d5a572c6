"""Parts of answer documents that calls of several families share."""

from __future__ import annotations

from renderers import Element, el

__all__ = ["warnings_element"]


def warnings_element(warnings: list[str]) -> Element:
    """``<warnings><warning>..</warning></warnings>`` (in JSON a list of strings, even of one)."""
    return Element("warnings", children=[el("warning", text) for text in warnings], repeated=True)
