"""``/metrics`` of a live ``loyalty-api serve --workers 2`` on its own port: every worker's requests added up (the
workers share a private PROMETHEUS_MULTIPROC_DIR), and the public port answers 404 for ``/metrics``."""

from __future__ import annotations

import http.client
from pathlib import Path
from urllib.parse import urlencode

import pytest
from prometheus_client.parser import text_string_to_metric_families

from loyalty_api.config import Settings
from tests.support.api import credentials
from tests.support.live_server import HOST, REQUEST_TIMEOUT, free_port, get, live_server

pytestmark = pytest.mark.live


def _account_info(port: int) -> None:
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        body = urlencode({**credentials(), "type": "account_info"})
        conn.request("POST", "/api.php", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert conn.getresponse().status == 200
    finally:
        conn.close()


def test_the_metrics_port_adds_up_every_worker(settings: Settings, tmp_path: Path) -> None:
    metrics_port = free_port()
    env = {"LOYALTY_METRICS_PORT": str(metrics_port)}
    with live_server(settings.database_url, tmp_path, workers=2, extra_env=env) as server:
        for _ in range(8):  # a connection each: the requests spread over the workers
            _account_info(server.port)
        assert get(server.port, "/metrics")[0] == 404
        status, body = get(metrics_port, "/metrics")
    assert status == 200
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }
    labels = (("action", "-"), ("outcome", "200"), ("type", "account_info"))
    assert samples[("loyalty_requests_total", labels)] == 8
    assert samples[("loyalty_request_duration_seconds_count", (("type", "account_info"),))] == 8
