"""``type=user_new``, ``user_update``, ``user_delete`` and ``campaign_users``: an account's users over the API.

Only administrators call them (``permission_denied`` for anyone else, before any field is looked at, so a
manager or clerk learns nothing of the account's users or campaigns).  The fields are read here; the rules (the
owner, the last administrator, rights, PIN uniqueness, the audit) are ``accounts/users.py``'s, shared with
``loyalty-api user``.  A key is answered only by ``user_new``; a PIN never.  ``docs/accounts.md`` ("Users over the
API") has the fields, answers and errors.
"""

from __future__ import annotations

import hashlib
import re
import zoneinfo
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Final, TypeVar

from loyalty_api.accounts.auth import MIN_KEY_LENGTH, generate_key, key_digest
from loyalty_api.accounts.permissions import ADMINS
from loyalty_api.accounts.users import (
    Actor,
    NewUser,
    UserChangeRefused,
    UserUpdate,
    create_user,
    remove_user,
    set_campaign_users,
    update_user,
)
from loyalty_api.errors import ApiError
from loyalty_api.handler.context import CallContext
from loyalty_api.handler.fields import Fields
from loyalty_api.store.models import Principal, Role
from loyalty_api.values import parse_text, quoted
from renderers import Element, el, node, response

__all__ = [
    "KEY_LIMIT",
    "MAX_CAMPAIGN_IDS",
    "MAX_USERS",
    "TEXT_LIMITS",
    "campaign_users",
    "check_user_admin",
    "pin_digest",
    "read_user_name",
    "user_delete",
    "user_new",
    "user_update",
]

_USER_NAME: Final = re.compile(r"[A-Za-z0-9_]{1,20}", re.ASCII)
_PIN: Final = re.compile(r"[A-Za-z0-9]{4,20}", re.ASCII)
_LANGUAGE: Final = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})?", re.ASCII)
#: The longest key a caller may give (a generated one has 40 characters).
KEY_LIMIT: Final = 128
#: The text fields' limits, in characters.
TEXT_LIMITS: Final = {"user_first_name": 64, "user_last_name": 64, "user_custom1": 255}
#: How many campaign ids ``allowed_campaigns`` may list, and how many users ``campaign_users`` may name.
MAX_CAMPAIGN_IDS: Final = 1000
MAX_USERS: Final = 100
_CAMPAIGN_ID_LIMIT: Final = 64
# Request field -> the detail it sets (accounts/users.py DETAIL_NAMES).
_TEXT_DETAILS: Final = {"user_first_name": "first_name", "user_last_name": "last_name", "user_custom1": "custom1"}
_ROLES: Final = {"A": Role.ADMIN, "M": Role.MANAGER, "K": Role.CLERK}
T = TypeVar("T")


def check_user_admin(principal: Principal, what: str = "manage users") -> None:
    """Only administrators (the owner is one) call the user calls."""
    if principal.role not in ADMINS:
        raise ApiError("permission_denied", user_id=principal.user_name, what=what)


async def user_new(ctx: CallContext) -> Element:
    principal = ctx.principal
    check_user_admin(principal)
    fields = ctx.fields
    name = read_user_name(fields)
    role = _role(fields.required("user_role"))
    allowed = _allowed(fields.value("allowed_campaigns") or "none")
    given = _key(fields)
    key = given or generate_key()
    details = _details(fields, principal.account.account_id)
    digest = key_digest(principal.account.account_id, name, key)
    new = NewUser(name, role, allowed, digest, details)
    await _refused_as_api(create_user(ctx.store, principal.account, Actor.of(principal), new))
    return response("success", [node("user", [el("user_id", name), el("user_api_key", key)])])


async def user_update(ctx: CallContext) -> Element:
    principal = ctx.principal
    check_user_admin(principal)
    fields = ctx.fields
    name = read_user_name(fields)
    role_text = fields.value("user_role")
    allowed_text = fields.value("allowed_campaigns")
    key = _key(fields)
    account_id = principal.account.account_id
    update = UserUpdate(
        role=None if role_text is None else _role(role_text),
        allowed_given=allowed_text is not None,
        allowed_campaigns=None if allowed_text is None else _allowed(allowed_text),
        key_digest=None if key is None else key_digest(account_id, name, key),
        details=_details(fields, account_id),
    )
    await _refused_as_api(update_user(ctx.store, principal.account, Actor.of(principal), name, update))
    return response("success", [Element("user", None, {"status": "updated"}, [el("user_id", name)])])


async def user_delete(ctx: CallContext) -> Element:
    principal = ctx.principal
    check_user_admin(principal)
    name = read_user_name(ctx.fields)
    await _refused_as_api(remove_user(ctx.store, principal.account, name, Actor.of(principal)))
    return response("success", [Element("user", None, {"status": "deleted"}, [el("user_id", name)])])


async def campaign_users(ctx: CallContext) -> Element:
    """``action=add`` or ``remove``: the campaign given to, or taken from, each of the named users."""
    principal = ctx.principal
    check_user_admin(principal)
    fields = ctx.fields
    add = fields.value("action") == "add"  # the call table knows add and remove only
    campaign_id = fields.required("campaign_id")
    names = _user_names(fields.required("users"))
    actor = Actor.of(principal)
    done = await _refused_as_api(set_campaign_users(ctx.store, principal.account, actor, campaign_id, names, add=add))
    listed = Element(
        "users_added" if add else "users_removed", children=[el("user_id", n) for n in done], repeated=True
    )
    return response("success", [el("campaign_id", campaign_id), listed])


def read_user_name(fields: Fields, field_name: str = "user_name") -> str:
    name = fields.required(field_name)
    if _USER_NAME.fullmatch(name) is None:
        raise ApiError(
            "parameter_invalid",
            detail=f"The field {field_name} must be 1 to 20 letters, digits or _, not {quoted(name)}.",
        )
    return name


def pin_digest(account_id: str, pin: str) -> str:
    """The stored form of a user's PIN: the same for the same PIN in one account, so that uniqueness is one
    indexed look-up (``docs/security.md``, "User PINs")."""
    message = b"\0".join((b"loyalty-api user pin v1", account_id.encode(), pin.encode()))
    return "sha256v1$" + hashlib.sha256(message).hexdigest()


def _role(text: str) -> Role:
    role = _ROLES.get(text.upper())
    if role is None:
        raise ApiError("parameter_invalid", detail=f"The field user_role must be A, M or K, not {quoted(text)}.")
    return role


def _allowed(text: str) -> frozenset[str] | None:
    """``all`` (None), ``none`` (the empty set) or a comma list of ids."""
    word = text.strip().lower()
    if word == "all":
        return None
    if word == "none":
        return frozenset()
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if len(ids) > MAX_CAMPAIGN_IDS:
        raise ApiError(
            "parameter_invalid",
            detail=f"The field allowed_campaigns may list at most {MAX_CAMPAIGN_IDS} campaigns, not {len(ids)}.",
        )
    for campaign_id in ids:
        if len(campaign_id) > _CAMPAIGN_ID_LIMIT:
            raise ApiError("campaign_not_found", campaign_id=quoted(campaign_id))
    if not ids:
        raise ApiError(
            "parameter_invalid", detail="The field allowed_campaigns must be all, none or a comma list of campaign ids."
        )
    return frozenset(ids)


def _key(fields: Fields) -> str | None:
    """The key given in ``user_new_password`` (None: absent or blank)."""
    key = fields.value("user_new_password")
    if key is None:
        return None
    if not MIN_KEY_LENGTH <= len(key) <= KEY_LIMIT:
        raise ApiError(
            "parameter_invalid",
            detail=f"The field user_new_password must hold {MIN_KEY_LENGTH} to {KEY_LIMIT} characters.",
        )
    return key


def _details(fields: Fields, account_id: str) -> dict[str, str | None]:
    """The details the request sends: a blank field clears its detail."""
    details: dict[str, str | None] = {}
    for field_name, detail in _TEXT_DETAILS.items():
        raw = fields.raw(field_name)
        if raw is not None:
            details[detail] = parse_text(field_name, raw.strip(), limit=TEXT_LIMITS[field_name])
    language = fields.raw("language_selector")
    if language is not None:
        details["language"] = _checked("language_selector", language.strip(), _language_ok, "a language code (EN)")
    timezone = fields.raw("timezone_selector")
    if timezone is not None:
        text = timezone.strip()
        details["timezone"] = _checked("timezone_selector", text, _timezone_ok, "an IANA time zone (Europe/Paris)")
    pin = fields.raw("user_PIN")
    if pin is not None:
        text = pin.strip()
        if text and _PIN.fullmatch(text) is None:
            raise ApiError("parameter_invalid", detail="The field user_PIN must be 4 to 20 letters or digits.")
        details["pin_digest"] = pin_digest(account_id, text) if text else None
    return details


def _checked(field_name: str, text: str, ok: Callable[[str], bool], what: str) -> str:
    if text and not ok(text):
        raise ApiError("parameter_invalid", detail=f"The field {field_name} must be {what}, not {quoted(text)}.")
    return text


def _language_ok(text: str) -> bool:
    return _LANGUAGE.fullmatch(text) is not None


def _timezone_ok(text: str) -> bool:
    return text in _timezones()


@lru_cache(maxsize=1)
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _user_names(text: str) -> list[str]:
    names: list[str] = []
    for part in text.split(","):
        name = part.strip()
        if not name or name in names:
            continue
        if _USER_NAME.fullmatch(name) is None:
            raise ApiError("parameter_invalid", detail=f"The field users lists {quoted(name)}, which is no user name.")
        names.append(name)
    if len(names) > MAX_USERS:
        raise ApiError("parameter_invalid", detail=f"The field users may name at most {MAX_USERS} users.")
    if not names:
        raise ApiError("parameter_missing", field="users")
    return names


async def _refused_as_api(change: Awaitable[T]) -> T:
    try:
        return await change
    except UserChangeRefused as exc:
        raise exc.api_error() from exc
