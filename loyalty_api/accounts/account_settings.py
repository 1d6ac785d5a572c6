"""An account's settings: the rules of each value and the one audited change, for ``account_update`` and
``loyalty-api account set`` alike (``docs/accounts.md``).

Each setting is a column of the account (``store.sql.accounts.ACCOUNT_SETTABLE``).  A value breaking its rule raises
the :class:`~loyalty_api.errors.ApiError` the API answers (the command line prints its message):

- texts are trimmed and at most :data:`TEXT_LIMIT` characters (``string_parameter_too_long``); a blank one clears
  the setting, except the business name (an account always has one: ``parameter_invalid``);
- ``currency`` is an active ISO 4217 code (``loyalty_api/currencies.py``), any case, kept in capitals;
- ``timezone`` is an IANA name this machine knows (``Europe/Paris``; the legacy service's zone numbers are not);
- ``language`` is a two-letter code, kept in capitals (``EN``);
- the e-mail addresses are blank or ``name@domain.tld``;
- the flags are ``Y``/``N`` (``yes``/``no``, any case) from the API, booleans from the command line.

:func:`change_account` applies the values that differ from the stored ones in one write transaction, with one
audit record of their old and new values (entity ``account``), and gives the owner a new key when asked (an audit
record of entity ``user``, action ``rotate_key``, without the key or its digest, as ``loyalty-api user rotate-key``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Final
from zoneinfo import available_timezones

from loyalty_api.accounts.auth import key_digest
from loyalty_api.currencies import is_known_currency
from loyalty_api.errors import ApiError
from loyalty_api.store.interface import Store, WriteTx
from loyalty_api.store.models import ACCOUNT_DETAIL_FIELDS, AccountDetails, Change, NewAudit, utc_now
from loyalty_api.values import parse_flag, quoted

__all__ = [
    "FLAG_SETTINGS",
    "MAX_OWNER_KEY_LENGTH",
    "MIN_OWNER_KEY_LENGTH",
    "TEXT_LIMIT",
    "AccountChange",
    "change_account",
    "check_owner_key",
    "setting_value",
    "shown_name",
]

TEXT_LIMIT: Final = 255
MIN_OWNER_KEY_LENGTH: Final = 16
MAX_OWNER_KEY_LENGTH: Final = 255
#: The settings that are flags (``Y``/``N``).
FLAG_SETTINGS: Final = frozenset({"biz_online", "in_coalition", "in_two_tier", "legacy_ampersand"})
_EMAILS: Final = frozenset({"contact_email", "client_email", "agency_email"})
_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_LANGUAGE: Final = re.compile(r"[A-Za-z]{2}")
# The name account_info (and the audit) shows of a column whose name differs.
_SHOWN: Final = {"name": "biz_name", "currency": "symbol"}


def shown_name(column: str) -> str:
    """The name ``account_info`` and the audit trail give a setting (``name`` is ``biz_name``)."""
    return _SHOWN.get(column, column)


def setting_value(column: str, value: str | bool, field: str) -> str | bool:
    """The value ``column`` is set to, given as ``value`` in the field ``field`` (which messages name), or the
    ``ApiError`` of the rule it breaks."""
    if column in FLAG_SETTINGS:
        return value if isinstance(value, bool) else parse_flag(field, value.strip())
    if isinstance(value, bool):
        raise ApiError("parameter_invalid", detail=f"The field {field} is a text, not a flag.")
    text = value.strip()
    if len(text) > TEXT_LIMIT:
        raise ApiError("string_parameter_too_long", field=field, limit=TEXT_LIMIT)
    if column == "name":
        if not text:
            raise ApiError("parameter_invalid", detail=f"The field {field} cannot be blank: an account has a name.")
        return text
    if column == "currency":
        code = text.upper()
        if not is_known_currency(code):
            raise ApiError(
                "parameter_invalid",
                detail=f"The field {field} must be an ISO 4217 currency code such as USD or EUR, not {quoted(text)}.",
            )
        return code
    if column == "timezone":
        if text not in _time_zones():
            raise ApiError(
                "parameter_invalid",
                detail=f"The field {field} must be an IANA time zone such as Europe/Paris, not {quoted(text)}.",
            )
        return text
    if column == "language":
        if not _LANGUAGE.fullmatch(text):
            raise ApiError(
                "parameter_invalid", detail=f"The field {field} must be a two-letter language code such as EN."
            )
        return text.upper()
    if column in _EMAILS and text and not _EMAIL.fullmatch(text):
        raise ApiError("parameter_invalid", detail=f"The field {field} must be an e-mail address, not {quoted(text)}.")
    return text


def check_owner_key(key: str, field: str) -> str:
    """The owner's new key (as sent, trimmed), or the ``ApiError`` of a key too short or too long."""
    if len(key) < MIN_OWNER_KEY_LENGTH:
        raise ApiError(
            "parameter_invalid", detail=f"The field {field} must have at least {MIN_OWNER_KEY_LENGTH} characters."
        )
    if len(key) > MAX_OWNER_KEY_LENGTH:
        raise ApiError("string_parameter_too_long", field=field, limit=MAX_OWNER_KEY_LENGTH)
    return key


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones() | {"UTC"})


@dataclass(frozen=True, slots=True)
class AccountChange:
    """What :func:`change_account` did: the account as it now is, and the changes recorded (none: nothing
    differed)."""

    details: AccountDetails
    changes: tuple[Change, ...]
    owner_key_changed: bool


async def change_account(
    store: Store, account_pk: int, values: Mapping[str, str | bool], by: str, owner_key: str | None = None
) -> AccountChange | None:
    """Set the checked ``values`` (column -> value, from :func:`setting_value`) that differ from the stored ones, and
    the owner's key when ``owner_key`` is given, in one transaction, audited as ``by``; None when the account is
    gone."""

    async def work(tx: WriteTx) -> AccountChange | None:
        current = await tx.account_for_update(account_pk)
        if current is None:
            return None
        account_id = current.account.account_id
        changed = {column: value for column, value in values.items() if _stored(current, column) != value}
        changes = tuple(
            Change(shown_name(column), _stored(current, column), value) for column, value in changed.items()
        )
        now = utc_now()
        if changed:
            await tx.update_account(account_pk, changed)
            audit = NewAudit(account_pk, by, "account", account_id, "update", changes, at=now)
            await tx.append_audit(audit)
        if owner_key is not None:
            owner = await tx.user_for_update(account_pk, account_id)
            assert owner is not None and owner.is_owner, f"the account {account_id} has no owner"
            await tx.update_user(owner.pk, {"key_digest": key_digest(account_id, account_id, owner_key)})
            await tx.append_audit(NewAudit(account_pk, by, "user", account_id, "rotate_key", (), at=now))
        details = await tx.account_for_update(account_pk) if changed else current
        assert details is not None
        return AccountChange(details, changes, owner_key is not None)

    return await store.write(work)


def _stored(details: AccountDetails, column: str) -> str | bool:
    """The stored value of a settable column."""
    account = details.account
    if column in ACCOUNT_DETAIL_FIELDS:
        return details.details[column]
    if column == "biz_online":
        return details.biz_online
    stored = getattr(account, column)
    assert isinstance(stored, str | bool), column
    return stored
