"""The store contract suite's fixtures: a fresh, migrated store of each backend (``store``), and ``async def`` tests
run on the event loop that store was opened on (``runner``), so that a test awaits the store directly."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest

from loyalty_api.store import Store
from tests.store._world import migrated_store
from tests.support.backends import backend_settings


@pytest.fixture(autouse=True)
def runner() -> Iterator[asyncio.Runner]:
    """One event loop per test: the store's connections and the test's awaits share it."""
    with asyncio.Runner() as loop_runner:
        yield loop_runner


@pytest.fixture
def store(backend: str, tmp_path: Path, runner: asyncio.Runner) -> Iterator[Store]:
    """A fresh, empty, migrated database of ``backend`` (both, through the ``backend`` fixture), opened."""
    opened = runner.run(migrated_store(backend_settings(backend, tmp_path)))
    try:
        yield opened
    finally:
        runner.run(opened.close())


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run an ``async def`` test of this folder on its ``runner``'s loop (no plug-in needed)."""
    test = pyfuncitem.obj
    if not inspect.iscoroutinefunction(test):
        return None
    loop_runner = pyfuncitem.funcargs["runner"]
    assert isinstance(loop_runner, asyncio.Runner)
    arguments = {name: pyfuncitem.funcargs[name] for name in inspect.signature(test).parameters}
    loop_runner.run(test(**arguments))
    return True
