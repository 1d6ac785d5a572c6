"""Sending a finished body over raw ASGI."""

from __future__ import annotations

from typing import Final

from starlette.types import Send

__all__ = ["send_body"]

_NO_STORE: Final = (b"cache-control", b"no-store")
_NOSNIFF: Final = (b"x-content-type-options", b"nosniff")


async def send_body(send: Send, status: int, content_type: str, body: bytes, extra: list[tuple[bytes, bytes]]) -> None:
    """Send ``body`` whole; ``extra`` headers after the usual ones (the request's id at least)."""
    headers = [
        (b"content-type", content_type.encode("latin-1")),
        (b"content-length", str(len(body)).encode("latin-1")),
        _NO_STORE,
        _NOSNIFF,
    ]
    headers.extend(extra)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
