"""Which renderer answers a given ``output`` value.

The built-ins are ``xml`` and ``json``.  Other packages add renderers through the entry-point group
``loyalty_api.renderers``; each entry point loads a :class:`Renderer` instance or a class called
without arguments to make one, and is registered under the renderer's ``name``.  Entry points are
read once, lazily, the first time a name that is not a built-in is asked for (or the names are
listed).  An entry point that fails to load or does not give a renderer is skipped and logged, and
so is one whose name is taken: built-ins cannot be overridden, and :func:`register_renderer` (for
programmatic registration) takes precedence over entry points.
"""

from __future__ import annotations

import logging
import threading
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Protocol, TypeGuard

from renderers.document import Element
from renderers.json import JsonRenderer
from renderers.xml import XmlRenderer

__all__ = ["ENTRY_POINT_GROUP", "Renderer", "get_renderer", "register_renderer", "renderer_names", "reset_registry"]

ENTRY_POINT_GROUP = "loyalty_api.renderers"

_log = logging.getLogger(__name__)


class Renderer(Protocol):
    """Turns a document into the bytes of a response body."""

    @property
    def name(self) -> str:
        """The lower-case value of the ``output`` field that selects this renderer."""
        ...

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` of the rendered bytes."""
        ...

    def render(self, doc: Element, *, condensed: bool) -> bytes:
        """``doc`` as a response body; ``condensed`` asks for no optional whitespace."""
        ...


_BUILTINS: dict[str, Renderer] = {renderer.name: renderer for renderer in (XmlRenderer(), JsonRenderer())}
_extra: dict[str, Renderer] = {}
_plugins_loaded = False
_lock = threading.RLock()


def _is_renderer(obj: Any) -> TypeGuard[Renderer]:
    name = getattr(obj, "name", None)
    return (
        isinstance(name, str)
        and name != ""
        and isinstance(getattr(obj, "content_type", None), str)
        and callable(getattr(obj, "render", None))
    )


def _load(entry_point: EntryPoint) -> Renderer | None:
    try:
        obj = entry_point.load()
        if isinstance(obj, type):
            obj = obj()
        if _is_renderer(obj):
            return obj
    except Exception:
        _log.exception("renderer entry point %r (%s) failed to load; skipped", entry_point.name, entry_point.value)
        return None
    _log.error("renderer entry point %r (%s) is not a renderer; skipped", entry_point.name, entry_point.value)
    return None


def _load_plugins() -> None:
    global _plugins_loaded
    with _lock:
        if _plugins_loaded:
            return
        _plugins_loaded = True
        for entry_point in entry_points(group=ENTRY_POINT_GROUP):
            renderer = _load(entry_point)
            if renderer is None:
                continue
            key = renderer.name.lower()
            if key in _BUILTINS or key in _extra:
                _log.error("renderer entry point %r: name %r is already taken; skipped", entry_point.name, key)
                continue
            if key != entry_point.name.lower():
                _log.warning("renderer entry point %r registers a renderer named %r", entry_point.name, key)
            _extra[key] = renderer


def get_renderer(name: str) -> Renderer | None:
    """The renderer selected by ``output=name`` (any case), ``None`` if there is none."""
    renderer = _BUILTINS.get(name)
    if renderer is not None:
        return renderer
    key = name.lower()
    renderer = _BUILTINS.get(key)
    if renderer is not None:
        return renderer
    if not _plugins_loaded:
        _load_plugins()
    return _extra.get(key)


def renderer_names() -> list[str]:
    """The names of all renderers, built-ins first."""
    _load_plugins()
    return [*_BUILTINS, *sorted(_extra)]


def register_renderer(renderer: Renderer) -> None:
    """Add (or replace) a renderer under its lower-cased name; :class:`ValueError` for a built-in's name."""
    if not _is_renderer(renderer):
        raise TypeError(f"not a renderer: {renderer!r}")
    key = renderer.name.lower()
    if key in _BUILTINS:
        raise ValueError(f"the built-in renderer {key!r} cannot be replaced")
    with _lock:
        _extra[key] = renderer


def reset_registry() -> None:
    """Forget registered renderers and loaded entry points (they are read again when next needed); for tests."""
    global _plugins_loaded
    with _lock:
        _extra.clear()
        _plugins_loaded = False
