"""What a ``campaign_new`` (action ``campaign``) request creates: the new campaign's columns, and its warnings.

Pure functions over the request's fields: no SQL, no HTTP.  The rules are written out in ``docs/campaigns.md``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from loyalty_api.campaigns.rules import DESCRIPTION_LIMIT, OPT_OUT_FIELDS, parse_money, parse_name, parse_ratio
from loyalty_api.errors import ApiError
from loyalty_api.handler.fields import Fields
from loyalty_api.store.models import CAMPAIGN_TYPES, Account
from loyalty_api.values import clipped, parse_flag, parse_text

__all__ = ["DEFAULT_POINTS_RATIO", "NewCampaignPlan", "new_campaign_id", "parse_campaign_type", "plan_new_campaign"]

DEFAULT_POINTS_RATIO: Final = Decimal(100)
# Fields of campaign_new that only one campaign type has: field -> that type.
_TYPE_FIELDS: Final = {"points_ratio": "points", "reward_ratio": "points", "amount_per_event": "earned"}
_COORDINATE: Final = re.compile(r"([+-]?)(\d{1,3})(?:[.,](\d+))?", re.ASCII)
_COORDINATE_DECIMALS: Final = 8
# field -> largest absolute value
_COORDINATES: Final = {"latitude": 90, "longitude": 180}


@dataclass(slots=True)
class NewCampaignPlan:
    """The validated request: the columns of the new campaign (its id is chosen when it is written)."""

    values: dict[str, object] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def new_campaign_id() -> str:
    """A random 16-digit campaign id (the caller checks that no campaign, live or archived, has it)."""
    return str(10**15 + secrets.randbelow(9 * 10**15))


def parse_campaign_type(field_name: str, text: str) -> str:
    lowered = text.lower()
    if lowered not in CAMPAIGN_TYPES:
        shown = clipped(text)
        raise ApiError(
            "parameter_invalid",
            detail=f'The field {field_name} must be one of {", ".join(CAMPAIGN_TYPES)}, not "{shown}".',
        )
    return lowered


def plan_new_campaign(fields: Fields, account: Account) -> NewCampaignPlan:
    """Validate every field of the request; raises :class:`ApiError` on the first invalid one."""
    plan = NewCampaignPlan()
    type_ = parse_campaign_type("campaign_type", fields.required("campaign_type"))
    values = plan.values
    values["type"] = type_
    values["name"] = parse_name("campaign_name", fields.required("campaign_name"))
    for field_name, owner in _TYPE_FIELDS.items():
        if owner != type_ and fields.value(field_name) is not None:
            raise ApiError(
                "parameter_mismatch",
                detail=f"The field {field_name} applies to {owner} campaigns only, not to a {type_} campaign.",
            )
    description = fields.value("description")
    if description is not None:
        values["description"] = parse_text("description", description, limit=DESCRIPTION_LIMIT)
    _plan_coordinates(fields, values)
    if type_ == "points":
        points = fields.value("points_ratio")
        values["points_ratio"] = DEFAULT_POINTS_RATIO if points is None else parse_ratio("points_ratio", points)
        reward = fields.value("reward_ratio")
        values["reward_ratio"] = None if reward is None else parse_ratio("reward_ratio", reward)
    elif type_ == "earned":
        amount = fields.value("amount_per_event")
        values["amount_per_event"] = Decimal("0.00") if amount is None else parse_money("amount_per_event", amount)
    for field_name, (column, program, member_attr) in OPT_OUT_FIELDS.items():
        text = fields.value(field_name)
        wanted = False if text is None else parse_flag(field_name, text)
        if text is not None and not getattr(account, member_attr):
            plan.warnings.append(f"{field_name} was ignored: account {account.account_id} is not in a {program}.")
            wanted = False
        values[column] = wanted
    values["active"] = True
    return plan


def _plan_coordinates(fields: Fields, values: dict[str, object]) -> None:
    given = {name: fields.value(name) for name in _COORDINATES}
    if (given["latitude"] is None) != (given["longitude"] is None):
        present, missing = ("latitude", "longitude") if given["latitude"] is not None else ("longitude", "latitude")
        raise ApiError(
            "parameter_mismatch",
            detail=f"The field {present} needs {missing} too: a geo-fenced campaign has both or neither.",
        )
    for name, limit in _COORDINATES.items():
        text = given[name]
        if text is not None:
            values[name] = _parse_coordinate(name, text, limit)


def _parse_coordinate(field_name: str, text: str, limit: int) -> Decimal:
    match = _COORDINATE.fullmatch(text)
    if match is None:
        shown = clipped(text)
        raise ApiError(
            "parameter_invalid",
            detail=f'The field {field_name} must be a number of degrees from -{limit} to {limit}, not "{shown}".',
        )
    sign, whole, fraction = match.group(1), match.group(2), (match.group(3) or "").rstrip("0")
    if len(fraction) > _COORDINATE_DECIMALS:
        raise ApiError(
            "parameter_invalid", detail=f"The field {field_name} allows at most {_COORDINATE_DECIMALS} decimals."
        )
    value = Decimal(f"{whole}.{fraction}" if fraction else whole)
    if value > limit:
        raise ApiError("parameter_invalid", detail=f"The field {field_name} must be from -{limit} to {limit}.")
    return -value if sign == "-" and value else value
