"""``campaigns_list`` and ``campaigns_inactive_list``: the request read into a :class:`CampaignQuery`, and the
campaigns written out as ``<campaigns><campaign>...`` with their ``<pagination>``.

The store filters, sorts and pages on its columns.  Fields that are no column are turned into column
conditions here: ``type`` and the ``Y``/``N`` fields have few possible values, so the search is tried on each
and becomes "the column is one of these"; ``currency`` and ``glyph`` are the account's, the same for every
campaign, so the search either keeps every campaign or none.  The rules are in ``docs/campaigns.md``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from loyalty_api.currencies import glyph_for
from loyalty_api.errors import ApiError
from loyalty_api.handler.fields import Fields
from loyalty_api.store.models import (
    CAMPAIGN_TYPES,
    SEARCH_OPERATORS,
    Account,
    Campaign,
    CampaignPage,
    CampaignQuery,
    Match,
    Principal,
)
from loyalty_api.values import decimal_text, money_text, quoted, yes_no
from renderers import Element, el

__all__ = [
    "LIST_FIELDS",
    "MAX_LENGTH",
    "ListRequest",
    "campaign_element",
    "list_elements",
    "read_count",
    "read_list_request",
    "read_order",
    "read_search",
    "search_numbers",
]

# The fields of a listed campaign, in the order they are written (earned_per_event for earned campaigns only).
LIST_FIELDS: Final = (
    "id",
    "name",
    "type",
    "description",
    "points_ratio",
    "reward_ratio",
    "earned_per_event",
    "currency",
    "glyph",
    "created_stamp",
    "in_coalition",
    "coalition_opt_out",
    "two_tier_opt_out",
)
_ALIASES: Final = {"campaign_id": "id", "campaign_name": "name", "campaign_type": "type"}
# List field -> store column, for fields that are one.
_TEXT_COLUMNS: Final = {"id": "campaign_id", "name": "name", "description": "description"}
_NUMBER_COLUMNS: Final = {
    "points_ratio": "points_ratio",
    "reward_ratio": "reward_ratio",
    "earned_per_event": "amount_per_event",
}
_FLAG_COLUMNS: Final = ("coalition_opt_out", "two_tier_opt_out")
_NUMBER: Final = re.compile(r"-?\d{1,15}(?:[.,]\d{1,15})?", re.ASCII)
_COUNT: Final = re.compile(r"\d{1,9}", re.ASCII)
# The most campaigns one answer holds (absent, blank or 0 ``length``: as many as that); ``pagination`` tells the
# total, for the next pages.
MAX_LENGTH: Final = 1000
# The work one list search may ask for (docs/security.md).
SEARCH_VALUE_LIMIT: Final = 2000
SEARCH_MAX_VALUES: Final = 100


@dataclass(frozen=True, slots=True)
class ListRequest:
    query: CampaignQuery
    matches_nothing: bool  # the search excludes every campaign (no need to ask the store)


def read_list_request(fields: Fields, principal: Principal, *, active: bool) -> ListRequest:
    """Read ``type_restrict``, the search, the sort and the page; raises :class:`ApiError` on a bad value."""
    account = principal.account
    types = _type_restrict(fields)
    flags: list[tuple[str, bool]] = []
    match: Match | None = None
    nothing = False
    search = _read_search(fields)
    if search is not None:
        name, op, values = search
        if name == "type":
            chosen = frozenset(t for t in CAMPAIGN_TYPES if _text_matches(op, t, values))
            types = chosen if types is None else types & chosen
        elif name in _FLAG_COLUMNS or name == "in_coalition":
            column, allowed = _flag_condition(name, op, values, account)
            if not allowed:
                nothing = True
            elif column is not None and len(allowed) == 1:
                flags.append((column, next(iter(allowed))))
        elif name in ("currency", "glyph"):
            constant = account.currency if name == "currency" else glyph_for(account.currency)
            nothing = not _text_matches(op, constant, values)
        elif name == "created_stamp":
            match = Match("created_stamp", op, values)
        elif name in _TEXT_COLUMNS:
            match = Match(_TEXT_COLUMNS[name], op, values)
        else:
            match = Match(_NUMBER_COLUMNS[name], op, search_numbers(op, values))
    sort, descending = _read_sort(fields, account)
    query = CampaignQuery(
        active=active,
        campaign_ids=principal.allowed_campaigns,
        types=types,
        flags=tuple(flags),
        match=match,
        sort=sort,
        descending=descending,
        offset=read_count(fields, "offset") or 0,
        limit=min(read_count(fields, "length") or MAX_LENGTH, MAX_LENGTH),
    )
    return ListRequest(query, nothing or (types is not None and not types))


def list_elements(page: CampaignPage, request: ListRequest, account: Account) -> list[Element]:
    """``<account_name>``, ``<campaigns>`` (a JSON array, even of one) and ``<pagination>``."""
    items = [campaign_element(campaign, account) for campaign in page.campaigns]
    return [
        el("account_name", account.name),
        Element("campaigns", children=items, repeated=True),
        Element(
            "pagination",
            children=[el("total", page.total), el("offset", request.query.offset), el("length", len(items))],
        ),
    ]


def campaign_element(campaign: Campaign, account: Account) -> Element:
    children = [
        el("id", campaign.campaign_id),
        el("name", campaign.name),
        el("type", campaign.type),
        el("description", campaign.description),
        el("points_ratio", None if campaign.points_ratio is None else decimal_text(campaign.points_ratio)),
        el("reward_ratio", None if campaign.reward_ratio is None else decimal_text(campaign.reward_ratio)),
    ]
    if campaign.type == "earned":
        amount = campaign.amount_per_event
        children.append(el("earned_per_event", None if amount is None else money_text(amount)))
    in_coalition = account.in_coalition and not campaign.coalition_opt_out
    children += [
        el("currency", account.currency),
        el("glyph", glyph_for(account.currency)),
        el("created_stamp", campaign.created_at.strftime("%Y-%m-%d %H:%M:%S")),
        el("in_coalition", yes_no(in_coalition)),
        el("coalition_opt_out", yes_no(campaign.coalition_opt_out)),
        el("two_tier_opt_out", yes_no(campaign.two_tier_opt_out)),
    ]
    return Element("campaign", children=children)


def _field_name(field_name: str, text: str) -> str:
    name = text.lower()
    name = _ALIASES.get(name, name)
    if name not in LIST_FIELDS:
        known = ", ".join((*LIST_FIELDS, *_ALIASES))
        raise ApiError(
            "parameter_invalid", detail=f"The field {field_name} must be one of {known}, not {quoted(text)}."
        )
    return name


def _type_restrict(fields: Fields) -> frozenset[str] | None:
    text = fields.value("type_restrict")
    if text is None:
        return None
    chosen: set[str] = set()
    for part in text.split(","):
        word = part.strip().lower()
        if not word:
            continue
        if word not in CAMPAIGN_TYPES:
            raise ApiError(
                "parameter_invalid",
                detail=f"The field type_restrict lists {quoted(part.strip())}, which is not a campaign type"
                f" ({', '.join(CAMPAIGN_TYPES)}).",
            )
        chosen.add(word)
    return frozenset(chosen) if chosen else None


def _read_search(fields: Fields) -> tuple[str, str, tuple[str, ...]] | None:
    return read_search(fields, _field_name)


def read_search(fields: Fields, name_of: Callable[[str, str], str]) -> tuple[str, str, tuple[str, ...]] | None:
    """``searchField`` (as ``name_of(field name, text)`` names it), ``searchOper`` (``eq`` when absent) and
    ``searchValue`` (a comma list for ``in``/``ni``), within the limits; None when no search is asked."""
    field_text = fields.value("searchField")
    if field_text is None:
        return None
    name = name_of("searchField", field_text)
    op_text = fields.value("searchOper")
    op = "eq" if op_text is None else op_text.lower()
    if op not in SEARCH_OPERATORS:
        raise ApiError(
            "parameter_invalid",
            detail=f"The field searchOper must be one of {', '.join(SEARCH_OPERATORS)}, not {quoted(op_text or '')}.",
        )
    value = fields.required("searchValue")
    if len(value) > SEARCH_VALUE_LIMIT:
        raise ApiError(
            "parameter_invalid",
            detail=f"The field searchValue may hold at most {SEARCH_VALUE_LIMIT} characters, not {len(value)}.",
        )
    if op not in ("in", "ni"):
        return name, op, (value,)
    values = tuple(part.strip() for part in value.split(",") if part.strip())
    if not values:
        raise ApiError("parameter_invalid", detail="The field searchValue must hold a comma list for in and ni.")
    if len(values) > SEARCH_MAX_VALUES:
        raise ApiError(
            "parameter_invalid",
            detail=f"The field searchValue may list at most {SEARCH_MAX_VALUES} values for {op}, not {len(values)}.",
        )
    return name, op, values


def search_numbers(op: str, values: tuple[str, ...]) -> tuple[str, ...]:
    """Numeric operators take numbers (``9,95`` is 9.95, except inside an in/ni list); text operators any text."""
    if op not in ("eq", "ne", "in", "ni"):
        return values
    for value in values:
        if _NUMBER.fullmatch(value) is None:
            raise ApiError(
                "parameter_invalid", detail=f"The field searchValue must be a number here, not {quoted(value)}."
            )
    return tuple(value.replace(",", ".") for value in values)


def _flag_condition(
    name: str, op: str, values: tuple[str, ...], account: Account
) -> tuple[str | None, frozenset[bool]]:
    """The flag column and the values of it that satisfy the search (column None: every campaign shows the same
    value, so the values are those of that one answer)."""
    shown = {flag: _text_matches(op, yes_no(flag), values) for flag in (True, False)}
    if name != "in_coalition":
        return name, frozenset(flag for flag, ok in shown.items() if ok)
    if not account.in_coalition:  # every campaign shows in_coalition N
        return None, frozenset([False]) if shown[False] else frozenset()
    # In a coalition, in_coalition is Y exactly when coalition_opt_out is N.
    return "coalition_opt_out", frozenset(not flag for flag, ok in shown.items() if ok)


def _text_matches(op: str, candidate: str, values: tuple[str, ...]) -> bool:
    """The search operators on one text, case-insensitively: what the store does in SQL, done here."""
    text = candidate.lower()
    wanted = [value.lower() for value in values]
    first = wanted[0]
    tests = {
        "eq": text == first,
        "bw": text.startswith(first),
        "ew": text.endswith(first),
        "cn": first in text,
        "in": text in wanted,
    }
    positive = {"ne": "eq", "bn": "bw", "en": "ew", "nc": "cn", "ni": "in"}.get(op)
    return not tests[positive] if positive is not None else tests[op]


def read_order(fields: Fields) -> bool:
    """Whether ``sortOrder`` asks for descending order (``ASC`` when absent)."""
    order_text = fields.value("sortOrder")
    order = "ASC" if order_text is None else order_text.upper()
    if order not in ("ASC", "DESC"):
        raise ApiError(
            "parameter_invalid", detail=f"The field sortOrder must be ASC or DESC, not {quoted(order_text or '')}."
        )
    return order == "DESC"


def _read_sort(fields: Fields, account: Account) -> tuple[str | None, bool]:
    descending = read_order(fields)
    field_text = fields.value("sortField")
    if field_text is None:
        return None, descending
    name = _field_name("sortField", field_text)
    if name in _TEXT_COLUMNS:
        return _TEXT_COLUMNS[name], descending
    if name in _NUMBER_COLUMNS:
        return _NUMBER_COLUMNS[name], descending
    if name in ("type", *_FLAG_COLUMNS):
        return name, descending
    if name == "in_coalition" and account.in_coalition:
        # in_coalition N (opted out) sorts before Y, so ascending in_coalition is descending coalition_opt_out.
        return "coalition_opt_out", not descending
    # created_stamp, and fields that are the same for every campaign: creation order.
    return None, descending


def read_count(fields: Fields, field_name: str) -> int | None:
    """``offset`` or ``length``: a whole number of at least 0, None when absent."""
    text = fields.value(field_name)
    if text is None:
        return None
    if _COUNT.fullmatch(text) is None:
        raise ApiError(
            "parameter_invalid",
            detail=f"The field {field_name} must be a whole number of at least 0, not {quoted(text)}.",
        )
    return int(text)
