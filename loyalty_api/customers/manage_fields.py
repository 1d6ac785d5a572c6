"""``type=manage_fields``, ``action`` list, add, update or delete:
customers' custom fields (custom_field_N), besides the fixed fields every account has.

The rules are the same for the three kinds of custom field (``accounts/field_calls.py``).
"""

from __future__ import annotations

from loyalty_api.accounts.field_calls import add_fields, delete_fields, list_fields, update_fields
from loyalty_api.handler.context import CallContext
from renderers import Element

__all__ = ["manage_fields_add", "manage_fields_delete", "manage_fields_list", "manage_fields_update"]


async def manage_fields_list(ctx: CallContext) -> Element:
    return await list_fields(ctx, "customer")


async def manage_fields_add(ctx: CallContext) -> Element:
    return await add_fields(ctx, "customer")


async def manage_fields_update(ctx: CallContext) -> Element:
    return await update_fields(ctx, "customer")


async def manage_fields_delete(ctx: CallContext) -> Element:
    return await delete_fields(ctx, "customer")
