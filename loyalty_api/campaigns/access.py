"""Checks shared by the campaign calls, in the order of docs/campaigns.md: the campaign must be one the caller
may see (else it answers exactly like a campaign that does not exist), then the caller's role must allow the
change."""

from __future__ import annotations

from loyalty_api.accounts.permissions import ADMINS, MANAGERS
from loyalty_api.errors import ApiError
from loyalty_api.store.interface import WriteTx
from loyalty_api.store.models import Campaign, Principal, Role

__all__ = ["ADMINS", "MANAGERS", "check_role", "check_visible", "visible_campaign_for_update"]


def check_visible(principal: Principal, campaign_id: str) -> None:
    """Raise ``campaign_not_found`` for a campaign outside the caller's allowed campaigns."""
    if not principal.can_see(campaign_id):
        raise ApiError("campaign_not_found", campaign_id=campaign_id)


async def visible_campaign_for_update(tx: WriteTx, principal: Principal, campaign_id: str) -> Campaign:
    """The live campaign, locked for the transaction, if the caller may see it; else ``campaign_not_found``."""
    check_visible(principal, campaign_id)
    campaign = await tx.campaign_for_update(principal.account.pk, campaign_id)
    if campaign is None:
        raise ApiError("campaign_not_found", campaign_id=campaign_id)
    return campaign


def check_role(principal: Principal, allowed: frozenset[Role], what: str) -> None:
    """Raise ``permission_denied`` ("The user X may not <what>.") unless the caller's role is ``allowed``."""
    if principal.role not in allowed:
        raise ApiError("permission_denied", user_id=principal.user_name, what=what)
