"""``type=account_info``: the caller's account as the legacy "account information" page shows it.

Point-of-sale apps call it first, as their login check.  Every element of the legacy answer is there, in its
order: the business and contact details (``loyalty-api account set``), ``symbol`` and ``glyph`` of the account's
currency, ``timezone`` (an IANA name here, where the legacy service numbered its zones), ``coalition`` (``Y``/``N``)
and ``created`` (``YYYY-MM-DD HH:MM:SS`` in the account's time zone) (``docs/accounts.md``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from loyalty_api.currencies import glyph_for
from loyalty_api.errors import ApiError
from loyalty_api.handler.context import CallContext
from loyalty_api.store.models import ACCOUNT_DETAIL_FIELDS, AccountDetails
from loyalty_api.values import yes_no
from renderers import Element, el, node, response

__all__ = ["account_element", "account_info", "local_time_text"]

# The details account_info shows, in the legacy order (client_email is kept for receipts and reports, not shown);
# biz_online comes after biz_locations.
_SHOWN: Final = tuple(name for name in ACCOUNT_DETAIL_FIELDS if name != "client_email")
_ONLINE_AFTER: Final = _SHOWN.index("biz_locations") + 1


async def account_info(ctx: CallContext) -> Element:
    details = await ctx.store.account_details(ctx.principal.account.pk)
    if details is None:  # the account went away since the login (an operator removed it)
        raise ApiError("no_valid_session")
    return response("success", [account_element(details)])


def account_element(details: AccountDetails) -> Element:
    """``<account>`` as ``account_info`` answers it (``account_update`` too)."""
    account = details.account
    values = details.details
    children = [el("account_id", account.account_id), el("biz_name", account.name)]
    children += [el(name, values.get(name, "")) for name in _SHOWN]
    children.insert(2 + _ONLINE_AFTER, el("biz_online", yes_no(details.biz_online)))
    children += [
        el("symbol", account.currency),
        el("glyph", glyph_for(account.currency)),
        el("timezone", account.timezone),
        el("coalition", yes_no(account.in_coalition)),
        el("created", local_time_text(details.created_at, account.timezone)),
    ]
    return node("account", children)


def local_time_text(moment: datetime, timezone: str) -> str:
    """``YYYY-MM-DD HH:MM:SS`` of ``moment`` in ``timezone`` (UTC when the name is unknown to this machine)."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
