"""Live ``loyalty-api serve`` processes for the multi-process, multi-node and crash tests.

Each server runs in its own session (process group) on a loopback port the OS chose, with its output in a log
file; every wait is bounded, and :func:`live_server` always ends the whole group, whatever the test did.
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from urllib.parse import urlencode

from lxml import etree

from loyalty_api.config import Settings
from tests.support.api import credentials
from tests.support.cli import history, show

__all__ = [
    "REQUEST_TIMEOUT",
    "Answer",
    "LiveServer",
    "Plan",
    "Sent",
    "check_token_updates",
    "free_port",
    "kill_while_writing",
    "live_server",
    "post_form",
    "run_clients",
    "run_plan",
    "start_server",
    "token_update",
    "token_updates",
    "update_fields",
]

HOST: Final = "127.0.0.1"
START_TIMEOUT: Final = 45.0
STOP_TIMEOUT: Final = 15.0
REQUEST_TIMEOUT: Final = 15.0
CLIENTS_TIMEOUT: Final = 120.0
ADMIN_FIELDS: Final = credentials()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")[-6000:] if self.log.exists() else ""

    def wait_ready(self) -> None:
        """Until ``/readyz`` answers 200 (bounded); fails with the log when the process dies or never gets ready."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                code = None if self.process is None else self.process.returncode
                raise AssertionError(f"the server exited ({code}):\n{self.log_text()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if get(self.port, "/readyz")[0] == 200:
                    return
            time.sleep(0.1)
        raise AssertionError(f"the server was not ready within {START_TIMEOUT} s:\n{self.log_text()}")

    def kill(self) -> None:
        """``kill -9`` the server's whole process group (uvicorn and any workers) and reap it."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_TIMEOUT)

    def stop(self) -> int:
        """SIGTERM the group and wait (bounded, then SIGKILL); the exit code."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the server did not stop within {STOP_TIMEOUT} s:\n{self.log_text()}") from None


def start_server(
    database_url: str, workdir: Path, *, workers: int = 1, extra_env: Mapping[str, str] | None = None, name: str = "s"
) -> LiveServer:
    """Start ``loyalty-api serve`` (not waiting for it); the caller must :meth:`LiveServer.kill` or stop it."""
    server = LiveServer(free_port(), workdir / f"{name}.log")
    env = {**os.environ, "LOYALTY_DATABASE_URL": database_url, **(extra_env or {})}
    command = [sys.executable, "-m", "loyalty_api", "serve", "--host", HOST, "--port", str(server.port)]
    with server.log.open("ab") as log:
        server.process = subprocess.Popen(
            [*command, "--workers", str(workers)],
            env=env,
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return server


@contextlib.contextmanager
def live_server(
    database_url: str, workdir: Path, *, workers: int = 1, extra_env: Mapping[str, str] | None = None, name: str = "s"
) -> Iterator[LiveServer]:
    """A started and ready server, killed (with its workers) when the block ends, however it ends."""
    server = start_server(database_url, workdir, workers=workers, extra_env=extra_env, name=name)
    try:
        server.wait_ready()
        yield server
    finally:
        server.kill()


def get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("GET", path)
        reply = conn.getresponse()
        return reply.status, reply.read()
    finally:
        conn.close()


@dataclass(frozen=True)
class Answer:
    http_status: int
    status: str  # the document's status attribute ("updated", "error", ...)
    body: bytes


def post_form(conn: http.client.HTTPConnection, fields: Mapping[str, str]) -> Answer:
    """POST ``fields`` to ``/api.php`` on a kept-alive connection; the parsed answer."""
    conn.request(
        "POST", "/api.php", body=urlencode(fields), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    reply = conn.getresponse()
    body = reply.read()
    root = etree.fromstring(body)
    return Answer(reply.status, str(root.get("status")), body)


def update_fields(campaign_id: str, **values: str) -> dict[str, str]:
    """A ``campaign_update`` form by the demo administrator."""
    return {**ADMIN_FIELDS, "type": "campaign_update", "action": "campaign", "campaign_id": campaign_id, **values}


@dataclass(frozen=True)
class Sent:
    """One request a client sent: its campaign, its unique token, and the answer (None: the connection broke or it
    was not sent yet); ``fields`` is the form sent, ``success`` the document status that acknowledges it."""

    campaign_id: str
    token: str
    answer: Answer | None
    fields: Mapping[str, str] = field(default_factory=dict, repr=False)
    success: str = "updated"

    @property
    def acknowledged(self) -> bool:
        return self.answer is not None and self.answer.status == self.success


# What a client sends: (client number, how many it has sent) -> the request, as a Sent without its answer.
Plan = Callable[[int, int], Sent]


def token_update(campaign_id: str, token: str) -> dict[str, str]:
    """An update setting two fields together, so that a half-applied one would show: both carry ``token``."""
    return update_fields(campaign_id, new_campaign_name=f"name {token}", description=f"description {token}")


def token_updates(campaigns: list[str]) -> Plan:
    """Token updates (token ``c<client>-<n>``) round-robin over ``campaigns``, each client starting at its own."""

    def plan(number: int, sent: int) -> Sent:
        campaign_id = campaigns[(number + sent) % len(campaigns)]
        token = f"c{number}-{sent}"
        return Sent(campaign_id, token, None, token_update(campaign_id, token))

    return plan


def run_clients(
    ports: list[int],
    campaigns: list[str],
    clients: int,
    *,
    per_client: int | None = None,
    stop: threading.Event | None = None,
    live: list[Sent] | None = None,
) -> list[Sent]:
    """:func:`run_plan` of token updates over ``campaigns``."""
    return run_plan(ports, token_updates(campaigns), clients, per_client=per_client, stop=stop, live=live)


def run_plan(
    ports: list[int],
    plan: Plan,
    clients: int,
    *,
    per_client: int | None = None,
    stop: threading.Event | None = None,
    live: list[Sent] | None = None,
) -> list[Sent]:
    """``clients`` threads, each sending the requests ``plan`` gives it round-robin over ``ports`` (consecutive
    requests of one client go to different servers) until it has sent ``per_client``, ``stop`` is set, or its server
    stops answering.  Every request sent, answered or not; each is also appended to ``live`` as soon as it is
    answered, for a watcher in another thread."""
    results: list[list[Sent]] = [[] for _ in range(clients)]

    def client(number: int) -> None:
        conns = [http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT) for port in ports]
        try:
            sent = 0
            while (per_client is None or sent < per_client) and not (stop is not None and stop.is_set()):
                request = plan(number, sent)
                conn = conns[(number + sent) % len(conns)]
                sent += 1
                try:
                    answer: Answer | None = post_form(conn, request.fields)
                except (OSError, http.client.HTTPException):
                    answer = None
                done = dataclasses.replace(request, answer=answer)
                results[number].append(done)
                if live is not None:
                    live.append(done)
                if answer is None:
                    return
        finally:
            for conn in conns:
                conn.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=CLIENTS_TIMEOUT)
        if thread.is_alive():
            raise AssertionError(f"a client did not finish within {CLIENTS_TIMEOUT} s")
    return [sent for per_thread in results for sent in per_thread]


def kill_while_writing(
    database_url: str, workdir: Path, plan: Plan, clients: int, *, kill_after: int, kill_after_s: float
) -> list[Sent]:
    """Start a server, let ``clients`` send what ``plan`` gives them, and ``kill -9`` the server while they are still
    sending, once ``kill_after`` requests have been answered or after ``kill_after_s``, whichever comes first.  Every
    request sent, answered or not (the clients stop at their first broken connection)."""
    sent: list[Sent] = []
    answered: list[Sent] = []
    stop = threading.Event()
    server = start_server(database_url, workdir, name="before")
    try:
        server.wait_ready()
        driver = threading.Thread(
            target=lambda: sent.extend(run_plan([server.port], plan, clients, stop=stop, live=answered)), daemon=True
        )
        driver.start()
        deadline = time.monotonic() + kill_after_s
        while time.monotonic() < deadline and len(answered) < kill_after:
            time.sleep(0.02)
        server.kill()  # SIGKILL while the clients are still writing
        stop.set()
        driver.join(timeout=REQUEST_TIMEOUT * 2)
        assert not driver.is_alive(), "the clients did not stop"
    finally:
        stop.set()
        server.kill()
    return sent


def check_token_updates(settings: Settings, sent: list[Sent]) -> dict[str, list[str]]:
    """Every acknowledged update of ``sent`` is in the store's audit trail, read back through the CLI, whole (name
    and description with one token, each record continuing from the one before), at most once, and nothing that
    was not sent is there; each campaign's final row is its last record's.  The applied tokens of each campaign,
    in audit order."""
    applied: dict[str, list[str]] = {}
    for campaign_id in sorted({s.campaign_id for s in sent}):
        tokens: list[str] = []
        before: dict[str, object] | None = None
        for record in history(settings, campaign_id):
            if record["action"] != "update":
                continue
            changes = {change["field"]: change for change in record["changes"]}
            assert set(changes) == {"name", "description"}, record
            token = str(changes["name"]["new"]).removeprefix("name ")
            assert changes["description"]["new"] == f"description {token}", f"half-applied: {record}"
            if before is not None:
                assert (changes["name"]["old"], changes["description"]["old"]) == (
                    before["name"],
                    before["description"],
                ), f"the record does not continue from the one before: {record}"
            before = {name: change["new"] for name, change in changes.items()}
            tokens.append(token)
        ours = [s for s in sent if s.campaign_id == campaign_id]
        missing = {s.token for s in ours if s.acknowledged} - set(tokens)
        assert not missing, f"acknowledged updates of {campaign_id} missing from the audit: {sorted(missing)}"
        assert set(tokens) <= {s.token for s in ours}, "the audit holds updates nobody sent"
        assert len(tokens) == len(set(tokens)), "an update was applied twice"
        shown = show(settings, campaign_id)
        if tokens:
            assert (shown["name"], shown["description"]) == (f"name {tokens[-1]}", f"description {tokens[-1]}")
        applied[campaign_id] = tokens
    return applied
