"""Changing an account's users: the one set of rules both ``loyalty-api user`` and the user calls follow.

Each change is one write transaction that locks the user (and orders itself with the other changes of the account's
users), checks the rules below, changes the row and records an audit record (entity ``user``, the old and the new
values; never a key, a PIN, nor their digests).  The rules:

- an account always keeps an enabled administrator, so the last one can be neither disabled, demoted nor removed;
- its owner (the user whose user_id is the account id) is an administrator of every campaign that stays: it can be
  neither disabled, demoted, limited to some campaigns nor removed; over the API only the owner changes its own key;
- a user name is unique among the account's live users (a removed user's name is free again: the archive keeps the
  removed user whole, with its own id); a PIN is unique among the live users too;
- over the API (an :class:`Actor` of a role) nobody gives a role above their own, nor campaigns they do not have,
  nor changes a user of a higher role; every campaign named must be a live campaign of the account the actor sees
  (``campaign_not_found`` otherwise).  The operator (``loyalty-api user``) is above these: it may name campaigns
  not yet made.

A changed key, a disabled or a removed user is refused on every node within the login cache's time
(``LOYALTY_LOGIN_CACHE_SECONDS``, 2 s by default): each process keeps what it looked up for that long.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from loyalty_api.errors import ApiError
from loyalty_api.store.interface import Store, UserValues, WriteTx
from loyalty_api.store.models import Account, Change, NewAudit, Principal, Role, User, utc_now
from loyalty_api.values import clipped

__all__ = [
    "DETAIL_NAMES",
    "Actor",
    "NewUser",
    "UserChangeRefused",
    "UserUpdate",
    "create_user",
    "remove_user",
    "rotate_key",
    "set_campaign_users",
    "set_disabled",
    "set_role",
    "update_user",
]

#: The texts a user has besides its role, campaigns and key (store column names; ``pin_digest`` None: no PIN).
DETAIL_NAMES: Final = ("first_name", "last_name", "custom1", "language", "timezone", "pin_digest")
_RANK: Final = {Role.CLERK: 0, Role.MANAGER: 1, Role.ADMIN: 2}


class UserChangeRefused(Exception):
    """The change would break a rule or names no user; nothing was changed.  ``str()`` says why (the operator's
    words); :meth:`api_error` is the error the calls answer."""

    def __init__(self, message: str, code: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params

    def api_error(self) -> ApiError:
        return ApiError(self.code, **self.params)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change: the audit's author, and (``role`` not None) a caller of the API held to its rights."""

    name: str
    role: Role | None = None  # None: the operator, above the rules of rights
    allowed_campaigns: frozenset[str] | None = None
    is_owner: bool = False

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        return cls(principal.user_name, principal.role, principal.allowed_campaigns, principal.is_owner)


@dataclass(frozen=True, slots=True)
class NewUser:
    user_name: str
    role: Role
    allowed_campaigns: frozenset[str] | None  # None: every campaign
    key_digest: str
    details: Mapping[str, str | None] = field(default_factory=dict)  # some of DETAIL_NAMES


@dataclass(frozen=True, slots=True)
class UserUpdate:
    """What changes (None: unchanged; ``allowed_given`` says whether ``allowed_campaigns`` was given)."""

    role: Role | None = None
    allowed_given: bool = False
    allowed_campaigns: frozenset[str] | None = None
    key_digest: str | None = None
    details: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Change:
    action: str
    values: UserValues
    changes: tuple[Change, ...]
    removes: bool = False


async def create_user(store: Store, account: Account, actor: Actor, new: NewUser) -> User:
    """Add the user (``user_exists`` when a live user has the name)."""
    allowed = None if new.role is Role.ADMIN else new.allowed_campaigns

    async def work(tx: WriteTx) -> User:
        name = new.user_name
        if await tx.user_for_update(account.pk, name) is not None:
            raise UserChangeRefused(
                f"the user {name!r} exists already in {account.account_id!r}", "user_exists", user_id=name
            )
        await _check_campaigns(tx, account, actor, allowed)
        _check_grant(actor, new.role, allowed)
        await _check_pin(tx, account, name, new.details.get("pin_digest"))
        now = utc_now()
        details = {key: value for key, value in new.details.items() if value}
        await tx.insert_user(account.pk, name, new.role.value, allowed, new.key_digest, now, details)
        changes = [Change("role", None, new.role.value), Change("allowed_campaigns", None, _shown(allowed))]
        changes += [_detail_change(key, None, value) for key, value in details.items()]
        await _audit(tx, account, actor, name, "create", tuple(changes))
        user = await tx.user_for_update(account.pk, name)
        assert user is not None
        return user

    return await store.write(work)


async def update_user(store: Store, account: Account, actor: Actor, user_name: str, update: UserUpdate) -> User:
    """Change what ``update`` gives; the rest stays."""

    async def plan(tx: WriteTx, user: User) -> _Change:
        _check_reach(actor, user)
        role = update.role or user.role
        allowed = update.allowed_campaigns if update.allowed_given else user.allowed_campaigns
        allowed = None if role is Role.ADMIN else allowed
        if user.is_owner and (role is not Role.ADMIN or allowed is not None):
            raise _owner(user, "demoted or limited to some campaigns")
        if update.key_digest is not None and user.is_owner and actor.role is not None and not actor.is_owner:
            raise _owner(user, "given a new key by another user")
        if role is not Role.ADMIN and await _last_administrator(tx, account, user):
            raise _last(user, "demoted")
        if update.role is not None or update.allowed_given:
            if allowed is not None:
                await _check_campaigns(tx, account, actor, allowed - (user.allowed_campaigns or frozenset()))
            _check_grant(actor, role, allowed)
        await _check_pin(tx, account, user.user_name, update.details.get("pin_digest"))
        values: dict[str, object] = {}
        changes: list[Change] = []
        if role is not user.role:
            values["role"] = role
            changes.append(Change("role", user.role.value, role.value))
        if allowed != user.allowed_campaigns:
            values["allowed_campaigns"] = allowed
            changes.append(Change("allowed_campaigns", _shown(user.allowed_campaigns), _shown(allowed)))
        for key, value in update.details.items():
            if key == "pin_digest":
                if value or user.has_pin:
                    values[key] = value or None
                    new_pin = ("changed" if user.has_pin else "set") if value else None
                    changes.append(Change("pin", "set" if user.has_pin else None, new_pin))
            elif (value or "") != getattr(user, key):
                values[key] = value or ""
                changes.append(Change(key, str(getattr(user, key)), value or ""))
        if update.key_digest is not None:
            values["key_digest"] = update.key_digest
            changes.append(Change("key", None, "changed"))
        return _Change("update", values, tuple(changes))

    return await _change(store, account, user_name, actor, plan)


async def set_campaign_users(
    store: Store, account: Account, actor: Actor, campaign_id: str, user_names: Sequence[str], *, add: bool
) -> list[str]:
    """Add the campaign to (or remove it from) each user's allowed campaigns, all or none; the names, in order.

    A user allowed every campaign keeps them on ``add``; on remove it is allowed every other live campaign of the
    account.  Administrators see every campaign: adding is a no-op, removing is refused."""

    async def work(tx: WriteTx) -> list[str]:
        await _check_campaigns(tx, account, actor, frozenset({campaign_id}))
        every: frozenset[str] | None = None
        for name in user_names:
            user = await _user(tx, account, name)
            _check_reach(actor, user)
            old = user.allowed_campaigns
            if user.role is Role.ADMIN:
                if add:
                    continue
                if user.is_owner:
                    raise _owner(user, "limited to some campaigns")
                raise UserChangeRefused(
                    f"{name!r} is an administrator", "user_change_refused", user_id=name, reason=_ADMIN_SEES_ALL
                )
            new: frozenset[str] | None
            if add:
                new = None if old is None else old | {campaign_id}
            else:
                if old is None and every is None:
                    every = frozenset(await tx.account_campaign_ids(account.pk))
                new = (old if old is not None else every or frozenset()) - {campaign_id}
            if new != old:
                await tx.update_user(user.pk, {"allowed_campaigns": new})
                change = Change("allowed_campaigns", _shown(old), _shown(new))
                await _audit(tx, account, actor, name, "add_campaign" if add else "remove_campaign", (change,))
        return list(user_names)

    return await store.write(work)


async def rotate_key(store: Store, account: Account, user_name: str, digest: str, by: str) -> User:
    """Give the user a new key (its digest); the old key is refused from then on."""

    async def plan(_tx: WriteTx, _user: User) -> _Change:
        return _Change("rotate_key", {"key_digest": digest}, ())

    return await _change(store, account, user_name, Actor(by), plan)


async def set_disabled(store: Store, account: Account, user_name: str, disabled: bool, by: str) -> User:
    async def plan(tx: WriteTx, user: User) -> _Change:
        if disabled and user.is_owner:
            raise _owner(user, "disabled")
        if disabled and await _last_administrator(tx, account, user):
            raise _last(user, "disabled")
        action = "disable" if disabled else "enable"
        return _Change(action, {"disabled": disabled}, (Change("disabled", user.disabled, disabled),))

    return await _change(store, account, user_name, Actor(by), plan)


async def set_role(
    store: Store, account: Account, user_name: str, role: Role, allowed: frozenset[str] | None, by: str
) -> User:
    """The user's role and allowed campaigns (``None``: every campaign; an administrator sees every one)."""
    update = UserUpdate(role=role, allowed_given=True, allowed_campaigns=allowed)
    return await update_user(store, account, Actor(by), user_name, update)


async def remove_user(store: Store, account: Account, user_name: str, by: str | Actor) -> User:
    """Move the user to the archive: its key is refused from then on."""
    actor = by if isinstance(by, Actor) else Actor(by)

    async def plan(tx: WriteTx, user: User) -> _Change:
        _check_reach(actor, user)
        if user.is_owner:
            raise _owner(user, "removed")
        if await _last_administrator(tx, account, user):
            raise _last(user, "removed")
        return _Change("remove", {}, (Change("removed", False, True),), removes=True)

    return await _change(store, account, user_name, actor, plan)


# What a change does to the user (reading what it needs in the transaction).
_Plan = Callable[[WriteTx, User], Awaitable[_Change]]
_ADMIN_SEES_ALL: Final = "is an administrator, who sees every campaign"


async def _change(store: Store, account: Account, user_name: str, actor: Actor, plan: _Plan) -> User:
    async def work(tx: WriteTx) -> User:
        user = await _user(tx, account, user_name)
        change = await plan(tx, user)
        if change.removes:
            await tx.archive_user(user.pk, actor.name, utc_now())
        elif change.values:
            await tx.update_user(user.pk, change.values)
        await _audit(tx, account, actor, user.user_name, change.action, change.changes)
        return user

    return await store.write(work)


async def _user(tx: WriteTx, account: Account, user_name: str) -> User:
    user = await tx.user_for_update(account.pk, user_name)
    if user is None:
        raise UserChangeRefused(f"no user {user_name!r} in {account.account_id!r}", "user_not_found", user_id=user_name)
    return user


async def _audit(
    tx: WriteTx, account: Account, actor: Actor, user_name: str, action: str, changes: tuple[Change, ...]
) -> None:
    entry = NewAudit(
        account_pk=account.pk,
        user_name=actor.name,
        entity="user",
        entity_id=user_name,
        action=action,
        changes=changes,
        at=utc_now(),
    )
    await tx.append_audit(entry)


def _check_reach(actor: Actor, user: User) -> None:
    """An API caller changes no user of a role above its own."""
    if actor.role is not None and _RANK[user.role] > _RANK[actor.role]:
        raise _denied(actor, f"change the user {user.user_name}")


def _check_grant(actor: Actor, role: Role, allowed: frozenset[str] | None) -> None:
    """An API caller gives no role above its own, nor campaigns it does not have."""
    if actor.role is None:
        return
    if _RANK[role] > _RANK[actor.role]:
        raise _denied(actor, f"give the role {role.value}")
    mine = actor.allowed_campaigns
    if mine is not None and (allowed is None or not allowed <= mine):
        raise _denied(actor, "give campaigns it does not have")


async def _check_campaigns(tx: WriteTx, account: Account, actor: Actor, allowed: frozenset[str] | None) -> None:
    """Each campaign an API caller names is a live campaign of the account it sees, else ``campaign_not_found``."""
    if actor.role is None or not allowed:
        return
    live = await tx.account_campaign_ids(account.pk)
    for campaign_id in sorted(allowed):
        mine = actor.allowed_campaigns
        if campaign_id not in live or (mine is not None and campaign_id not in mine):
            shown = clipped(campaign_id)
            raise UserChangeRefused(f"no campaign {shown!r}", "campaign_not_found", campaign_id=shown)


async def _check_pin(tx: WriteTx, account: Account, user_name: str, pin_digest: str | None) -> None:
    if pin_digest:
        holder = await tx.user_with_pin(account.pk, pin_digest)
        if holder is not None and holder != user_name:
            raise UserChangeRefused("the PIN is in use", "user_pin_in_use")


async def _last_administrator(tx: WriteTx, account: Account, user: User) -> bool:
    if user.role is not Role.ADMIN or user.disabled:
        return False
    return await tx.enabled_administrators(account.pk) <= 1


def _denied(actor: Actor, what: str) -> UserChangeRefused:
    return UserChangeRefused(f"{actor.name!r} may not {what}", "permission_denied", user_id=actor.name, what=what)


def _owner(user: User, what: str) -> UserChangeRefused:
    reason = f"is the account's owner, who cannot be {what}"
    return UserChangeRefused(
        f"{user.user_name!r} is the account's owner", "user_change_refused", user_id=user.user_name, reason=reason
    )


def _last(user: User, what: str) -> UserChangeRefused:
    reason = f"is the account's last enabled administrator, who cannot be {what}"
    return UserChangeRefused(
        f"{user.user_name!r} is the account's last enabled administrator",
        "user_change_refused",
        user_id=user.user_name,
        reason=reason,
    )


def _detail_change(key: str, old: str | None, new: str | None) -> Change:
    """The audit's view of a detail: a PIN only as ``set`` or nothing, never its digest."""
    if key == "pin_digest":
        return Change("pin", "set" if old else None, "set" if new else None)
    return Change(key, old, new)


def _shown(allowed: frozenset[str] | None) -> str:
    return "all" if allowed is None else ",".join(sorted(allowed))
