"""The machine a run measured on (for the report's header)."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

__all__ = ["machine_lines"]


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        text = ""
    for line in text.splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _wrk_version() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        return "not installed"
    done = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)
    first = (done.stdout or done.stderr).strip().splitlines()
    return first[0].split(" [")[0] if first else "unknown"


def _source_version() -> str:
    """The commit the servers ran, and whether the work tree had changes on top of it."""
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        ["git", "-C", str(root), "describe", "--always", "--dirty"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or "unknown"


def machine_lines() -> list[str]:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    packages = ", ".join(f"{p} {_version(p)}" for p in ("starlette", "uvicorn", "uvloop", "httptools"))
    return [
        f"- machine: {os.cpu_count()} CPUs (nproc), {_cpu_model()}; load average at the start {load}",
        f"- loyalty-api at commit {_source_version()} (-dirty: the work tree had uncommitted changes)",
        f"- Python {platform.python_version()} ({platform.python_implementation()}); {packages}; {_wrk_version()}",
    ]
