"""Starting and stopping the servers the suite measures, all on 127.0.0.1.

Each server runs in its own session (process group) so that stopping it also stops uvicorn's worker processes; the
suite stops every server it started, also when a run fails or is interrupted.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

__all__ = [
    "REPO_ROOT",
    "Server",
    "ServerFailed",
    "free_port",
    "loyalty_api_command",
    "post",
    "start_app",
    "start_reference",
]

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
HOST: Final = "127.0.0.1"
_CLOCK_TICKS: Final = os.sysconf("SC_CLK_TCK")


class ServerFailed(RuntimeError):
    """A server did not come up (its log's last lines are in the message)."""


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    workers: int = 1
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/api.php"

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_ready(self, timeout_s: float = 60.0) -> None:
        """Wait until the server accepts connections; :class:`ServerFailed` if it exits or takes too long."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerFailed(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(OSError), socket.create_connection((HOST, self.port), timeout=0.5):
                return
            time.sleep(0.1)
        raise ServerFailed(
            f"{self.name} did not listen on port {self.port} within {timeout_s:.0f} s:\n{self.log_tail()}"
        )

    def cpu_seconds(self) -> float:
        """CPU time used so far by the server and its worker processes."""
        return sum(_cpu_of(pid) for pid in _process_tree(self.process.pid))

    def pids(self) -> list[int]:
        return _process_tree(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def post(url: str, body: str, timeout_s: float = 10.0) -> tuple[int, str]:
    """One urlencoded POST; the status and the body as text."""
    rest = url.removeprefix("http://")
    hostport, _, path = rest.partition("/")
    host, _, port = hostport.partition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout_s)
    try:
        conn.request("POST", "/" + path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
        answer = conn.getresponse()
        return answer.status, answer.read().decode("utf-8", "replace")
    finally:
        conn.close()


def loyalty_api_command() -> list[str]:
    """How to run the ``loyalty-api`` command of this interpreter's environment."""
    script = Path(sys.executable).parent / "loyalty-api"
    if script.exists():
        return [str(script)]
    found = shutil.which("loyalty-api")
    if found:
        return [found]
    return [sys.executable, "-c", "from loyalty_api.cli import main; main()"]


def _spawn(name: str, command: list[str], log_path: Path, env: dict[str, str], port: int, workers: int) -> Server:
    log = log_path.open("wb")
    try:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        log.close()
    return Server(name, process, port, log_path, workers, env)


def start_reference(work_dir: Path) -> Server:
    """The bare Starlette app of ``bench/reference_app.py`` with loyalty-api's uvicorn settings."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.reference_app:app",
        "--host",
        HOST,
        "--port",
        str(port),
        "--http",
        "httptools",
        "--loop",
        "uvloop",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    return _spawn("reference", command, work_dir / "reference.log", {}, port, 1)


def start_app(name: str, work_dir: Path, database_url: str, *, synchronous: str = "FULL", workers: int = 1) -> Server:
    """``loyalty-api serve --demo`` on ``database_url`` (migrations and the demo world are applied first)."""
    port = free_port()
    env = {
        "LOYALTY_DATABASE_URL": database_url,
        "LOYALTY_SQLITE_SYNCHRONOUS": synchronous,
        # The wrong-key scenario measures the credential check itself, at thousands of failures a second from one
        # address: the login throttle would answer all but the first twenty without checking anything.
        "LOYALTY_LOGIN_FAILURE_LIMIT": "1000000000",
    }
    command = [
        *loyalty_api_command(),
        "serve",
        "--demo",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    return _spawn(name, command, work_dir / f"{name}.log", env, port, workers)


def _process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


def _cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # fields[0] is the state (field 3 of stat(5)); utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
