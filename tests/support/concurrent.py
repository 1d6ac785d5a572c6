"""Requests at the same time: many on one event loop to one app (they meet in its store's group-commit writer and
pool), or one in each of several threads, each with an app of its own (as several worker processes would)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping, Sequence

import httpx
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from loyalty_api.web.app import create_app

__all__ = ["in_threads_at_once", "post_at_once"]


async def post_at_once(
    settings: Settings, forms: Sequence[Mapping[str, str]], headers: Mapping[str, str] | None = None
) -> list[httpx.Response]:
    """Each of ``forms`` POSTed to ``/api.php`` (with ``headers``), all started together on one event loop (httpx
    over ASGI) to one app, its store open for them; the answers, in the order of ``forms``."""
    app = create_app(settings)
    await app.store.open()
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            posts = (client.post("/api.php", data=dict(form), headers=headers) for form in forms)
            return list(await asyncio.gather(*posts))
    finally:
        await app.store.close()


def in_threads_at_once(settings: Settings, count: int, attempt: Callable[[TestClient], str]) -> list[str]:
    """``attempt`` in ``count`` threads, each with its own app (its own store connections), as together as can be
    (they wait for each other first); their outcomes, in the order they ended."""
    barrier = threading.Barrier(count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run() -> None:
        with TestClient(create_app(settings)) as own:
            barrier.wait()
            outcome = attempt(own)
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
