"""The whole check, as CI runs it: ``python -m tests`` (format, lint, types, import layers, then the test suite
under coverage, failing below the branch-coverage floor of ``[tool.coverage.report]`` in pyproject.toml).

Extra arguments go to pytest, e.g. ``python -m tests -k jsonp -x``; such a run is a part of the suite, so its
coverage is reported but the floor is not enforced.  Without PostgreSQL (``LOYALTY_TEST_POSTGRES_URL`` unset) its
tests skip, and the PostgreSQL backend is left out of the measure.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.backends import POSTGRES_URL_VARIABLE

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    report = ["--fail-under=0"] if argv else []
    if not os.environ.get(POSTGRES_URL_VARIABLE):
        report.append("--omit=loyalty_api/store/postgres/*")  # its tests skipped
    # (what is printed, the interpreter's arguments)
    steps = [
        ("ruff format --check .", ["-m", "ruff", "format", "--check", "."]),
        ("ruff check .", ["-m", "ruff", "check", "."]),
        ("mypy", ["-m", "mypy"]),
        # The contracts of [tool.importlinter]; `python -m importlinter.cli` would run nothing and exit 0.
        ("lint-imports", ["-c", "from importlinter.cli import lint_imports_command; lint_imports_command()"]),
        ("coverage erase", ["-m", "coverage", "erase"]),
        (" ".join(["coverage run -m pytest", *argv]), ["-m", "coverage", "run", "-m", "pytest", *argv]),
        # The data of the test process and of the live servers it started ([tool.coverage.run] patch).
        ("coverage combine", ["-m", "coverage", "combine", "--quiet"]),
        (" ".join(["coverage report", *report]), ["-m", "coverage", "report", *report]),
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
