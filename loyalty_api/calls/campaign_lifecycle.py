"""``campaign_deactivate``, ``campaign_reactivate`` and ``campaign_delete`` (action ``campaign``, the default).

Administrators and managers deactivate and reactivate the campaigns they may see; only administrators delete.
Deleting moves the campaign, its rewards and its transactions to the archive (``loyalty-api campaign restore``).
"""

from __future__ import annotations

from loyalty_api.calls._campaign_access import ADMINS, MANAGERS, check_role, check_visible, visible_campaign_for_update
from loyalty_api.calls._context import CallContext
from loyalty_api.campaign_archive import deletion_changes
from loyalty_api.store.interface import WriteTx
from loyalty_api.store.models import Change, NewAudit, utc_now
from renderers import Element, el, response

__all__ = ["deactivate_campaign", "delete_campaign", "reactivate_campaign"]


async def deactivate_campaign(ctx: CallContext) -> Element:
    return await _set_active(ctx, active=False)


async def reactivate_campaign(ctx: CallContext) -> Element:
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
    return response("success", [Element("campaign", children=[el("id", campaign_id)])])


async def delete_campaign(ctx: CallContext) -> Element:
    campaign_id = ctx.fields.required("campaign_id")
    principal = ctx.principal
    check_visible(principal, campaign_id)

    async def work(tx: WriteTx) -> None:
        campaign = await visible_campaign_for_update(tx, principal, campaign_id)
        check_role(principal, ADMINS, "delete campaigns")
        now = utc_now()
        counts = await tx.archive_campaign(campaign.pk, principal.user_name, now)
        await tx.append_audit(
            NewAudit(
                account_pk=principal.account.pk,
                user_name=principal.user_name,
                entity="campaign",
                entity_id=campaign_id,
                action="delete",
                changes=deletion_changes(campaign, counts),
                at=now,
                campaign_id=campaign_id,
            )
        )

    await ctx.store.write(work)
    return response("success", [Element("campaign", attrs={"status": "deleted"}, children=[el("id", campaign_id)])])
