"""What one connection may cost the server: uvicorn's httptools protocol with the limits it lacks.

uvicorn closes idle keep-alive connections (``timeout_keep_alive``) but lets a client take as long as it likes to
send its headers or its body, reads headers of any size, and accepts every connection: 1,100 clients sending a byte
every two seconds held 1,100 file descriptors and the server refused real clients.  :class:`GuardedHttpToolsProtocol`
adds, per connection (``docs/security.md`` lists the variables):

- **headers in time**: a request's headers must be whole within ``header_timeout`` seconds of its first byte (or of
  the connection's start): else ``408`` and the connection closes;
- **headers of bounded size**: more than ``max_header_bytes`` before the headers end answers ``431`` and closes;
- **bodies at a minimum rate**: after the headers, the body may take ``body_grace`` seconds plus one second per
  ``body_min_rate`` bytes received: else the connection closes, and the request is dropped unanswered (its handler
  never runs: ``protocol.forms.read_body``);
- **a bounded number of connections per process**: beyond ``max_connections`` a new connection is answered ``503``
  and closed at once.

``loyalty-api serve`` runs uvicorn with this class (``http=``).  Its checks cost a few comparisons per packet and
one timer per request.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from loyalty_api.config import Settings

__all__ = ["PROTOCOL", "EdgeLimits", "GuardedHttpToolsProtocol", "edge_limits"]

#: What uvicorn's ``http=`` option takes to use :class:`GuardedHttpToolsProtocol`.
PROTOCOL: Final = "loyalty_api.web.connections:GuardedHttpToolsProtocol"
_TIMEOUT: Final = b"HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"
_TOO_LARGE: Final = b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"
_BUSY: Final = b"HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\nretry-after: 1\r\n\r\n"


@dataclass(frozen=True, slots=True)
class EdgeLimits:
    header_timeout: float
    max_header_bytes: int
    body_grace: float
    body_min_rate: int
    max_connections: int


@cache
def edge_limits() -> EdgeLimits:
    """The limits of this process (its environment, read once)."""
    settings = Settings.from_env()
    return EdgeLimits(
        header_timeout=settings.header_timeout_seconds,
        max_header_bytes=settings.max_header_bytes,
        body_grace=settings.body_grace_seconds,
        body_min_rate=settings.body_min_rate,
        max_connections=settings.max_connections,
    )


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._limits = edge_limits()
        self._in_headers = True  # before a request's headers have ended
        self._header_bytes = 0
        self._header_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        self._body_start = 0.0
        self._body_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self._limits.max_connections:
            self.logger.warning("connection refused: %d connections are open", len(self.connections) - 1)
            self._refuse(_BUSY)
            return
        self._start_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._in_headers:
            if self._header_timer is None:
                self._start_header_timer()
            end = data.find(b"\r\n\r\n")  # the headers' end, when it is in this packet
            self._header_bytes += len(data) if end < 0 else end
            if self._header_bytes > self._limits.max_header_bytes:
                self._refuse(_TOO_LARGE)  # before the parser reads (and keeps) any of it
                return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._in_headers = False
        self._header_bytes = 0
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        super().on_headers_complete()
        self._body_start = self.loop.time()
        self._body_bytes = 0
        self._body_timer = self.loop.call_later(self._limits.body_grace, self._check_body)

    def on_body(self, body: bytes) -> None:
        self._body_bytes += len(body)
        super().on_body(body)

    def on_message_complete(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None
        self._in_headers = True  # the next bytes are the next request's
        super().on_message_complete()

    # --- the checks ---------------------------------------------------------------------------------------------

    def _start_header_timer(self) -> None:
        self._header_timer = self.loop.call_later(self._limits.header_timeout, self._headers_too_slow)

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.logger.info("connection closed: its headers took longer than %s s", self._limits.header_timeout)
            self._refuse(_TIMEOUT)

    def _check_body(self) -> None:
        self._body_timer = None
        limits = self._limits
        allowed_until = self._body_start + limits.body_grace + self._body_bytes / limits.body_min_rate
        if self.loop.time() < allowed_until:
            self._body_timer = self.loop.call_at(allowed_until, self._check_body)
            return
        if not self.transport.is_closing():
            self.logger.info("connection closed: its body came slower than %d bytes/s", limits.body_min_rate)
            self.transport.close()

    def _refuse(self, answer: bytes) -> None:
        self._cancel_timers()
        self.transport.write(answer)
        self.transport.close()

    def _cancel_timers(self) -> None:
        for timer in (self._header_timer, self._body_timer):
            if timer is not None:
                timer.cancel()
        self._header_timer = self._body_timer = None
