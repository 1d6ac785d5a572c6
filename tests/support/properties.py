"""Hypothesis settings shared by the property tests through HTTP."""

from __future__ import annotations

from typing import Final

from hypothesis import HealthCheck, settings

__all__ = ["ON_A_SHARED_DATABASE", "machine_settings"]

# What a test whose examples share one database (a function-scoped fixture, on purpose) tells hypothesis.
ON_A_SHARED_DATABASE: Final = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def machine_settings(max_examples: int, steps: int) -> settings:
    """For ``run_state_machine_as_test``: ``max_examples`` runs of ``steps`` steps each, with no deadline (each
    step is a request or more)."""
    return settings(
        max_examples=max_examples,
        stateful_step_count=steps,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
