"""``type=user_info`` and ``type=user_login``: who the caller is and what it may do.

``user_info`` answers the calling user, or for an administrator the account's user named by ``user_name``;
``user_login`` is the login of apps that know a user id and a key but not the account: the endpoint finds the one
account with a user of that id (``web/endpoint.py``), and the answer is ``user_info``'s.  Never a key or a PIN.
``suppress_permissions=Yes`` leaves ``user_permissions`` out (``docs/accounts.md``).
"""

from __future__ import annotations

from typing import Final

from loyalty_api.accounts.permissions import permissions_of
from loyalty_api.errors import ApiError
from loyalty_api.handler.context import CallContext
from loyalty_api.store.models import Account, Role, User
from loyalty_api.values import yes_no
from renderers import Element, boxed_list, el, node, response

__all__ = ["allowed_campaigns_element", "permissions_element", "user_info", "user_login"]

_YES: Final = frozenset({"yes", "y", "true", "1"})


async def user_info(ctx: CallContext) -> Element:
    principal = ctx.principal
    name = ctx.fields.value("user_name") or principal.user_name
    if name != principal.user_name and principal.role is not Role.ADMIN:
        raise ApiError("permission_denied", user_id=principal.user_name, what="see other users")
    user = await ctx.store.get_user(principal.account.pk, name)
    if user is None and name == principal.user_name:  # removed since the login was read (the login cache's time)
        raise ApiError("no_valid_session")
    if user is None:
        raise ApiError("user_not_found", user_id=name)
    suppress = (ctx.fields.value("suppress_permissions") or "").lower() in _YES
    return response("success", [_user_element(user, principal.account, with_permissions=not suppress)])


async def user_login(ctx: CallContext) -> Element:
    """The calling user, as ``user_info`` answers it (the login itself happened before, in the endpoint)."""
    principal = ctx.principal
    user = await ctx.store.get_user(principal.account.pk, principal.user_name)
    if user is None:  # removed since the login was read (the login cache's time at most)
        raise ApiError("no_valid_session")
    suppress = (ctx.fields.value("suppress_permissions") or "").lower() in _YES
    return response("success", [_user_element(user, principal.account, with_permissions=not suppress)])


def _user_element(user: User, account: Account, *, with_permissions: bool) -> Element:
    children = [
        el("user_id", user.user_name),
        el("user_first_name", user.first_name),
        el("user_last_name", user.last_name),
        el("user_addtl_info", user.custom1),
        el("user_language", user.language),
        el("user_timezone", user.timezone),
        el("user_role", user.role.value),
        el("user_is_owner", yes_no(user.is_owner)),
    ]
    if with_permissions:
        children.append(permissions_element(user.role))
    children += [
        allowed_campaigns_element(user),
        el("account_coalition", yes_no(account.in_coalition)),
        el("account_c2t", yes_no(account.in_two_tier)),
    ]
    return node("user", children)


def permissions_element(role: Role) -> Element:
    """``<user_permissions>``: each permission's name, ``Y`` or ``N``."""
    return node("user_permissions", [el(name, yes_no(allowed)) for name, allowed in permissions_of(role)])


def allowed_campaigns_element(user: User) -> Element:
    """``status`` all, none or some, and the ids (a list, empty unless some)."""
    allowed = user.allowed_campaigns
    ids = [] if allowed is None else sorted(allowed)
    status = "all" if allowed is None else ("some" if ids else "none")
    # In JSON each id is {"xml_value_to_show": id}, as the legacy service answered and Java clients declare it.
    listed = boxed_list("campaign_ids", [el("campaign_id", campaign_id) for campaign_id in ids])
    return node("user_allowed_campaigns", [el("status", status), listed])
