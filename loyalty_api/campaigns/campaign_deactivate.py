"""``campaign_deactivate`` and its inverse ``campaign_reactivate``.

Administrators and managers deactivate and reactivate the campaigns they may see.  A campaign already in the state
asked for answers success and records nothing.
"""

from __future__ import annotations

from loyalty_api.campaigns.access import MANAGERS, check_role, check_visible, visible_campaign_for_update
from loyalty_api.handler.context import CallContext
from loyalty_api.store.interface import WriteTx
from loyalty_api.store.models import Change, NewAudit, utc_now
from renderers import Element, el, node, response

__all__ = ["campaign_deactivate", "campaign_reactivate"]


async def campaign_deactivate(ctx: CallContext) -> Element:
    return await _set_active(ctx, active=False)


async def campaign_reactivate(ctx: CallContext) -> Element:
    return await _set_active(ctx, active=True)


async def _set_active(ctx: CallContext, *, active: bool) -> Element:
    campaign_id = ctx.fields.required("campaign_id")
    principal = ctx.principal
    check_visible(principal, campaign_id)
    action = "reactivate" if active else "deactivate"

    async def work(tx: WriteTx) -> None:
        campaign = await visible_campaign_for_update(tx, principal, campaign_id)
        check_role(principal, MANAGERS, f"{action} campaigns")
        if campaign.active == active:
            return  # already so: success, and nothing to record
        now = utc_now()
        await tx.update_campaign(campaign.pk, {"active": active}, now)
        await tx.append_audit(
            NewAudit(
                account_pk=principal.account.pk,
                user_name=principal.user_name,
                entity="campaign",
                entity_id=campaign_id,
                action=action,
                changes=(Change("active", campaign.active, active),),
                at=now,
                campaign_id=campaign_id,
            )
        )

    await ctx.store.write(work)
    return response("success", [node("campaign", [el("id", campaign_id)])])
