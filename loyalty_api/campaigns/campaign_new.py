"""``type=campaign_new``, ``action=campaign``: create a campaign with a new 16-digit id (administrators)."""

from __future__ import annotations

from loyalty_api.campaigns.access import ADMINS, check_role
from loyalty_api.campaigns.archive import creation_changes
from loyalty_api.campaigns.creation import new_campaign_id, plan_new_campaign
from loyalty_api.handler.context import CallContext
from loyalty_api.handler.documents import warnings_element
from loyalty_api.store.interface import WriteTx
from loyalty_api.store.models import NewAudit, utc_now
from renderers import Element, el, response

__all__ = ["campaign_new"]


async def campaign_new(ctx: CallContext) -> Element:
    fields = ctx.fields
    fields.required("campaign_type")
    fields.required("campaign_name")
    principal = ctx.principal
    check_role(principal, ADMINS, "create campaigns")
    plan = plan_new_campaign(fields, principal.account)

    async def work(tx: WriteTx) -> str:
        # Chosen inside the write transaction, so no other writer can take the same id meanwhile.
        campaign_id = new_campaign_id()
        while await tx.campaign_id_in_use(campaign_id):
            campaign_id = new_campaign_id()
        now = utc_now()
        campaign = await tx.insert_campaign(principal.account.pk, {**plan.values, "campaign_id": campaign_id}, now)
        await tx.append_audit(
            NewAudit(
                account_pk=principal.account.pk,
                user_name=principal.user_name,
                entity="campaign",
                entity_id=campaign_id,
                action="create",
                changes=creation_changes(campaign),
                at=now,
                campaign_id=campaign_id,
            )
        )
        return campaign_id

    campaign_id = await ctx.store.write(work)
    children = [Element("campaign", children=[el("id", campaign_id)])]
    if plan.warnings:
        children.append(warnings_element(plan.warnings))
    return response("success", children)
