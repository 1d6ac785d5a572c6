"""``type=customer_delete``: the customer and all their transactions go to the archive, whole (administrators, and
managers who see every campaign the customer belongs to); ``loyalty-api customer restore`` brings them back."""

from __future__ import annotations

from loyalty_api.campaigns.access import MANAGERS, check_role
from loyalty_api.customers.access import audit_record
from loyalty_api.customers.archive import deletion_changes
from loyalty_api.errors import ApiError
from loyalty_api.handler.context import CallContext
from loyalty_api.store.interface import WriteTx
from loyalty_api.store.models import utc_now
from loyalty_api.values import quoted
from renderers import Element, el, response

__all__ = ["customer_delete"]


async def customer_delete(ctx: CallContext) -> Element:
    code = ctx.fields.required("code")
    principal = ctx.principal

    async def work(tx: WriteTx) -> None:
        customer = await tx.customer_for_update(principal.account.pk, "code", code)
        if customer is None:
            raise ApiError("customer_not_found", field="code", value=quoted(code))
        check_role(principal, MANAGERS, "delete customers")
        # Deleting takes the customer's transactions in every campaign: a user limited to some campaigns may
        # delete only customers who belong to none of the others.
        hidden = {i for i in await tx.customer_campaign_ids(customer.pk) if not principal.can_see(i)}
        if hidden:
            raise ApiError(
                "permission_denied", user_id=principal.user_name, what="delete a customer of campaigns it cannot see"
            )
        now = utc_now()
        entries = await tx.archive_customer(customer.pk, principal.user_name, now)
        await tx.append_audit(audit_record(principal, code, "delete", deletion_changes(customer, entries), now))

    await ctx.store.write(work)
    return response("success", [Element("customer", attrs={"status": "deleted"}, children=[el("code", code)])])
