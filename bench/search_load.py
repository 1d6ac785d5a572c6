"""``search_load``: the customers a search has to read, and the client that keeps the largest search running.

The scenario measures ``campaign_update`` XML (wrk, as the ``xml`` call) alone and while another client sends the
largest ``customer_find`` the server allows back to back (:data:`bench.bodies.SEARCH_BODY`), on each store.  For the
search to cost something the demo account first gets :data:`SEARCH_CUSTOMERS` customers, through the store's own
``insert_customer`` in one write (the same code on SQLite and PostgreSQL: under a second and about 3 s), while the
server is idle: SQLite's WAL lets a second process write the file, and the server reads customers from the store
every time.

The searching client is a thread of the suite's process with one keep-alive ``http.client`` connection: it waits
on the server almost all the time, so it takes next to no CPU from wrk or the server (the suite's main thread only
waits for wrk meanwhile).
"""

from __future__ import annotations

import asyncio
import http.client
import threading
import time
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from bench.results import SearchRun
from loyalty_api.config import Settings
from loyalty_api.store import WriteTx, create_store
from loyalty_api.store.models import utc_now

__all__ = ["SEARCH_ACCOUNT_PK", "SEARCH_CUSTOMERS", "Searcher", "fill_customers"]

SEARCH_CUSTOMERS: Final = 10_000
# The demo account (greatwidgets), the first account the demo world makes.
SEARCH_ACCOUNT_PK: Final = 1
# One search over 10,000 customers takes about a second alone; the server stops one at its statement timeout (5 s).
_SEARCH_TIMEOUT_S: Final = 30.0
_FORM: Final = {"Content-Type": "application/x-www-form-urlencoded"}


def fill_customers(database_url: str, count: int = SEARCH_CUSTOMERS, account_pk: int = SEARCH_ACCOUNT_PK) -> float:
    """Add ``count`` customers to the account in one write; the seconds it took."""
    started = time.monotonic()
    asyncio.run(_fill(database_url, count, account_pk))
    return time.monotonic() - started


async def _fill(database_url: str, count: int, account_pk: int) -> None:
    store = create_store(Settings(database_url=database_url, sqlite_synchronous="NORMAL"))
    await store.open()
    try:

        async def work(tx: WriteTx) -> None:
            now = utc_now()
            for n in range(count):
                values = {"code": f"7{n:015d}", "first_name": f"Bench{n}", "last_name": f"Searched{n}"}
                await tx.insert_customer(account_pk, values, now)

        await store.write(work)
    finally:
        await store.close()


@dataclass(frozen=True, slots=True)
class _Search:
    started: float  # time.monotonic()
    ended: float
    outcome: str  # "ok", "stopped" (the server's statement timeout) or "bad"
    answer: str


class Searcher:
    """Sends ``body`` to ``url`` back to back on one connection, from :meth:`start` until :meth:`stop`.

    Every answer must contain ``expected``, or ``stopped``: the server stopped the search at its statement timeout
    (a search that ran, counted apart).  Any other answer, an HTTP error or a broken connection counts as bad (the
    connection is then opened again).
    """

    def __init__(self, url: str, body: str, expected: str, stopped: str) -> None:
        parts = urlsplit(url)
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 80
        self._path = parts.path or "/"
        self._body = body.encode()
        self._expected = expected
        self._stopped = stopped
        self._stop = threading.Event()
        self._searches: list[_Search] = []
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="bench-searcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop after the search under way (waits for its answer)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=_SEARCH_TIMEOUT_S + 5)
            if self._thread.is_alive():
                raise RuntimeError("the searching client did not stop")

    def run_between(self, start: float, end: float) -> SearchRun:
        """The searches of the measured run ``start``..``end`` (monotonic seconds); call it after :meth:`stop`."""
        during = [s for s in self._searches if s.started <= end and s.ended >= start]
        inside = [s for s in during if start <= s.ended <= end and s.outcome == "ok"]
        bad = [s for s in during if s.outcome == "bad"]
        return SearchRun(
            completed=len(inside),
            latencies_ms=tuple((s.ended - s.started) * 1000 for s in inside),
            ran=len(during),
            stopped=sum(s.outcome == "stopped" for s in during if start <= s.ended <= end),
            bad=len(bad),
            bad_sample=bad[0].answer[:300] if bad else "",
        )

    def _run(self) -> None:
        conn: http.client.HTTPConnection | None = None
        try:
            while not self._stop.is_set():
                if conn is None:
                    conn = http.client.HTTPConnection(self._host, self._port, timeout=_SEARCH_TIMEOUT_S)
                started = time.monotonic()
                try:
                    conn.request("POST", self._path, body=self._body, headers=_FORM)
                    reply = conn.getresponse()
                    text = reply.read().decode("utf-8", "replace")
                    outcome = "bad"
                    if reply.status == 200 and self._expected in text:
                        outcome = "ok"
                    elif reply.status == 200 and self._stopped in text:
                        outcome = "stopped"
                    answer = f"{reply.status} {text}"
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    conn = None
                    outcome, answer = "bad", f"{type(exc).__name__}: {exc}"
                    self._stop.wait(0.05)  # not a busy loop when the server is gone
                self._searches.append(_Search(started, time.monotonic(), outcome, " ".join(answer.split())))
        finally:
            if conn is not None:
                conn.close()
