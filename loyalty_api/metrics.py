"""The server's Prometheus metrics (``docs/deployment.md#metrics``), all named ``loyalty_*``.

Under ``serve --workers N`` each worker writes its values to files in ``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client
reads the variable when it is imported: ``serve`` sets it before the workers start) and :func:`exposition` adds them up.
"""

from __future__ import annotations

import os
from typing import Final

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

__all__ = [
    "CONTENT_TYPE",
    "IDEMPOTENT_REPLAYS",
    "MULTIPROC_DIR_VARIABLE",
    "REQUESTS",
    "REQUEST_SECONDS",
    "STORE_UNAVAILABLE",
    "WRITE_BATCH_SIZE",
    "exposition",
    "registry",
]

MULTIPROC_DIR_VARIABLE: Final = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE: Final = CONTENT_TYPE_LATEST

REQUESTS: Final = Counter(
    "loyalty_requests", "API requests by call type, action and outcome", ("type", "action", "outcome")
)
REQUEST_SECONDS: Final = Histogram(
    "loyalty_request_duration_seconds",
    "Time to answer an API request, by call type",
    ("type",),
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
IDEMPOTENT_REPLAYS: Final = Counter("loyalty_idempotent_replays", "Answers replayed for a repeated idempotency key")
STORE_UNAVAILABLE: Final = Counter("loyalty_store_unavailable", "API requests answered store_unavailable")
WRITE_BATCH_SIZE: Final = Histogram(
    "loyalty_write_batch_size",
    "Jobs in each batch the group-commit writer commits together",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
)


def registry() -> CollectorRegistry:
    """What ``/metrics`` reports: this process's metrics, or every worker's when they share a directory."""
    if not os.environ.get(MULTIPROC_DIR_VARIABLE):
        return REGISTRY
    merged = CollectorRegistry()
    MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
    return merged


def exposition() -> bytes:
    """The metrics in Prometheus' text format."""
    return generate_latest(registry())
