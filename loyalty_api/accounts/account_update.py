"""``type=account_update``: an administrator or the owner changes the account's settings (``docs/accounts.md``).

Every field is "only if changed": an absent field leaves its setting as it is, a blank one clears it where a blank
makes sense (``biz_address2``), else is refused (``biz_name``, ``symbol``, ``timezone``, ``language``,
``biz_online``, ``new_account_password``); the rules are ``account_settings``' (those of ``loyalty-api account
set``).  The legacy page's ``*_selector`` names are accepted beside the plain ones (``symbol_selector`` and
``symbol``), and its misspelt ``biz_empoloyees`` beside ``biz_employees``.  ``account_id`` names the account
(it is part of the credentials) and cannot change.  ``new_account_password`` is the owner's new key.  The answer is
``account_info``'s document, the account as it now is; fields this server does not keep (the integrations',
``referrer_name``, ``activate``) are ignored with a warning each.
"""

from __future__ import annotations

from typing import Final

from loyalty_api.accounts.account_info import account_element
from loyalty_api.accounts.account_settings import change_account, check_owner_key, setting_value
from loyalty_api.accounts.permissions import ADMINS
from loyalty_api.errors import ApiError
from loyalty_api.handler.context import CallContext
from loyalty_api.handler.documents import warnings_element
from loyalty_api.handler.fields import Fields
from loyalty_api.store.models import ACCOUNT_DETAIL_FIELDS, Principal
from renderers import Element, response

__all__ = ["FIELDS", "IGNORED", "OWNER_KEY_FIELD", "account_update"]

#: Each field the call reads -> the setting (column) it changes, in the order the fields are read.
FIELDS: Final[dict[str, str]] = {
    "biz_name": "name",
    **{name: name for name in ACCOUNT_DETAIL_FIELDS},
    "biz_empoloyees": "biz_employees",
    "language_selector": "language",
    "biz_online": "biz_online",
    "symbol": "currency",
    "symbol_selector": "currency",
    "timezone": "timezone",
    "timezone_selector": "timezone",
}
OWNER_KEY_FIELD: Final = "new_account_password"
#: Fields of the legacy page this server keeps nothing of: ignored, with a warning.
IGNORED: Final = (
    "referrer_name",
    "activate",
    "mailchimp_username",
    "mailchimp_password",
    "sms_username",
    "sms_password",
)
_AGENCY: Final = "agency"
_NEW_ACCOUNT_ID: Final = "new_account_id"
_READ: Final = frozenset(FIELDS)


async def account_update(ctx: CallContext) -> Element:
    principal = ctx.principal
    if principal.role not in ADMINS and not principal.is_owner:
        raise ApiError("permission_denied", user_id=principal.user_name, what="change the account's settings")
    fields = ctx.fields
    if _NEW_ACCOUNT_ID in fields:
        raise ApiError("parameter_invalid", detail="The account_id cannot be changed.")
    _check_agency(fields, principal)
    values = _values(fields)
    owner_key = None
    if OWNER_KEY_FIELD in fields:
        owner_key = check_owner_key((fields.raw(OWNER_KEY_FIELD) or "").strip(), OWNER_KEY_FIELD)
    changed = await change_account(ctx.store, principal.account.pk, values, principal.user_name, owner_key)
    if changed is None:  # the account went away since the login (an operator removed it)
        raise ApiError("no_valid_session")
    children = [account_element(changed.details)]
    warnings = [f"The field {name} was ignored: this server does not keep it." for name in IGNORED if name in fields]
    if warnings:
        children.append(warnings_element(warnings))
    return response("success", children)


def _values(fields: Fields) -> dict[str, str | bool]:
    """The settings the request changes (column -> checked value); two names of one setting must agree."""
    values: dict[str, str | bool] = {}
    named: dict[str, str] = {}
    sent = fields.sent(_READ)
    for field in FIELDS:
        if field not in sent:
            continue
        column = FIELDS[field]
        value = setting_value(column, fields.raw(field) or "", field)
        if column in values and values[column] != value:
            raise ApiError(
                "parameter_mismatch", detail=f"The fields {named[column]} and {field} give different values."
            )
        values[column] = value
        named[column] = field
    return values


def _check_agency(fields: Fields, principal: Principal) -> None:
    """The agency is the operator's to set: ``agency`` may only repeat the account's own."""
    agency = fields.raw(_AGENCY)
    if agency is None:
        return
    account = principal.account
    if agency.strip() not in (account.agency_id, account.agency.id):
        raise ApiError("permission_denied", user_id=principal.user_name, what="change the account's agency")
