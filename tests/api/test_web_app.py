"""The ASGI application around the endpoint: routing, the store's lifespan, settings from the environment, the
collector's threshold.  (The health and readiness probes: ``test_health.py``.)"""

from __future__ import annotations

import asyncio
import gc

import pytest
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from loyalty_api.store import StoreUnavailable
from loyalty_api.web.app import API_PATHS, YOUNG_COLLECTION_THRESHOLD, app_from_env, create_app
from tests.support.api import call
from tests.support.users import ADMIN


@pytest.mark.parametrize("path", ["/nothing", "/api", "/index.php", "/healthz/x"])
def test_other_paths_are_404(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_the_api_paths() -> None:
    assert frozenset({"/", "/api.php", "/api.php/"}) == API_PATHS


def test_a_trailing_slash_is_answered_never_redirected(client: TestClient) -> None:
    """``/api.php/`` answered a 307 whose Location came from the Host header and repeated the query string, keys
    included.  It is answered as ``/api.php`` (as PHP runs the script); other paths never redirect either."""
    query = {"account_id": "greatwidgets", "user_id": "john1970", "user_password": "1959caadac9b13dcb3"}
    reply = client.get("/api.php/", params={**query, "type": "campaigns_list"}, headers={"Host": "evil.example"})
    assert reply.status_code == 200 and 'status="success"' in reply.text
    assert "location" not in reply.headers
    for path in ("/healthz/", "/readyz/"):
        other = client.get(path, params=query, follow_redirects=False)
        assert other.status_code == 404 and "location" not in other.headers


def test_both_api_paths_reach_the_endpoint(client: TestClient) -> None:
    for path in sorted(API_PATHS):
        reply = client.get(path, params={"output": "json"})
        assert reply.status_code == 200
        assert reply.json()["error_code"] == "parameter_missing"


def test_the_store_is_open_during_the_lifespan_and_closed_after(settings: Settings) -> None:
    app = create_app(settings)
    with TestClient(app) as client:
        root = call(client, {"type": "campaign_update", "action": "campaign", "campaign_id": "1234567890123450"})
        assert root.get("status") == "updated"
    with pytest.raises(StoreUnavailable):
        asyncio.run(app.store.ping())


def test_app_from_env_reads_the_database_url(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setenv("LOYALTY_DATABASE_URL", settings.database_url)
    app = app_from_env()
    assert app.store.url == settings.database_url
    with TestClient(app) as client:
        assert (
            call(client, {"type": "campaign_update", "action": "campaign", "campaign_id": "WidgetClub"}, ADMIN).get(
                "status"
            )
            == "updated"
        )


def test_startup_sets_the_young_collection_threshold(settings: Settings) -> None:
    """The lifespan raises the collector's first threshold (a request's objects die before they would be traversed)
    and keeps the others."""
    before = gc.get_threshold()
    gc.set_threshold(700, *before[1:])
    try:
        with TestClient(create_app(settings)):
            assert gc.get_threshold() == (YOUNG_COLLECTION_THRESHOLD, *before[1:])
    finally:
        gc.set_threshold(*before)
