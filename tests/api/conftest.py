"""Fixtures of the API tests: a database shared by the examples of a hypothesis test, and customers to look up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from loyalty_api.web.app import create_app
from tests.support.backends import shared_demo_settings
from tests.support.customers import new


@pytest.fixture
def shared_settings(backend: str, tmp_path: Path) -> Settings:
    """One demo database for all the examples of a hypothesis test: each example sees what the others left, which
    the test must allow (hypothesis is told the fixture is function-scoped on purpose)."""
    return shared_demo_settings(backend, tmp_path)


@pytest.fixture
def shared_client(shared_settings: Settings) -> Iterator[TestClient]:
    """A client of the real app on :func:`shared_settings`' database."""
    with TestClient(create_app(shared_settings)) as client:
        yield client


@pytest.fixture
def people(client: TestClient) -> TestClient:
    """Four customers besides the demo's Jane Doe (oldest first: Jane, Amy, Zoë, Åsa, Bob)."""
    new(client, code="P1", first_name="Amy", last_name="Acker", street1="1234 Main St", city="Springfield")
    new(client, code="P2", first_name="Zoë", last_name="Öberg", email="ZOE@Example.com", custom_field_4="Gouda")
    new(client, code="P3", first_name="Åsa", last_name="Acker", city="springfield", card_number="4400")
    new(client, code="P4", first_name="Bob", last_name="Main", phone="555-0100", custom_field="VIP")
    return client
