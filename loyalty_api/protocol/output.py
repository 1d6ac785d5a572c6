"""The output choice of a request: renderer, condensed, JSONP callback."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from loyalty_api.errors import ApiError
from loyalty_api.handler.fields import Fields
from renderers import (
    JSONP_CONTENT_TYPE,
    XML_CONTENT_TYPE,
    Element,
    Renderer,
    get_renderer,
    is_valid_callback,
    legacy_ampersands,
    render_jsonp,
)

__all__ = ["InvalidCallback", "OutputChoice", "choose_output", "default_output", "render_document"]

_TRUE_WORDS: Final = frozenset({"yes", "y", "true", "1"})


@dataclass(frozen=True, slots=True)
class OutputChoice:
    renderer: Renderer
    condensed: bool = False
    callback: str | None = None  # JSONP when set
    legacy_ampersand: bool = False  # XML texts keep & bare (the account's setting, docs/accounts.md)


def default_output() -> OutputChoice:
    renderer = get_renderer("xml")
    assert renderer is not None
    return OutputChoice(renderer)


class InvalidCallback(ApiError):
    def __init__(self) -> None:
        super().__init__("invalid_callback")


def choose_output(fields: Fields) -> OutputChoice:
    """Read ``output``, ``condensed`` and ``callback``.

    Raises :class:`InvalidCallback` for a callback outside the grammar, and ``parameter_invalid`` for
    an ``output`` no renderer answers to (after which the error is answered in XML).
    """
    condensed = (fields.value("condensed") or "").lower() in _TRUE_WORDS
    callback = fields.value("callback")
    json_renderer = get_renderer("json")
    assert json_renderer is not None
    if callback is not None:
        if not is_valid_callback(callback):
            raise InvalidCallback()
        return OutputChoice(json_renderer, condensed, callback)
    name = fields.value("output")
    if name is None:
        return OutputChoice(_xml(), condensed)
    renderer = get_renderer(name)
    if renderer is None:
        raise ApiError("parameter_invalid", detail=f"The field output must be XML or JSON, not {name[:40]!r}.")
    return OutputChoice(renderer, condensed)


def render_document(doc: Element, output: OutputChoice) -> tuple[str, bytes]:
    """``(content_type, body)`` of ``doc`` in the request's output choice: the one way an answer is rendered."""
    if output.callback is not None:
        return JSONP_CONTENT_TYPE, render_jsonp(doc, output.callback, condensed=output.condensed)
    body = output.renderer.render(doc, condensed=output.condensed)
    if output.legacy_ampersand and output.renderer.content_type == XML_CONTENT_TYPE:
        body = legacy_ampersands(body)
    return output.renderer.content_type, body


def _xml() -> Renderer:
    renderer = get_renderer("xml")
    assert renderer is not None
    return renderer
