"""wrk: installing it when missing, running one measurement, and reading its ``BENCH`` line."""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

__all__ = ["LUA_SCRIPT", "WrkError", "WrkResult", "ensure_wrk", "parse_wrk_output", "run_wrk"]

LUA_SCRIPT: Final = Path(__file__).resolve().parent / "lua" / "post_form.lua"
_FIELD: Final = re.compile(r"(\w+)=(-?[0-9.]+)")


class WrkError(RuntimeError):
    """wrk could not be installed or run, or printed no result."""


@dataclass(frozen=True, slots=True)
class WrkResult:
    requests: int
    duration_s: float
    answers: int
    bad: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    socket_errors: int
    answer_bytes: int
    bad_sample: str = ""
    wrk_cpu_s: float = 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s > 0 else 0.0

    @property
    def valid(self) -> bool:
        """Every request answered, each with the expected content, no socket error or non-2xx status."""
        return self.bad == 0 and self.socket_errors == 0 and self.requests > 0


def parse_wrk_output(text: str) -> WrkResult:
    """The result of one run from wrk's standard output (the lines ``done()`` of the Lua script prints)."""
    line = next((ln for ln in text.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise WrkError("wrk printed no BENCH line:\n" + text[-2000:])
    values = {key: float(value) for key, value in _FIELD.findall(line)}
    try:
        errors = sum(int(values[f"err_{kind}"]) for kind in ("connect", "read", "write", "status", "timeout"))
        sample = next(
            (ln[len("BENCH_BAD_SAMPLE ") :] for ln in text.splitlines() if ln.startswith("BENCH_BAD_SAMPLE ")), ""
        )
        return WrkResult(
            requests=int(values["requests"]),
            duration_s=values["duration_us"] / 1e6,
            answers=int(values["answers"]),
            bad=int(values["bad"]),
            p50_ms=values["p50_us"] / 1000,
            p90_ms=values["p90_us"] / 1000,
            p99_ms=values["p99_us"] / 1000,
            max_ms=values["max_us"] / 1000,
            mean_ms=values["mean_us"] / 1000,
            socket_errors=errors,
            answer_bytes=int(values["answer_bytes"]),
            bad_sample=sample,
        )
    except KeyError as exc:
        raise WrkError(f"the BENCH line lacks {exc}: {line}") from None


def ensure_wrk(say: Callable[[str], None]) -> str:
    """The path of wrk, installing Debian's package first when it is missing (says so)."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None:
        raise WrkError("wrk is not installed and there is no apt-get to install it: install wrk and run again")
    say("wrk is missing: installing Debian's package (apt-get install -y wrk)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [apt, "install", "-y", "-q", "wrk"]
    if subprocess.run(install, env=env, capture_output=True, check=False).returncode != 0:
        say("apt-get install failed: running apt-get update first")
        subprocess.run([apt, "update", "-q"], env=env, capture_output=True, check=False)
        done = subprocess.run(install, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise WrkError("could not install wrk:\n" + done.stderr[-2000:])
    found = shutil.which("wrk")
    if not found:
        raise WrkError("apt-get installed wrk but it is not on PATH")
    return found


def run_wrk(
    wrk: str,
    url: str,
    body: str,
    expected: str,
    *,
    seconds: int,
    connections: int,
    threads: int,
    tag: str,
) -> WrkResult:
    """One wrk run of ``seconds`` posting ``body`` (``@N@`` replaced by a counter) to ``url``."""
    with tempfile.NamedTemporaryFile("w", suffix=".form", delete=False, encoding="ascii") as handle:
        handle.write(body)
        template = handle.name
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA_SCRIPT),
        url,
        "--",
        template,
        expected,
        tag,
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, check=False)
    except subprocess.TimeoutExpired as exc:
        raise WrkError(f"wrk did not finish within {seconds + 30} s") from exc
    finally:
        os.unlink(template)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise WrkError(f"wrk failed (exit {done.returncode}): {done.stderr.strip()[-1000:]}")
    result = parse_wrk_output(done.stdout)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return replace(result, wrk_cpu_s=cpu)
