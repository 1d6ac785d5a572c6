"""What a campaign's settings may be, and how a ``campaign_update`` request changes them.

Pure functions over the request's fields and the stored campaign: no SQL, no HTTP.  The reading of
the specification they implement is written out in ``docs/campaign_update.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from loyalty_api.errors import ApiError
from loyalty_api.handler.fields import Fields
from loyalty_api.store.models import Account, Campaign, Change
from loyalty_api.values import (
    MONEY_DECIMALS,
    RATIO_DECIMALS,
    decimal_text,
    money_text,
    parse_flag,
    parse_number,
    parse_text,
)

__all__ = [
    "DESCRIPTION_LIMIT",
    "NAME_LIMIT",
    "OPT_OUT_FIELDS",
    "UpdatePlan",
    "audit_value",
    "parse_money",
    "parse_name",
    "parse_ratio",
    "plan_campaign_update",
]

NAME_LIMIT: Final = 255
DESCRIPTION_LIMIT: Final = 1000

# Fields of campaign_update that only one campaign type has: field -> that type.
_TYPE_FIELDS: Final = {
    "new_points_ratio": "points",
    "new_reward_ratio": "points",
    "new_amount_per_event": "earned",
}
# Opt-out fields: field -> (column, program word for messages, Account attribute).
OPT_OUT_FIELDS: Final = {
    "coalition_opt_out": ("coalition_opt_out", "coalition", "in_coalition"),
    "two_tier_opt_out": ("two_tier_opt_out", "two-tier program", "in_two_tier"),
}
_MONEY_COLUMNS: Final = frozenset({"amount_per_event"})


def parse_name(field_name: str, text: str) -> str:
    return parse_text(field_name, text, limit=NAME_LIMIT)


def parse_ratio(field_name: str, text: str) -> Decimal:
    return parse_number(field_name, text, decimals=RATIO_DECIMALS, allow_zero=False, what="a positive number")


def parse_money(field_name: str, text: str) -> Decimal:
    value = parse_number(
        field_name, text, decimals=MONEY_DECIMALS, allow_zero=True, what="a money amount of at least 0"
    )
    return value.quantize(Decimal("0.01"))


def audit_value(column: str, value: object) -> str | bool | None:
    """A column value as the audit trail and ``campaign show`` print it."""
    if isinstance(value, Decimal):
        return money_text(value) if column in _MONEY_COLUMNS else decimal_text(value)
    if value is None or isinstance(value, bool | str):
        return value
    return str(value)


@dataclass(slots=True)
class UpdatePlan:
    """The validated request: column values to set, and opt-out changes still to be checked."""

    values: dict[str, object] = field(default_factory=dict)
    opt_outs: dict[str, bool] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def changes(self, campaign: Campaign) -> tuple[Change, ...]:
        return tuple(
            Change(column, audit_value(column, getattr(campaign, column)), audit_value(column, new))
            for column, new in self.values.items()
        )


def plan_campaign_update(campaign: Campaign, fields: Fields, account: Account) -> UpdatePlan:
    """Validate every field against ``campaign`` and keep only what really changes it.

    Raises :class:`ApiError` on the first invalid field; nothing is written before this returns.
    """
    plan = UpdatePlan()
    _check_type_fields(campaign, fields)

    name = fields.value("new_campaign_name")
    if name is not None:
        _set(plan, campaign, "name", parse_name("new_campaign_name", name))
    description = fields.raw("description")
    if description is not None:
        cleaned = parse_text("description", description.strip(), limit=DESCRIPTION_LIMIT)
        _set(plan, campaign, "description", cleaned or None)

    if campaign.type == "points":
        points = fields.value("new_points_ratio")
        if points is not None:
            _set(plan, campaign, "points_ratio", parse_ratio("new_points_ratio", points))
        if "new_reward_ratio" in fields:
            reward = fields.value("new_reward_ratio")
            _set(plan, campaign, "reward_ratio", None if reward is None else parse_ratio("new_reward_ratio", reward))
    elif campaign.type == "earned" and "new_amount_per_event" in fields:
        amount = fields.value("new_amount_per_event")
        value = Decimal("0.00") if amount is None else parse_money("new_amount_per_event", amount)
        _set(plan, campaign, "amount_per_event", value)

    for field_name, (column, program, member_attr) in OPT_OUT_FIELDS.items():
        text = fields.value(field_name)
        if text is None:
            continue
        wanted = parse_flag(field_name, text)
        if not getattr(account, member_attr):
            plan.warnings.append(f"{field_name} was ignored: account {account.account_id} is not in a {program}.")
        elif wanted != getattr(campaign, column):
            plan.opt_outs[column] = wanted
    return plan


def freeze_opt_outs(plan: UpdatePlan, campaign_id: str) -> None:
    """Drop the opt-out changes of a campaign that already has transactions, with a warning each."""
    for column in list(plan.opt_outs):
        del plan.opt_outs[column]
        plan.warnings.append(
            f"{column} was ignored: transactions are already recorded in campaign {campaign_id},"
            " so its membership can no longer change."
        )


def _check_type_fields(campaign: Campaign, fields: Fields) -> None:
    for field_name, owner in _TYPE_FIELDS.items():
        if owner != campaign.type and fields.value(field_name) is not None:
            raise ApiError(
                "parameter_mismatch",
                detail=f"The field {field_name} applies to {owner} campaigns only;"
                f" campaign {campaign.campaign_id} is a {campaign.type} campaign.",
            )


def _set(plan: UpdatePlan, campaign: Campaign, column: str, value: object) -> None:
    if getattr(campaign, column) != value:
        plan.values[column] = value
