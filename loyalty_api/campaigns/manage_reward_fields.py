"""``type=manage_reward_fields``, ``action`` list, add, update or delete:
the custom fields of rewards (reward_custom_field_N).

The rules are the same for the three kinds of custom field (``accounts/field_calls.py``).
"""

from __future__ import annotations

from loyalty_api.accounts.field_calls import add_fields, delete_fields, list_fields, update_fields
from loyalty_api.handler.context import CallContext
from renderers import Element

__all__ = [
    "manage_reward_fields_add",
    "manage_reward_fields_delete",
    "manage_reward_fields_list",
    "manage_reward_fields_update",
]


async def manage_reward_fields_list(ctx: CallContext) -> Element:
    return await list_fields(ctx, "reward")


async def manage_reward_fields_add(ctx: CallContext) -> Element:
    return await add_fields(ctx, "reward")


async def manage_reward_fields_update(ctx: CallContext) -> Element:
    return await update_fields(ctx, "reward")


async def manage_reward_fields_delete(ctx: CallContext) -> Element:
    return await delete_fields(ctx, "reward")
