"""``campaign_delete`` (action ``campaign``, the default): only administrators delete.

Deleting moves the campaign, its rewards and its transactions to the archive (``loyalty-api campaign restore``).
"""

from __future__ import annotations

from loyalty_api.campaigns.access import ADMINS, check_role, check_visible, visible_campaign_for_update
from loyalty_api.campaigns.archive import deletion_changes
from loyalty_api.handler.context import CallContext
from loyalty_api.store.interface import WriteTx
from loyalty_api.store.models import NewAudit, utc_now
from renderers import Element, el, response

__all__ = ["campaign_delete"]


async def campaign_delete(ctx: CallContext) -> Element:
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
