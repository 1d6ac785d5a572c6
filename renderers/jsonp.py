"""JSONP: the JSON of :mod:`renderers.json` wrapped as ``/**/callback(<json>);``.

The callback must be a JavaScript identifier path (:func:`is_valid_callback`); callers check it
before rendering and send :data:`JSONP_HEADERS` (the content type and ``X-Content-Type-Options:
nosniff``, so a browser never takes the body for anything but script).  The leading ``/**/`` keeps
the body from starting with caller-chosen bytes; U+2028 and U+2029, line terminators in older
JavaScript, are escaped by the JSON renderer.
"""

from __future__ import annotations

import re

from renderers.document import Element
from renderers.json import render_json

__all__ = ["CALLBACK_MAX_LENGTH", "JSONP_CONTENT_TYPE", "JSONP_HEADERS", "is_valid_callback", "render_jsonp"]

CALLBACK_MAX_LENGTH = 128
JSONP_CONTENT_TYPE = "application/javascript; charset=utf-8"
#: ASGI header pairs for a JSONP response (lower-case names, as ASGI wants them).
JSONP_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-type", JSONP_CONTENT_TYPE.encode("ascii")),
    (b"x-content-type-options", b"nosniff"),
]

_SEGMENT = r"[A-Za-z_$][A-Za-z0-9_$]*"
_CALLBACK = re.compile(rf"{_SEGMENT}(?:\.{_SEGMENT})*", re.ASCII)


def is_valid_callback(name: str) -> bool:
    """Whether ``name`` is dot-joined ``[A-Za-z_$][A-Za-z0-9_$]*`` segments, at most 128 characters."""
    return len(name) <= CALLBACK_MAX_LENGTH and _CALLBACK.fullmatch(name) is not None


def render_jsonp(doc: Element, callback: str, *, condensed: bool = False) -> bytes:
    """``/**/callback(<json>);`` as UTF-8 bytes; :class:`ValueError` if ``callback`` is not valid."""
    if not is_valid_callback(callback):
        raise ValueError(f"invalid JSONP callback: {callback[:CALLBACK_MAX_LENGTH]!r}")
    return b"".join((b"/**/", callback.encode("ascii"), b"(", render_json(doc, condensed=condensed), b");"))
