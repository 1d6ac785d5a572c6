"""The call table: which handler answers each legacy call."""

from __future__ import annotations

from loyalty_api.calls._table import CALLS, call_labels, is_idempotent, resolve_call

__all__ = ["CALLS", "call_labels", "is_idempotent", "resolve_call"]
