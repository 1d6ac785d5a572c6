"""The call table: which handler answers each legacy call."""

from __future__ import annotations

from loyalty_api.calls._table import CALLS, is_idempotent, resolve_call

__all__ = ["CALLS", "is_idempotent", "resolve_call"]
