"""Shared by the customer calls: naming the customer a request is about, its campaign list, the audit record."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from loyalty_api.errors import ApiError
from loyalty_api.handler.fields import Fields
from loyalty_api.store.interface import Store
from loyalty_api.store.models import Change, Customer, NewAudit, Principal
from loyalty_api.values import quoted

__all__ = ["audit_record", "campaign_id_list", "lookup_key", "named_customer"]


def lookup_key(fields: Fields, keys: Iterable[str]) -> tuple[str, str]:
    """The first of ``keys`` sent with a value, and that value; ``parameter_missing`` (naming the first) if none."""
    names = list(keys)
    for name in names:
        value = fields.value(name)
        if value is not None:
            return name, value
    raise ApiError("parameter_missing", field=names[0] if len(names) == 1 else " or ".join(names))


async def named_customer(store: Store, principal: Principal, fields: Fields, keys: Iterable[str]) -> Customer:
    """The account's customer the request names by one of ``keys`` (``code`` first), or ``customer_not_found``."""
    key, value = lookup_key(fields, keys)
    customer = await store.get_customer(principal.account.pk, key, value)
    if customer is None:
        raise ApiError("customer_not_found", field=key, value=quoted(value))
    return customer


def campaign_id_list(fields: Fields, principal: Principal) -> list[str]:
    """``campaign_id`` as a comma list of ids the caller may see (duplicates dropped, order kept)."""
    text = fields.value("campaign_id")
    if text is None:
        return []
    ids = list(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    for campaign_id in ids:
        if not principal.can_see(campaign_id):
            raise ApiError("campaign_not_found", campaign_id=campaign_id)
    return ids


def audit_record(
    principal: Principal,
    code: str,
    action: str,
    changes: Iterable[Change],
    at: datetime,
    campaign_id: str | None = None,
    user_name: str | None = None,
) -> NewAudit:
    return NewAudit(
        account_pk=principal.account.pk,
        user_name=principal.user_name if user_name is None else user_name,
        entity="customer",
        entity_id=code,
        action=action,
        changes=tuple(changes),
        at=at,
        campaign_id=campaign_id,
    )
