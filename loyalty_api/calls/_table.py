"""The call table: ``(type, action)`` -> the one handler of that legacy call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from loyalty_api.calls import (
    buyx_items,
    campaign_lifecycle,
    campaign_new,
    campaign_rewards,
    campaign_update,
    campaigns_list,
    customer_delete,
    customer_info,
    customer_record,
    customer_search,
    customer_validate,
    ledger_balance,
    ledger_delete,
    ledger_record,
    ledger_redeem,
)
from loyalty_api.calls._context import Handler
from loyalty_api.errors import ApiError
from loyalty_api.protocol.fields import Fields

__all__ = ["ACTION_FIELDS", "CALLS", "DEFAULT_ACTIONS", "IDEMPOTENT", "is_idempotent", "resolve_call"]

# (type, action); action None for calls that take no action.
CALLS: Final[Mapping[tuple[str, str | None], Handler]] = {
    ("campaign_update", "campaign"): campaign_update.update_campaign,
    ("campaign_update", "reward"): campaign_rewards.update_reward,
    ("campaign_new", "campaign"): campaign_new.new_campaign,
    ("campaign_new", "reward"): campaign_rewards.new_reward,
    ("campaign_delete", "campaign"): campaign_lifecycle.delete_campaign,
    ("campaign_delete", "reward"): campaign_rewards.delete_reward,
    ("campaign_rewards", None): campaign_rewards.list_rewards,
    ("campaign_new", "item"): buyx_items.new_item,
    ("campaign_update", "item"): buyx_items.update_item,
    ("campaign_delete", "item"): buyx_items.delete_item,
    ("buyx_items_list", None): buyx_items.list_items,
    ("campaign_deactivate", None): campaign_lifecycle.deactivate_campaign,
    ("campaign_reactivate", None): campaign_lifecycle.reactivate_campaign,
    ("campaigns_list", None): campaigns_list.list_active_campaigns,
    ("campaigns_inactive_list", None): campaigns_list.list_inactive_campaigns,
    ("record_customer", "new"): customer_record.new_customer,
    ("record_customer", "register"): customer_record.register_customer,
    ("record_customer", "edit"): customer_record.edit_customer,
    ("generate_card_number", None): customer_info.generate_card_number,
    ("customer_info", None): customer_info.customer_info,
    ("customer_search", None): customer_search.customer_search,
    ("customer_find", None): customer_search.customer_find,
    ("customer_exists", None): customer_search.customer_exists,
    ("validate_customer_password", None): customer_validate.validate_customer_password,
    ("customer_delete", None): customer_delete.delete_customer,
    ("record_activity", None): ledger_record.record_activity,
    ("redeem", None): ledger_redeem.redeem,
    ("transaction_delete", None): ledger_delete.delete_transaction,
    ("customer_balance", None): ledger_balance.customer_balance,
    ("balance", None): ledger_balance.customer_balance,
}

# The calls that honour an idempotency key (docs/ledger.md, Idempotency); the others ignore it.
IDEMPOTENT: Final[frozenset[tuple[str, str | None]]] = frozenset(
    {
        ("record_activity", None),
        ("redeem", None),
        ("transaction_delete", None),
        ("record_customer", "new"),
        ("record_customer", "register"),
    }
)
_IDEMPOTENT_HANDLERS: Final = frozenset(CALLS[call] for call in IDEMPOTENT)

# Calls whose action is sent in another field than ``action``.
ACTION_FIELDS: Final[Mapping[str, str]] = {"record_customer": "customer_action"}

# Calls whose action may be left out, and the action that then applies.
DEFAULT_ACTIONS: Final[Mapping[str, str]] = {"campaign_delete": "campaign"}

_ACTIONS_BY_TYPE: Final[dict[str, set[str | None]]] = {}
for _type, _action in CALLS:
    _ACTIONS_BY_TYPE.setdefault(_type, set()).add(_action)


def resolve_call(fields: Fields) -> Handler:
    """The handler for the request's ``type`` and ``action``, or ``parameter_missing`` / ``unsupported_call``."""
    call_type = fields.required("type")
    actions = _ACTIONS_BY_TYPE.get(call_type)
    if actions is None:
        raise ApiError("unsupported_call", detail=f"Unknown type {_shown(call_type)}.")
    action_field = ACTION_FIELDS.get(call_type, "action")
    action = fields.value(action_field)
    if action is None or (None in actions and action not in actions):
        # A call without actions ignores a stray action field (some client classes always send one).
        if None in actions:
            return CALLS[(call_type, None)]
        default = DEFAULT_ACTIONS.get(call_type)
        if default is None:
            raise ApiError("parameter_missing", field=action_field)
        return CALLS[(call_type, default)]
    handler = CALLS.get((call_type, action))
    if handler is None:
        known = ", ".join(sorted(a for a in actions if a is not None))
        raise ApiError(
            "unsupported_call",
            detail=f"Unknown {action_field} {_shown(action)} for type {call_type} (known: {known}).",
        )
    return handler


def is_idempotent(handler: Handler) -> bool:
    """Whether the handler (as :func:`resolve_call` answers it) is one of the calls of ``IDEMPOTENT``."""
    return handler in _IDEMPOTENT_HANDLERS


def _shown(text: str) -> str:
    return '"' + (text if len(text) <= 40 else text[:40] + "...") + '"'
