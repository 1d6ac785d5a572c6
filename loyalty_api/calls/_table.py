"""The call table: ``(type, action)`` -> the one handler of that legacy call: the one index of every call.

Handlers live in the feature packages (``accounts/``, ``campaigns/``, ``customers/``, ``ledger/``), each function
named after its call (``campaign_new_reward`` answers ``type=campaign_new``, ``action=reward``), in a module named
after the call or its family.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from loyalty_api.accounts import account_info, account_update, time_tokens, user_calls, user_info, users_list
from loyalty_api.campaigns import (
    buyx_items,
    campaign_deactivate,
    campaign_delete,
    campaign_new,
    campaign_promos,
    campaign_rewards,
    campaign_update,
    campaigns_list,
    manage_reward_fields,
)
from loyalty_api.customers import (
    customer_delete,
    customer_info,
    customer_search,
    generate_card_number,
    manage_fields,
    record_customer,
    validate_customer_password,
)
from loyalty_api.errors import ApiError
from loyalty_api.handler.context import Handler
from loyalty_api.handler.fields import Fields
from loyalty_api.ledger import customer_balance, record_activity, redeem, transaction_delete, transaction_fields
from loyalty_api.values import quoted

__all__ = ["ACTION_FIELDS", "CALLS", "DEFAULT_ACTIONS", "IDEMPOTENT", "is_idempotent", "resolve_call"]

# (type, action); action None for calls that take no action.
CALLS: Final[Mapping[tuple[str, str | None], Handler]] = {
    ("account_info", None): account_info.account_info,
    ("account_update", None): account_update.account_update,
    ("generate_time_token", None): time_tokens.generate_time_token,
    ("validate_time_token", None): time_tokens.validate_time_token,
    ("user_info", None): user_info.user_info,
    ("user_login", None): user_info.user_login,
    ("user_new", None): user_calls.user_new,
    ("user_update", None): user_calls.user_update,
    ("user_delete", None): user_calls.user_delete,
    ("users_list", None): users_list.users_list,
    ("campaign_users", "add"): user_calls.campaign_users,
    ("campaign_users", "remove"): user_calls.campaign_users,
    ("campaign_update", "campaign"): campaign_update.campaign_update,
    ("campaign_new", "campaign"): campaign_new.campaign_new,
    ("campaign_delete", "campaign"): campaign_delete.campaign_delete,
    ("campaign_deactivate", None): campaign_deactivate.campaign_deactivate,
    ("campaign_reactivate", None): campaign_deactivate.campaign_reactivate,
    ("campaigns_list", None): campaigns_list.campaigns_list,
    ("campaigns_inactive_list", None): campaigns_list.campaigns_inactive_list,
    ("campaign_rewards", None): campaign_rewards.campaign_rewards,
    ("campaign_new", "reward"): campaign_rewards.campaign_new_reward,
    ("campaign_update", "reward"): campaign_rewards.campaign_update_reward,
    ("campaign_delete", "reward"): campaign_rewards.campaign_delete_reward,
    ("campaign_promos", None): campaign_promos.campaign_promos,
    ("campaign_new", "promo"): campaign_promos.campaign_new_promo,
    ("campaign_update", "promo"): campaign_promos.campaign_update_promo,
    ("campaign_delete", "promo"): campaign_promos.campaign_delete_promo,
    ("buyx_items_list", None): buyx_items.buyx_items_list,
    ("campaign_new", "item"): buyx_items.campaign_new_item,
    ("campaign_update", "item"): buyx_items.campaign_update_item,
    ("campaign_delete", "item"): buyx_items.campaign_delete_item,
    ("record_customer", "new"): record_customer.record_customer_new,
    ("record_customer", "register"): record_customer.record_customer_register,
    ("record_customer", "edit"): record_customer.record_customer_edit,
    ("generate_card_number", None): generate_card_number.generate_card_number,
    ("customer_info", None): customer_info.customer_info,
    ("customer_search", None): customer_search.customer_search,
    ("customer_find", None): customer_search.customer_find,
    ("find_customer", None): customer_search.customer_find,
    ("customer_exists", None): customer_search.customer_exists,
    ("validate_customer_password", None): validate_customer_password.validate_customer_password,
    ("customer_delete", None): customer_delete.customer_delete,
    ("record_activity", None): record_activity.record_activity,
    ("redeem", None): redeem.redeem,
    ("transaction_delete", None): transaction_delete.transaction_delete,
    ("customer_balance", None): customer_balance.customer_balance,
    ("balance", None): customer_balance.customer_balance,
    ("manage_fields", "list"): manage_fields.manage_fields_list,
    ("manage_fields", "add"): manage_fields.manage_fields_add,
    ("manage_fields", "update"): manage_fields.manage_fields_update,
    ("manage_fields", "delete"): manage_fields.manage_fields_delete,
    ("transaction_fields", "list"): transaction_fields.transaction_fields_list,
    ("transaction_fields", "add"): transaction_fields.transaction_fields_add,
    ("transaction_fields", "update"): transaction_fields.transaction_fields_update,
    ("transaction_fields", "delete"): transaction_fields.transaction_fields_delete,
    ("manage_reward_fields", "list"): manage_reward_fields.manage_reward_fields_list,
    ("manage_reward_fields", "add"): manage_reward_fields.manage_reward_fields_add,
    ("manage_reward_fields", "update"): manage_reward_fields.manage_reward_fields_update,
    ("manage_reward_fields", "delete"): manage_reward_fields.manage_reward_fields_delete,
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

# Calls whose action is sent in another field than ``action``; when that field is absent or blank, ``action`` is read
# instead (one legacy client sends ``record_customer`` with ``action=new``).
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
        raise ApiError("unsupported_call", detail=f"Unknown type {quoted(call_type)}.")
    action_field = ACTION_FIELDS.get(call_type, "action")
    action = fields.value(action_field)
    if action is None and action_field != "action":
        action = fields.value("action")
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
            detail=f"Unknown {action_field} {quoted(action)} for type {call_type} (known: {known}).",
        )
    return handler


def call_labels(fields: Fields | None) -> tuple[str, str]:
    """A request's type and action as metrics label them: a known one, ``other`` for anything else, ``-`` when absent
    (or the request unread).  Clients cannot make up label values."""
    call_type = None if fields is None else fields.value("type")
    if fields is None or call_type is None:
        return "-", "-"
    actions = _ACTIONS_BY_TYPE.get(call_type)
    if actions is None:
        return "other", "-"
    action_field = ACTION_FIELDS.get(call_type, "action")
    action = fields.value(action_field)
    if action is None and action_field != "action":
        action = fields.value("action")
    if action is None:
        return call_type, "-"
    return call_type, action if action in actions else "other"


def is_idempotent(handler: Handler) -> bool:
    """Whether the handler (as :func:`resolve_call` answers it) is one of the calls of ``IDEMPOTENT``."""
    return handler in _IDEMPOTENT_HANDLERS
