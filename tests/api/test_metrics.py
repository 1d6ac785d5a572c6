"""``/metrics``: Prometheus' text format, read with prometheus-client's own parser after known traffic, on both stores.

The counters live as long as the process (every test's app adds to them), so each test compares the figures after
its traffic with those before it.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Final

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from loyalty_api.web.app import create_app
from tests.support.api import credentials
from tests.support.demo import GIFTCARD, JANE
from tests.support.live_server import free_port

SALE: Final = {"type": "record_activity", "code": JANE, "campaign_id": GIFTCARD, "amount": "10"}
Sample = tuple[str, tuple[tuple[str, str], ...]]


def _metrics(client: TestClient) -> dict[Sample, float]:
    reply = client.get("/metrics")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(reply.text)
        for sample in family.samples
    }


def _delta(before: dict[Sample, float], after: dict[Sample, float], name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


def _requests(before: dict[Sample, float], after: dict[Sample, float], kind: str, action: str, outcome: str) -> float:
    return _delta(before, after, "loyalty_requests_total", type=kind, action=action, outcome=outcome)


def _post(client: TestClient, fields: dict[str, str], key: str | None = None) -> None:
    headers = {} if key is None else {"Idempotency-Key": key}
    client.post("/api.php", data={**credentials(), **fields}, headers=headers)


def test_requests_are_counted_by_type_action_and_outcome(client: TestClient) -> None:
    before = _metrics(client)
    for _ in range(3):
        _post(client, SALE)
    _post(client, {"type": "customer_info", "code": JANE})
    _post(client, {"type": "customer_info", "code": "NO-SUCH-CARD"})
    _post(client, {"type": "no_such_call"})
    _post(client, {"type": "record_customer", "customer_action": "teleport"})
    client.post("/api.php", data={"type": "customer_info"})  # no credentials
    client.put("/api.php")
    after = _metrics(client)

    assert _requests(before, after, "record_activity", "-", "200") == 3
    assert _requests(before, after, "customer_info", "-", "200") == 1
    assert _requests(before, after, "customer_info", "-", "customer_not_found") == 1
    assert _requests(before, after, "other", "-", "unsupported_call") == 1  # the unknown type is not a label
    assert _requests(before, after, "record_customer", "other", "unsupported_call") == 1
    assert _requests(before, after, "customer_info", "-", "parameter_missing") == 1
    assert _requests(before, after, "-", "-", "method_not_allowed") == 1
    assert not any(labels and ("type", "no_such_call") in labels for _, labels in after)
    assert not any(labels and ("action", "teleport") in labels for _, labels in after)

    histogram = "loyalty_request_duration_seconds"
    assert _delta(before, after, f"{histogram}_count", type="record_activity") == 3
    assert _delta(before, after, f"{histogram}_bucket", type="record_activity", le="+Inf") == 3
    assert _delta(before, after, f"{histogram}_count", type="other") == 1
    assert _delta(before, after, f"{histogram}_sum", type="record_activity") > 0


def test_idempotent_replays_and_write_batches_are_counted(client: TestClient) -> None:
    before = _metrics(client)
    _post(client, SALE, key="metrics-replay-1")
    _post(client, SALE, key="metrics-replay-1")
    _post(client, SALE, key="metrics-replay-1")
    after = _metrics(client)
    assert _delta(before, after, "loyalty_idempotent_replays_total") == 2
    assert _requests(before, after, "record_activity", "-", "200") == 3
    assert _delta(before, after, "loyalty_write_batch_size_count") >= 1
    assert _delta(before, after, "loyalty_write_batch_size_sum") >= 1
    assert ("loyalty_store_unavailable_total", ()) in after


def test_a_metrics_port_takes_metrics_off_the_public_app(shared_settings: Settings) -> None:
    settings = dataclasses.replace(shared_settings, metrics_port=9464)
    with TestClient(create_app(settings)) as client:
        assert client.get("/metrics").status_code == 404
        assert client.get("/healthz").status_code == 200
    with TestClient(create_app(shared_settings)) as client:
        assert client.get("/metrics").status_code == 200


def test_the_metrics_port_variable() -> None:
    assert Settings.from_env({}).metrics_port is None
    assert Settings.from_env({"LOYALTY_METRICS_PORT": ""}).metrics_port is None
    assert Settings.from_env({"LOYALTY_METRICS_PORT": "9464"}).metrics_port == 9464
    for value, message in (
        ("0", "LOYALTY_METRICS_PORT must be at least 1"),
        ("65536", "LOYALTY_METRICS_PORT is a TCP port: at most 65535, not 65536"),
        ("http", "LOYALTY_METRICS_PORT must be a whole number, not 'http'"),
    ):
        with pytest.raises(ValueError, match=re.escape(message)):
            Settings.from_env({"LOYALTY_METRICS_PORT": value})


def test_store_unavailable_answers_are_counted() -> None:
    # Nothing listens on the port: the login's query fails, and the request is answered store_unavailable.
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere?schema=metrics_absent"
    with TestClient(create_app(Settings(database_url=url))) as client:
        before = _metrics(client)
        _post(client, {"type": "account_info"})
        after = _metrics(client)
    assert _delta(before, after, "loyalty_store_unavailable_total") == 1
    assert _requests(before, after, "account_info", "-", "store_unavailable") == 1
