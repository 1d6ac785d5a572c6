"""The whole check, as CI runs it: ``python -m tests`` (format, lint, types, then the test suite).

Extra arguments go to pytest, e.g. ``python -m tests -k jsonp -x``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    steps = [
        ["ruff", "format", "--check", "."],
        ["ruff", "check", "."],
        ["mypy"],
        ["pytest", *argv],
    ]
    for step in steps:
        print("+ " + " ".join(step), flush=True)
        result = subprocess.run([sys.executable, "-m", *step], cwd=ROOT, check=False)
        if result.returncode != 0:
            print(f"FAILED: {' '.join(step)} (exit {result.returncode})", flush=True)
            return result.returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
