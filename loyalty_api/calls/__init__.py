"""One handler per legacy call, found through the call table."""

from __future__ import annotations

from loyalty_api.calls._context import CallContext, Handler
from loyalty_api.calls._table import CALLS, resolve_call

__all__ = ["CALLS", "CallContext", "Handler", "resolve_call"]
