"""The promotions of points campaigns: ``type=campaign_promos`` (list, searched, sorted and paged like
``campaigns_list``) and ``campaign_new`` / ``campaign_update`` / ``campaign_delete`` with ``action=promo``.

Checks, in the order of ``docs/value-over-time.md``: the campaign visible to the caller and a points campaign (for a
change, the promotion in it), the caller's role (administrators and managers change promotions; every user may
list them), then the fields' values.  A deleted promotion is archived, never removed: the sales it gave points to
keep them and keep naming it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from loyalty_api.campaigns.access import MANAGERS, check_role, check_visible, visible_campaign_for_update
from loyalty_api.campaigns.lists import MAX_LENGTH, read_count, read_order, read_search, search_numbers
from loyalty_api.campaigns.promotions import (
    MAX_PROMOTIONS,
    check_points_campaign,
    check_update_fields,
    parse_new_promotion,
    parse_promo_id,
    plan_promotion_update,
    promotion_audit,
    promotion_changes,
    promotion_snapshot,
)
from loyalty_api.errors import ApiError
from loyalty_api.handler.context import CallContext
from loyalty_api.handler.fields import Fields
from loyalty_api.store.interface import WriteTx
from loyalty_api.store.models import Campaign, Match, Principal, utc_now
from loyalty_api.store.promotion_models import PROMOTION_NUMBER_COLUMNS, Promotion, PromotionQuery
from loyalty_api.values import clipped, decimal_text, quoted
from renderers import Element, el, node, response

__all__ = ["campaign_delete_promo", "campaign_new_promo", "campaign_promos", "campaign_update_promo"]

_WHAT: Final = "manage promotions"
# searchField / sortField -> the store's column (the reference's names first, then the list's element names).
_COLUMNS: Final = {
    "promotion": "description",
    "description": "description",
    "operation": "operation",
    "operand": "operation",
    "multiplier": "amount",
    "value": "amount",
    "amount": "amount",
    "custom_id": "custom_id",
    "start_date": "start_date",
    "end_date": "end_date",
}


async def campaign_new_promo(ctx: CallContext) -> Element:
    fields = ctx.fields
    campaign_id = fields.required("campaign_id")
    for name in ("promo_operation", "promo_amount", "promo_description"):
        fields.required(name)
    principal = ctx.principal
    check_visible(principal, campaign_id)

    async def work(tx: WriteTx) -> int:
        campaign = await visible_campaign_for_update(tx, principal, campaign_id)
        check_points_campaign(campaign)
        check_role(principal, MANAGERS, _WHAT)
        wanted = parse_new_promotion(fields)
        if await tx.count_promotions(campaign.pk) >= MAX_PROMOTIONS:
            raise ApiError("too_many_promotions", campaign_id=campaign_id, limit=MAX_PROMOTIONS)
        now = utc_now()
        promotion = await tx.insert_promotion(campaign.pk, wanted, now)
        changes = promotion_changes({}, promotion_snapshot(promotion))
        await tx.append_audit(promotion_audit(principal, campaign, promotion, "create", changes, now))
        return promotion.pk

    promo_pk = await ctx.store.write(work)
    return response("success", [node("campaign", [node("promo", [el("id", promo_pk)])])])


async def campaign_update_promo(ctx: CallContext) -> Element:
    fields = ctx.fields
    campaign_id = fields.required("campaign_id")
    text = fields.required("promo_id")
    check_update_fields(fields)
    principal = ctx.principal
    check_visible(principal, campaign_id)

    async def work(tx: WriteTx) -> int:
        campaign, promotion = await _named(tx, principal, campaign_id, text)
        check_role(principal, MANAGERS, _WHAT)
        values = plan_promotion_update(promotion, fields)
        if values:
            now = utc_now()
            await tx.update_promotion(promotion.pk, values, now)
            before = promotion_snapshot(promotion)
            after = promotion_snapshot(replace(promotion, **values))  # type: ignore[arg-type]
            changes = promotion_changes(before, after)
            await tx.append_audit(promotion_audit(principal, campaign, promotion, "update", changes, now))
        return promotion.pk

    promo_pk = await ctx.store.write(work)
    return response("success", [Element("promo", attrs={"status": "updated"}, children=[el("id", promo_pk)])])


async def campaign_delete_promo(ctx: CallContext) -> Element:
    fields = ctx.fields
    campaign_id = fields.required("campaign_id")
    text = fields.required("promo_id")
    principal = ctx.principal
    check_visible(principal, campaign_id)

    async def work(tx: WriteTx) -> int:
        campaign, promotion = await _named(tx, principal, campaign_id, text)
        check_role(principal, MANAGERS, _WHAT)
        now = utc_now()
        await tx.archive_promotion(promotion.pk, principal.user_name, now)
        changes = promotion_changes(promotion_snapshot(promotion), {})
        await tx.append_audit(promotion_audit(principal, campaign, promotion, "delete", changes, now))
        return promotion.pk

    promo_pk = await ctx.store.write(work)
    return response("success", [Element("promo", attrs={"status": "deleted"}, children=[el("id", promo_pk)])])


async def campaign_promos(ctx: CallContext) -> Element:
    fields = ctx.fields
    campaign_id = fields.required("campaign_id")
    principal = ctx.principal
    check_visible(principal, campaign_id)
    query = _read_query(fields)
    campaign = await ctx.store.get_campaign(principal.account.pk, campaign_id)
    if campaign is None:
        raise ApiError("campaign_not_found", campaign_id=campaign_id)
    check_points_campaign(campaign)
    page = await ctx.store.list_promotions(campaign.pk, query)
    items = [_promotion_element(promotion) for promotion in page.promotions]
    return response(
        "success",
        [
            node("campaign", [el("id", campaign_id)]),
            Element("promotions", children=items, repeated=True),
            Element(
                "pagination", children=[el("total", page.total), el("offset", query.offset), el("length", len(items))]
            ),
        ],
    )


async def _named(tx: WriteTx, principal: Principal, campaign_id: str, text: str) -> tuple[Campaign, Promotion]:
    campaign = await visible_campaign_for_update(tx, principal, campaign_id)
    check_points_campaign(campaign)
    promo_pk = parse_promo_id(text)
    promotion = None if promo_pk is None else await tx.promotion_for_update(campaign.pk, promo_pk)
    if promotion is None:
        raise ApiError("promotion_not_found", promo_id=clipped(text), campaign_id=campaign_id)
    return campaign, promotion


def _column(field_name: str, text: str, *, sorting: bool) -> str:
    name = text.lower()
    if sorting and name == "id":
        return "id"
    column = _COLUMNS.get(name)
    if column is None:
        known = ", ".join(["id", *_COLUMNS] if sorting else _COLUMNS)
        raise ApiError(
            "parameter_invalid", detail=f"The field {field_name} must be one of {known}, not {quoted(text)}."
        )
    return column


def _read_query(fields: Fields) -> PromotionQuery:
    match = None
    search = read_search(fields, lambda field_name, text: _column(field_name, text, sorting=False))
    if search is not None:
        column, op, values = search
        if column in PROMOTION_NUMBER_COLUMNS:
            values = search_numbers(op, values)
        elif column == "operation":
            values = tuple(value.lower() for value in values)
        match = Match(column, op, values)
    sort_text = fields.value("sortField")
    sort = None if sort_text is None else _column("sortField", sort_text, sorting=True)
    return PromotionQuery(
        match=match,
        sort=None if sort == "id" else sort,
        descending=read_order(fields),
        offset=read_count(fields, "offset") or 0,
        limit=min(read_count(fields, "length") or MAX_LENGTH, MAX_LENGTH),
    )


def _promotion_element(promotion: Promotion) -> Element:
    return node(
        "promotion",
        [
            el("id", promotion.pk),
            el("operation", promotion.operation),
            el("operand", promotion.operation),
            el("value", decimal_text(promotion.amount)),
            el("description", promotion.description),
            el("custom_id", promotion.custom_id),
            el("start_date", promotion.start_date),
            el("end_date", promotion.end_date),
        ],
    )
