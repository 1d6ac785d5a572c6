"""``type=transaction_fields``, ``action`` list, add, update or delete:
the custom fields of transactions (custom_field_N of record_activity and redeem).

The rules are the same for the three kinds of custom field (``accounts/field_calls.py``).
"""

from __future__ import annotations

from loyalty_api.accounts.field_calls import add_fields, delete_fields, list_fields, update_fields
from loyalty_api.handler.context import CallContext
from renderers import Element

__all__ = [
    "transaction_fields_add",
    "transaction_fields_delete",
    "transaction_fields_list",
    "transaction_fields_update",
]


async def transaction_fields_list(ctx: CallContext) -> Element:
    return await list_fields(ctx, "transaction")


async def transaction_fields_add(ctx: CallContext) -> Element:
    return await add_fields(ctx, "transaction")


async def transaction_fields_update(ctx: CallContext) -> Element:
    return await update_fields(ctx, "transaction")


async def transaction_fields_delete(ctx: CallContext) -> Element:
    return await delete_fields(ctx, "transaction")
