"""Changing an account's users: rotate a key, disable or enable, change the role, remove (``loyalty-api user``).

Each change is one write transaction that locks the user (and orders itself with the other changes of the account's
users), checks the rules below, changes the row and records an audit record (entity ``user``; never a key, nor its
digest).  The rules: an account always keeps an enabled administrator, so the last one can be neither disabled,
demoted nor removed; and its owner (the user whose user_id is the account id) is an administrator of every campaign
that stays: it can be neither disabled, demoted nor removed, only given a new key.  A changed key, a disabled or a
removed user is refused on every node within the login cache's time (``LOYALTY_LOGIN_CACHE_SECONDS``, 2 s by
default): each process keeps what it looked up for that long.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from loyalty_api.store.interface import Store, UserValues, WriteTx
from loyalty_api.store.models import Account, Change, NewAudit, Role, User, utc_now

__all__ = ["UserChangeRefused", "remove_user", "rotate_key", "set_disabled", "set_role"]


class UserChangeRefused(Exception):
    """The change would break a rule or names no user; nothing was changed.  ``str()`` says why."""


@dataclass(frozen=True, slots=True)
class _Change:
    action: str
    values: UserValues
    changes: tuple[Change, ...]
    removes: bool = False


async def rotate_key(store: Store, account: Account, user_name: str, digest: str, by: str) -> User:
    """Give the user a new key (its digest); the old key is refused from then on."""
    return await _change(
        store, account, user_name, by, lambda _user, _admins: _Change("rotate_key", {"key_digest": digest}, ())
    )


async def set_disabled(store: Store, account: Account, user_name: str, disabled: bool, by: str) -> User:
    def plan(user: User, administrators: int) -> _Change:
        if disabled and user.is_owner:
            raise UserChangeRefused(f"{user.user_name!r} is the account's owner")
        if disabled and _last_administrator(user, administrators):
            raise UserChangeRefused(f"{user.user_name!r} is the account's last enabled administrator")
        action = "disable" if disabled else "enable"
        return _Change(action, {"disabled": disabled}, (Change("disabled", user.disabled, disabled),))

    return await _change(store, account, user_name, by, plan)


async def set_role(
    store: Store, account: Account, user_name: str, role: Role, allowed: frozenset[str] | None, by: str
) -> User:
    """The user's role and allowed campaigns (``None``: every campaign; an administrator sees every one)."""
    allowed = None if role is Role.ADMIN else allowed

    def plan(user: User, administrators: int) -> _Change:
        if user.is_owner and (role is not Role.ADMIN or allowed is not None):
            raise UserChangeRefused(f"{user.user_name!r} is the account's owner")
        if role is not Role.ADMIN and _last_administrator(user, administrators):
            raise UserChangeRefused(f"{user.user_name!r} is the account's last enabled administrator")
        changes = (
            Change("role", user.role.value, role.value),
            Change("allowed_campaigns", _shown(user.allowed_campaigns), _shown(allowed)),
        )
        values = {"role": role, "allowed_campaigns": allowed}
        return _Change("set_role", values, tuple(c for c in changes if c.old != c.new))

    return await _change(store, account, user_name, by, plan)


async def remove_user(store: Store, account: Account, user_name: str, by: str) -> User:
    """Move the user to the archive: its key is refused from then on."""

    def plan(user: User, administrators: int) -> _Change:
        if user.is_owner:
            raise UserChangeRefused(f"{user.user_name!r} is the account's owner")
        if _last_administrator(user, administrators):
            raise UserChangeRefused(f"{user.user_name!r} is the account's last enabled administrator")
        return _Change("remove", {}, (Change("removed", False, True),), removes=True)

    return await _change(store, account, user_name, by, plan)


# What a change does to the user (given the account's enabled administrators, counted in the transaction).
_Plan = Callable[[User, int], _Change]


async def _change(store: Store, account: Account, user_name: str, by: str, plan: _Plan) -> User:
    async def work(tx: WriteTx) -> User:
        user = await tx.user_for_update(account.pk, user_name)
        if user is None:
            raise UserChangeRefused(f"no user {user_name!r} in {account.account_id!r}")
        change = plan(user, await tx.enabled_administrators(account.pk))
        now = utc_now()
        if change.removes:
            await tx.archive_user(user.pk, by, now)
        elif change.values:
            await tx.update_user(user.pk, change.values)
        await tx.append_audit(
            NewAudit(
                account_pk=account.pk,
                user_name=by,
                entity="user",
                entity_id=user.user_name,
                action=change.action,
                changes=change.changes,
                at=now,
            )
        )
        return user

    return await store.write(work)


def _last_administrator(user: User, administrators: int) -> bool:
    return user.role is Role.ADMIN and not user.disabled and administrators <= 1


def _shown(allowed: frozenset[str] | None) -> str:
    return "all" if allowed is None else ",".join(sorted(allowed))
