"""``python -m bench``: see ``docs/performance.md``."""

from __future__ import annotations

from bench.suite import main

raise SystemExit(main())
