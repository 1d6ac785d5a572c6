"""``type=users_list``: the account's users, searched, sorted and paged as ``campaigns_list`` does its campaigns.

Administrators only.  An account has few users, so the store answers them all (``Store.list_users``) and the search,
the order and the page are applied here.  Never a key nor a PIN; ``show_permissions=Y`` adds each user's
permissions as ``user_info`` answers them.  The rules are in ``docs/accounts.md`` ("Users over the API").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from loyalty_api.accounts.user_calls import check_user_admin
from loyalty_api.accounts.user_info import allowed_campaigns_element, permissions_element
from loyalty_api.errors import ApiError
from loyalty_api.handler.context import CallContext
from loyalty_api.handler.fields import Fields
from loyalty_api.store.models import SEARCH_OPERATORS, User
from loyalty_api.values import quoted, yes_no
from renderers import Element, el, node, response

__all__ = ["MAX_LENGTH", "SEARCH_FIELDS", "SEARCH_MAX_VALUES", "SEARCH_VALUE_LIMIT", "users_list"]

#: The fields a search or a sort may name, and what each reads of a user.
SEARCH_FIELDS: Final[dict[str, Callable[[User], str]]] = {
    "user_name": lambda u: u.user_name,
    "user_first_name": lambda u: u.first_name,
    "user_last_name": lambda u: u.last_name,
    "user_full_name": lambda u: f"{u.first_name} {u.last_name}".strip(),
    "user_role": lambda u: u.role.value,
    "language": lambda u: u.language,
    "timezone": lambda u: u.timezone,
    "user_custom1": lambda u: u.custom1,
}
_ALIASES: Final = {"user_id": "user_name", "user_addtl_info": "user_custom1"}
#: The most users one answer holds (absent, blank or 0 ``length``: as many as that).
MAX_LENGTH: Final = 1000
SEARCH_VALUE_LIMIT: Final = 2000
SEARCH_MAX_VALUES: Final = 100
_COUNT: Final = re.compile(r"\d{1,9}", re.ASCII)
_YES: Final = frozenset({"y", "yes", "true", "1"})


async def users_list(ctx: CallContext) -> Element:
    principal = ctx.principal
    check_user_admin(principal, "list users")
    fields = ctx.fields
    search = _read_search(fields)
    key, descending = _read_sort(fields)
    offset = _count(fields, "offset") or 0
    length = min(_count(fields, "length") or MAX_LENGTH, MAX_LENGTH)
    with_permissions = (fields.value("show_permissions") or "").lower() in _YES
    users = await ctx.store.list_users(principal.account.pk)
    if search is not None:
        read, op, values = search
        users = [user for user in users if _matches(op, read(user), values)]
    users.sort(key=lambda u: (key(u).casefold(), u.user_name), reverse=descending)
    page = users[offset : offset + length]
    items = [_user_element(user, with_permissions=with_permissions) for user in page]
    return response(
        "success",
        [
            Element("users", children=items, repeated=True),
            node("pagination", [el("total", len(users)), el("offset", offset), el("length", len(items))]),
        ],
    )


def _user_element(user: User, *, with_permissions: bool) -> Element:
    children = [
        el("user_id", user.user_name),
        el("user_first_name", user.first_name),
        el("user_last_name", user.last_name),
        el("user_addtl_info", user.custom1),
        el("user_language", user.language),
        el("user_timezone", user.timezone),
        el("user_role", user.role.value),
        el("user_is_owner", yes_no(user.is_owner)),
        el("user_disabled", yes_no(user.disabled)),
        el("user_created", user.created_at.strftime("%Y-%m-%d %H:%M:%S")),
    ]
    if with_permissions:
        children.append(permissions_element(user.role))
    children.append(allowed_campaigns_element(user))
    return node("user", children)


def _field(field_name: str, text: str) -> Callable[[User], str]:
    name = _ALIASES.get(text.lower(), text.lower())
    read = SEARCH_FIELDS.get(name)
    if read is None:
        known = ", ".join((*SEARCH_FIELDS, *_ALIASES))
        raise ApiError(
            "parameter_invalid", detail=f"The field {field_name} must be one of {known}, not {quoted(text)}."
        )
    return read


def _read_search(fields: Fields) -> tuple[Callable[[User], str], str, tuple[str, ...]] | None:
    field_text = fields.value("searchField")
    if field_text is None:
        return None
    read = _field("searchField", field_text)
    op_text = fields.value("searchOper")
    op = "eq" if op_text is None else op_text.lower()
    if op not in SEARCH_OPERATORS:
        raise ApiError(
            "parameter_invalid",
            detail=f"The field searchOper must be one of {', '.join(SEARCH_OPERATORS)}, not {quoted(op_text or '')}.",
        )
    value = fields.raw("searchValue")
    if value is None:
        raise ApiError("parameter_missing", field="searchValue")
    value = value.strip()
    if len(value) > SEARCH_VALUE_LIMIT:
        raise ApiError(
            "parameter_invalid",
            detail=f"The field searchValue may hold at most {SEARCH_VALUE_LIMIT} characters, not {len(value)}.",
        )
    if op not in ("in", "ni"):
        return read, op, (value,)
    values = tuple(part.strip() for part in value.split(",") if part.strip())
    if not values:
        raise ApiError("parameter_invalid", detail="The field searchValue must hold a comma list for in and ni.")
    if len(values) > SEARCH_MAX_VALUES:
        raise ApiError(
            "parameter_invalid",
            detail=f"The field searchValue may list at most {SEARCH_MAX_VALUES} values for {op}, not {len(values)}.",
        )
    return read, op, values


def _matches(op: str, candidate: str, values: tuple[str, ...]) -> bool:
    """The search operators on one text, case-insensitively (as ``campaigns_list`` compares)."""
    text = candidate.casefold()
    wanted = [value.casefold() for value in values]
    first = wanted[0]
    tests = {
        "eq": text == first,
        "bw": text.startswith(first),
        "ew": text.endswith(first),
        "cn": first in text,
        "in": text in wanted,
    }
    positive = {"ne": "eq", "bn": "bw", "en": "ew", "nc": "cn", "ni": "in"}.get(op)
    return not tests[positive] if positive is not None else tests[op]


def _read_sort(fields: Fields) -> tuple[Callable[[User], str], bool]:
    order_text = fields.value("sortOrder")
    order = "ASC" if order_text is None else order_text.upper()
    if order not in ("ASC", "DESC"):
        raise ApiError(
            "parameter_invalid", detail=f"The field sortOrder must be ASC or DESC, not {quoted(order_text or '')}."
        )
    field_text = fields.value("sortField")
    read = SEARCH_FIELDS["user_name"] if field_text is None else _field("sortField", field_text)
    return read, order == "DESC"


def _count(fields: Fields, field_name: str) -> int | None:
    text = fields.value(field_name)
    if text is None:
        return None
    if _COUNT.fullmatch(text) is None:
        raise ApiError(
            "parameter_invalid",
            detail=f"The field {field_name} must be a whole number of at least 0, not {quoted(text)}.",
        )
    return int(text)
