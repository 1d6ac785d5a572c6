"""The whole check, as CI runs it: ``python -m tests`` (format, lint, types, import layers, then the test suite).

Extra arguments go to pytest, e.g. ``python -m tests -k jsonp -x``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    # (what is printed, the interpreter's arguments)
    steps = [
        ("ruff format --check .", ["-m", "ruff", "format", "--check", "."]),
        ("ruff check .", ["-m", "ruff", "check", "."]),
        ("mypy", ["-m", "mypy"]),
        # The contracts of [tool.importlinter]; `python -m importlinter.cli` would run nothing and exit 0.
        ("lint-imports", ["-c", "from importlinter.cli import lint_imports_command; lint_imports_command()"]),
        (" ".join(["pytest", *argv]), ["-m", "pytest", *argv]),
    ]
    for name, args in steps:
        print(f"+ {name}", flush=True)
        result = subprocess.run([sys.executable, *args], cwd=ROOT, check=False)
        if result.returncode != 0:
            print(f"FAILED: {name} (exit {result.returncode})", flush=True)
            return result.returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
