"""``--profile``: py-spy on a server under wrk load, and the report of where its CPU goes.

py-spy samples the server process from outside (``record --format raw --threads --native``), so the server runs
unchanged; sampling slows it a little, which is why these runs are not part of the throughput table.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bench.report import markdown_table
from bench.servers import REPO_ROOT, Server
from bench.stacks import CATEGORIES, WAIT_KINDS, Profile, WriterLines, parse_collapsed, summarize, top, writer_lines
from bench.wrk import WrkResult, run_wrk

__all__ = ["ProfileRun", "ensure_py_spy", "profile_markdown", "profile_server", "server_writer_lines"]

_RATE: Final = 250
_TOP: Final = 15


@dataclass(frozen=True, slots=True)
class ProfileRun:
    label: str
    profile: Profile
    load: WrkResult
    cpu_s: float
    native: bool

    @property
    def cpu_us_per_request(self) -> float:
        return self.cpu_s / self.load.requests * 1e6 if self.load.requests else 0.0


def ensure_py_spy(say: Callable[[str], None]) -> str:
    """py-spy from this environment, installed with pip when missing (says so)."""
    local = Path(sys.executable).parent / "py-spy"
    if local.exists():
        return str(local)
    found = shutil.which("py-spy")
    if found:
        return found
    say("py-spy is missing: installing it into this environment (pip install py-spy)")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "py-spy"], capture_output=True, text=True, check=False
    )
    if done.returncode != 0 or not local.exists():
        raise RuntimeError("could not install py-spy:\n" + done.stderr[-2000:])
    return str(local)


def profile_server(
    py_spy: str,
    wrk: str,
    server: Server,
    label: str,
    body: str,
    expected: str,
    *,
    seconds: int,
    connections: int,
    threads: int,
    writer: WriterLines,
) -> ProfileRun:
    """Load ``server`` with wrk for ``seconds`` + 2 and sample it with py-spy for ``seconds`` in the middle."""
    run_wrk(wrk, server.url, body, expected, seconds=1, connections=connections, threads=threads, tag=f"pw{label}")
    outcome: dict[str, WrkResult] = {}
    cpu_before = server.cpu_seconds()

    def load() -> None:
        outcome["load"] = run_wrk(
            wrk,
            server.url,
            body,
            expected,
            seconds=seconds + 2,
            connections=connections,
            threads=threads,
            tag=f"pr{label}",
        )

    loader = threading.Thread(target=load)
    loader.start()
    try:
        text, native = _record(py_spy, server.process.pid, seconds)
    finally:
        loader.join()
    cpu = server.cpu_seconds() - cpu_before
    profile = summarize(parse_collapsed(text), writer)
    return ProfileRun(label, profile, outcome["load"], cpu, native)


def server_writer_lines() -> WriterLines:
    """The writer's BEGIN/COMMIT lines as the servers load them (read when they start: the tree may change)."""
    return writer_lines(REPO_ROOT / "loyalty_api/store/sqlite/_writer.py")


def _record(py_spy: str, pid: int, seconds: int) -> tuple[str, bool]:
    """Collapsed stacks from py-spy, with native frames when py-spy can unwind them here."""
    time.sleep(1)
    for native in (True, False):
        with tempfile.NamedTemporaryFile(suffix=".txt", delete=False) as handle:
            out = Path(handle.name)
        command = [py_spy, "record", "--pid", str(pid), "--duration", str(seconds), "--rate", str(_RATE)]
        command += ["--format", "raw", "--threads", "--output", str(out)]
        if native:
            command.append("--native")
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
            text = out.read_text() if out.exists() else ""
        finally:
            out.unlink(missing_ok=True)
        if done.returncode == 0 and text.strip():
            return text, native
    raise RuntimeError(f"py-spy could not sample pid {pid}: {done.stderr.strip()[-1000:]}")


def profile_markdown(runs: Sequence[ProfileRun]) -> str:
    """The categories side by side (share of CPU samples and µs per request), then each run's top functions."""
    if not runs:
        return ""
    out = [
        "Share of the server's CPU samples (all threads; samples of parked threads excluded) and the same as CPU µs "
        "per request (share × the server's CPU time ÷ requests served while sampled; py-spy's own slowdown "
        "included). The (not CPU) rows are shares of all samples of all threads.",
        "",
    ]
    header = ["where the CPU goes"] + [f"{run.label}" for run in runs]
    rows = []
    for category in CATEGORIES:
        if not any(run.profile.categories[category] for run in runs):
            continue
        cells = [category]
        for run in runs:
            share = run.profile.share(run.profile.categories[category])
            cells.append(f"{share:5.1%} · {share * run.cpu_us_per_request:5.1f} µs")
        rows.append(cells)
    rows.append(
        ["**credential check, inclusive (accounts/auth.py and the lookup it makes)**"]
        + [
            f"**{run.profile.auth_share:.1%}** · {run.profile.auth_share * run.cpu_us_per_request:.1f} µs"
            for run in runs
        ]
    )
    for kind in WAIT_KINDS:
        if any(run.profile.waiting[kind] for run in runs):
            rows.append([f"(not CPU) {kind}"] + [_wait_share(run, kind) for run in runs])
    rows.append(["total CPU per request"] + [f"100% · {run.cpu_us_per_request:.0f} µs" for run in runs])
    rows.append(["req/s while sampled"] + [f"{run.load.rps:,.0f}" for run in runs])
    rows.append(
        ["server CPU while loaded (1.0 = one core)"]
        + [f"{run.cpu_s / run.load.duration_s:.2f}" if run.load.duration_s else "–" for run in runs]
    )
    rows.append(
        ["CPU samples · waiting samples"]
        + [f"{run.profile.cpu_samples} · {run.profile.waiting_samples}" for run in runs]
    )
    out.append(markdown_table(header, rows, "l" + "r" * len(runs)))
    for run in runs:
        p = run.profile
        out += [
            "",
            f"Top functions, {run.label} (self: the innermost Python frame; native frames {_on(run.native)}):",
            "",
        ]
        self_top = top(p.self_functions, p.cpu_samples, _TOP)
        incl_top = top(p.inclusive_functions, p.cpu_samples, _TOP)
        rows = [[f"{s[1]:.1%}", s[0], f"{i[1]:.1%}", i[0]] for s, i in zip(self_top, incl_top, strict=False)]
        out.append(markdown_table(["self", "function", "inclusive", "function "], rows, "rlrl"))
    return "\n".join(out)


def _wait_share(run: ProfileRun, kind: str) -> str:
    total = run.profile.cpu_samples + run.profile.waiting_samples
    return f"{run.profile.waiting[kind] / total:.0%} of all samples" if total else "–"


def _on(flag: bool) -> str:
    return "on" if flag else "off"
