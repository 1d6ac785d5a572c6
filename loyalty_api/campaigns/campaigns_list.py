"""``campaigns_list`` (active campaigns, every user) and ``campaigns_inactive_list`` (deactivated campaigns,
administrators and managers): the campaigns the caller may see, searched, sorted and paged."""

from __future__ import annotations

from loyalty_api.campaigns.access import MANAGERS, check_role
from loyalty_api.campaigns.lists import list_elements, read_list_request
from loyalty_api.handler.context import CallContext
from loyalty_api.store.models import CampaignPage
from renderers import Element, response

__all__ = ["campaigns_inactive_list", "campaigns_list"]


async def campaigns_list(ctx: CallContext) -> Element:
    return await _list(ctx, active=True)


async def campaigns_inactive_list(ctx: CallContext) -> Element:
    check_role(ctx.principal, MANAGERS, "list inactive campaigns")
    return await _list(ctx, active=False)


async def _list(ctx: CallContext, *, active: bool) -> Element:
    account = ctx.principal.account
    request = read_list_request(ctx.fields, ctx.principal, active=active)
    if request.matches_nothing:
        page = CampaignPage([], 0)
    else:
        page = await ctx.store.list_campaigns(account.pk, request.query)
    return response("success", list_elements(page, request, account))
