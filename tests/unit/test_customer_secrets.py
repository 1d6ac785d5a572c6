"""Customers' secrets are hashed with argon2id, with OWASP's minimum parameters in production; parameters from the
environment are checked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import Type

from loyalty_api.customers import secrets as secrets_hashing
from tests.support.customers import production_argon2


@pytest.fixture
def production_parameters(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    yield from production_argon2(monkeypatch)


def test_production_uses_owasp_minimum_argon2id(production_parameters: None) -> None:
    chosen = secrets_hashing.hasher()
    assert (chosen.memory_cost, chosen.time_cost, chosen.parallelism, chosen.type) == (19 * 1024, 2, 1, Type.ID)
    assert chosen.hash("x").startswith("$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.parametrize("value", ["0", "-1", "lots", "7", "٦٤"])
def test_bad_parameters_in_the_environment_are_refused(
    production_parameters: None, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(secrets_hashing.ENV_MEMORY_KIB, value)
    with pytest.raises(ValueError, match=secrets_hashing.ENV_MEMORY_KIB):
        secrets_hashing.hasher()
