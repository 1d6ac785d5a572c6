"""``type=campaign_update``, ``action=campaign``: change a campaign's settings."""

from __future__ import annotations

from loyalty_api.campaigns.rules import freeze_opt_outs, plan_campaign_update
from loyalty_api.errors import ApiError
from loyalty_api.handler.context import CallContext
from loyalty_api.handler.documents import warnings_element
from loyalty_api.store.interface import WriteTx
from loyalty_api.store.models import NewAudit, Role, utc_now
from renderers import Element, el, response

__all__ = ["campaign_update"]


async def campaign_update(ctx: CallContext) -> Element:
    campaign_id = ctx.fields.required("campaign_id")
    principal = ctx.principal
    if not principal.can_see(campaign_id):
        raise ApiError("campaign_not_found", campaign_id=campaign_id)

    async def work(tx: WriteTx) -> list[str]:
        campaign = await tx.campaign_for_update(principal.account.pk, campaign_id)
        if campaign is None:
            raise ApiError("campaign_not_found", campaign_id=campaign_id)
        if principal.role is Role.CLERK:
            raise ApiError("permission_denied", user_id=principal.user_name, what="update campaigns")
        plan = plan_campaign_update(campaign, ctx.fields, principal.account)
        if plan.opt_outs:
            if await tx.campaign_has_value_entries(campaign.pk):
                freeze_opt_outs(plan, campaign_id)
            else:
                plan.values.update(plan.opt_outs)
        changes = plan.changes(campaign)
        if changes:
            now = utc_now()
            await tx.update_campaign(campaign.pk, plan.values, now)
            await tx.append_audit(
                NewAudit(
                    account_pk=principal.account.pk,
                    user_name=principal.user_name,
                    entity="campaign",
                    entity_id=campaign_id,
                    action="update",
                    changes=changes,
                    at=now,
                    campaign_id=campaign_id,
                )
            )
        return plan.warnings

    warnings = await ctx.store.write(work)
    children = [Element("campaign", children=[el("id", campaign_id)])]
    if warnings:
        children.append(warnings_element(warnings))
    return response("updated", children)
