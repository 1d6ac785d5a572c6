"""The ASGI application: ``/api.php`` and ``/`` on a raw fast path, the rest (health, ``/metrics``) on Starlette."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator
from typing import Final

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from loyalty_api import metrics
from loyalty_api.accounts.throttle import LoginThrottle
from loyalty_api.config import Settings
from loyalty_api.handler.context import TokenKeys
from loyalty_api.store import Store, StoreUnavailable, create_store
from loyalty_api.web.endpoint import ApiEndpoint

__all__ = ["API_PATHS", "YOUNG_COLLECTION_THRESHOLD", "LoyaltyApp", "create_app", "app_from_env"]

# "/api.php/" is answered as "/api.php" (as PHP would run the script), never redirected: a redirect built from the
# Host header would repeat the query string, keys included, to wherever Host points.
API_PATHS: Final = frozenset({"/api.php", "/api.php/", "/"})
# Young objects allowed before a collection (Python's default is 700).  A request holds a few hundred container
# objects (its fields, its answer's document) until it is sent, and with dozens in flight the default collected
# every few requests, traversing objects that were about to be freed anyway: 5% of record_activity's instructions
# (its receipt is 30 elements).  Above ~5,000 that cost is gone (callgrind: 701k -> 665k instructions a request).
YOUNG_COLLECTION_THRESHOLD: Final = 10_000


class LoyaltyApp:
    """The whole server.  ``store`` is opened at startup and closed at shutdown (ASGI lifespan)."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        throttle = LoginThrottle(settings.login_failure_limit, settings.login_failure_window_seconds)
        secrets = tuple(secret.encode() for secret in (settings.token_secret, settings.token_secret_previous) if secret)
        self.api = ApiEndpoint(
            store,
            settings.login_cache_seconds,
            settings.idempotency_hours,
            throttle,
            TokenKeys(secrets),
            access_log=settings.access_log,
        )
        routes = [
            Route("/api.php", self.api, methods=["GET", "POST"]),
            Route("/healthz", self._healthz, methods=["GET"]),
            Route("/readyz", self._readyz, methods=["GET"]),
        ]
        if settings.metrics_port is None:  # else served on its own port only (loyalty_api.cli.serve)
            routes.append(Route("/metrics", self._metrics, methods=["GET"]))
        self.starlette = Starlette(
            routes=routes,
            lifespan=self._lifespan,
        )
        self.starlette.router.redirect_slashes = False  # no redirects at all: a 404 names nothing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in API_PATHS:
            await self.api(scope, receive, send)
        else:
            await self.starlette(scope, receive, send)

    @contextlib.asynccontextmanager
    async def _lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        await self.store.open()
        # What exists now (modules, the app) lives as long as the process: keep the collector off it.
        gc.collect()
        gc.freeze()
        gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *gc.get_threshold()[1:])
        try:
            yield
        finally:
            await self.store.close()

    async def _healthz(self, _request: Request) -> Response:
        return PlainTextResponse("ok")

    async def _metrics(self, _request: Request) -> Response:
        return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE)

    async def _readyz(self, _request: Request) -> Response:
        try:
            await self.store.ping()
        except StoreUnavailable:
            return PlainTextResponse("unavailable", status_code=503)
        return PlainTextResponse("ready")


def create_app(settings: Settings | None = None) -> LoyaltyApp:
    chosen = settings or Settings.from_env()
    return LoyaltyApp(create_store(chosen), chosen)


def app_from_env() -> LoyaltyApp:
    """The factory uvicorn calls in each worker process (``--factory``)."""
    return create_app(Settings.from_env())
