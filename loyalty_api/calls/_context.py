"""What a handler receives: the caller, the fields, the store.  Never an HTTP object."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from loyalty_api.protocol.fields import Fields
from loyalty_api.store.interface import Store
from loyalty_api.store.models import Principal
from renderers import Element

__all__ = ["CallContext", "Handler"]


@dataclass(frozen=True, slots=True)
class CallContext:
    principal: Principal
    fields: Fields
    store: Store


Handler = Callable[[CallContext], Awaitable[Element]]
