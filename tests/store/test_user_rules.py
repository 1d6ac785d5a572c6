"""The rules of ``accounts/users.py`` that no administrator meets over HTTP (the user calls are theirs alone): an
actor of a lower role or with fewer campaigns gives no role above its own, no campaign it lacks, and changes no
user above it; the operator (``loyalty-api user``) is above these rules, not above the owner's."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

import pytest

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
from loyalty_api.config import Settings
from loyalty_api.store import Store, create_store
from loyalty_api.store.models import Account, Role
from tests.support.demo import BUYX, EARNED, POINTS

T = TypeVar("T")
MANAGER: Final = Actor("mgr1970", Role.MANAGER, frozenset({POINTS, EARNED}))
CLERK: Final = Actor("clerk1970", Role.CLERK, None)


def _run(settings: Settings, work: Callable[[Store, Account], Awaitable[T]]) -> T:
    async def go() -> T:
        store = create_store(settings)
        await store.open()
        try:
            account = await store.get_account("greatwidgets")
            assert account is not None
            return await work(store, account)
        finally:
            await store.close()

    return asyncio.run(go())


def _refusal(settings: Settings, work: Callable[[Store, Account], Awaitable[object]]) -> tuple[str, str]:
    with pytest.raises(UserChangeRefused) as caught:
        _run(settings, work)
    error = caught.value.api_error()
    return error.code, error.message


def _new(name: str, role: Role, allowed: frozenset[str] | None) -> NewUser:
    return NewUser(name, role, allowed, "sha256v1$" + "0" * 64)


@pytest.mark.parametrize(
    ("actor", "new", "expected"),
    [
        (MANAGER, _new("x1", Role.ADMIN, None), ("permission_denied", "The user mgr1970 may not give the role A.")),
        (
            MANAGER,
            _new("x2", Role.CLERK, None),
            ("permission_denied", "The user mgr1970 may not give campaigns it does not have."),
        ),
        (
            MANAGER,
            _new("x3", Role.CLERK, frozenset({BUYX})),
            ("campaign_not_found", f"No campaign {BUYX} in this account."),
        ),
        (
            MANAGER,
            _new("x4", Role.CLERK, frozenset({"0000000000000000"})),
            ("campaign_not_found", "No campaign 0000000000000000 in this account."),
        ),
        (
            CLERK,
            _new("x5", Role.MANAGER, frozenset()),
            ("permission_denied", "The user clerk1970 may not give the role M."),
        ),
    ],
)
def test_nobody_gives_more_than_it_has(
    settings: Settings, actor: Actor, new: NewUser, expected: tuple[str, str]
) -> None:
    assert _refusal(settings, lambda store, account: create_user(store, account, actor, new)) == expected


def test_a_manager_gives_what_it_has(settings: Settings) -> None:
    new = _new("x6", Role.CLERK, frozenset({POINTS}))
    made = _run(settings, lambda store, account: create_user(store, account, MANAGER, new))
    assert (made.role, made.allowed_campaigns) == (Role.CLERK, frozenset({POINTS}))
    update = UserUpdate(allowed_given=True, allowed_campaigns=frozenset({POINTS, BUYX}))
    code, _ = _refusal(settings, lambda store, account: update_user(store, account, MANAGER, "x6", update))
    assert code == "campaign_not_found"


@pytest.mark.parametrize("name", ["john1970", "greatwidgets"])
def test_nobody_changes_a_user_above_it(settings: Settings, name: str) -> None:
    denied = f"The user mgr1970 may not change the user {name}."
    update = UserUpdate(details={"first_name": "X"})
    assert _refusal(settings, lambda s, a: update_user(s, a, MANAGER, name, update)) == ("permission_denied", denied)
    assert _refusal(settings, lambda s, a: remove_user(s, a, name, MANAGER)) == ("permission_denied", denied)
    code, _ = _refusal(settings, lambda s, a: set_campaign_users(s, a, MANAGER, POINTS, [name], add=True))
    assert code == "permission_denied"


def test_the_operator_names_campaigns_not_yet_made_but_keeps_the_owner(settings: Settings) -> None:
    operator = Actor("ops")
    new = _new("x7", Role.CLERK, frozenset({"LaterCampaign"}))
    assert _run(settings, lambda s, a: create_user(s, a, operator, new)).allowed_campaigns == frozenset(
        {"LaterCampaign"}
    )
    key = UserUpdate(key_digest="sha256v1$" + "1" * 64)
    assert _run(settings, lambda s, a: update_user(s, a, operator, "greatwidgets", key)).is_owner
    code, _ = _refusal(
        settings, lambda s, a: update_user(s, a, operator, "greatwidgets", UserUpdate(role=Role.MANAGER))
    )
    assert code == "user_change_refused"
