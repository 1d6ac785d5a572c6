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
two clock reads per request: one timer per process sweeps the open connections (every second, or a tenth of the
shortest limit) and closes those that are late.
"""

from __future__ import annotations

import asyncio
import weakref
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
        self._sweep = _sweep_of(server_state, self.loop, self._limits)
        self._in_headers = True  # before a request's headers have ended
        self._header_bytes = 0
        self._headers_since: float | None = None  # when the request's first byte (or the connection) came
        self._body_since: float | None = None  # when the request's headers ended, while its body comes
        self._body_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self._limits.max_connections:
            self.logger.warning("connection refused: %d connections are open", len(self.connections) - 1)
            self._refuse(_BUSY)
            return
        self._headers_since = self.loop.time()
        self._sweep.start()

    def data_received(self, data: bytes) -> None:
        if self._in_headers:
            if self._headers_since is None:
                self._headers_since = self.loop.time()
            end = data.find(b"\r\n\r\n")  # the headers' end, when it is in this packet
            self._header_bytes += len(data) if end < 0 else end
            if self._header_bytes > self._limits.max_header_bytes:
                self._refuse(_TOO_LARGE)  # before the parser reads (and keeps) any of it
                return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._in_headers = False
        self._header_bytes = 0
        self._headers_since = None
        super().on_headers_complete()
        self._body_since = self.loop.time()
        self._body_bytes = 0

    def on_body(self, body: bytes) -> None:
        self._body_bytes += len(body)
        super().on_body(body)

    def on_message_complete(self) -> None:
        self._body_since = None
        self._in_headers = True  # the next bytes are the next request's
        super().on_message_complete()

    def check_pace(self, now: float) -> None:
        """Close the connection when its headers or its body are late (called by the process's sweep)."""
        limits = self._limits
        if self._headers_since is not None and now - self._headers_since > limits.header_timeout:
            self._headers_since = None
            if not self.transport.is_closing():
                self.logger.info("connection closed: its headers took longer than %s s", limits.header_timeout)
                self._refuse(_TIMEOUT)
        elif self._body_since is not None:
            allowed_until = self._body_since + limits.body_grace + self._body_bytes / limits.body_min_rate
            if now > allowed_until and not self.transport.is_closing():
                self._body_since = None
                self.logger.info("connection closed: its body came slower than %d bytes/s", limits.body_min_rate)
                self.transport.close()

    def _refuse(self, answer: bytes) -> None:
        self._headers_since = self._body_since = None
        self.transport.write(answer)
        self.transport.close()


class _Sweep:
    """One timer per process that checks every open connection's pace: a request costs two clock reads, not timers."""

    __slots__ = ("_connections", "_handle", "_interval", "_loop")

    def __init__(self, connections: set[Any], loop: asyncio.AbstractEventLoop, interval: float) -> None:
        self._connections = connections
        self._loop = loop
        self._interval = interval
        self._handle: asyncio.TimerHandle | None = None

    def start(self) -> None:
        if self._handle is None:
            self._handle = self._loop.call_later(self._interval, self._run)

    def _run(self) -> None:
        self._handle = None
        now = self._loop.time()
        for connection in list(self._connections):
            if isinstance(connection, GuardedHttpToolsProtocol):
                connection.check_pace(now)
        if self._connections:
            self.start()


_SWEEPS: Final[weakref.WeakKeyDictionary[ServerState, _Sweep]] = weakref.WeakKeyDictionary()


def _sweep_of(server_state: ServerState, loop: asyncio.AbstractEventLoop, limits: EdgeLimits) -> _Sweep:
    sweep = _SWEEPS.get(server_state)
    if sweep is None:
        # A tenth of the shortest time allowed, at most a second: a late client is closed within 10% of its limit.
        interval = max(0.01, min(1.0, limits.header_timeout / 10, limits.body_grace / 10))
        sweep = _SWEEPS[server_state] = _Sweep(server_state.connections, loop, interval)
    return sweep
