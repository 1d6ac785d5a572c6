"""One handler per legacy call, found through the call table."""

from __future__ import annotations

from loyalty_api.calls._context import Answer, CallContext, Handler
from loyalty_api.calls._table import CALLS, is_idempotent, resolve_call

__all__ = ["CALLS", "Answer", "CallContext", "Handler", "is_idempotent", "resolve_call"]
