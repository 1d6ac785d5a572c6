"""Plain records the store hands out and takes in.  No SQL, no HTTP."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Final

__all__ = [
    "CAMPAIGN_TYPES",
    "Account",
    "AuditRecord",
    "Campaign",
    "Change",
    "Login",
    "NewAudit",
    "Principal",
    "Role",
    "utc_now",
]

CAMPAIGN_TYPES: Final = ("points", "giftcard", "events", "earned", "buyx")


class Role(enum.StrEnum):
    ADMIN = "A"
    MANAGER = "M"
    CLERK = "K"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Account:
    pk: int
    account_id: str
    name: str
    currency: str
    in_coalition: bool
    in_two_tier: bool


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: a user of one account, with a role and the campaigns it may see."""

    account: Account
    user_pk: int
    user_name: str
    role: Role
    allowed_campaigns: frozenset[str] | None  # None: every campaign of the account

    def can_see(self, campaign_id: str) -> bool:
        return self.allowed_campaigns is None or campaign_id in self.allowed_campaigns


@dataclass(frozen=True, slots=True)
class Login:
    """What credential checking needs: the principal and the stored digest of its key."""

    principal: Principal
    key_digest: str


@dataclass(slots=True)
class Campaign:
    pk: int
    account_pk: int
    campaign_id: str
    type: str
    name: str
    description: str | None
    points_ratio: Decimal | None
    reward_ratio: Decimal | None
    amount_per_event: Decimal | None
    coalition_opt_out: bool
    two_tier_opt_out: bool
    active: bool
    latitude: Decimal | None
    longitude: Decimal | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Change:
    """One field's change: values as the audit shows them (decimal text, booleans, ``None``)."""

    field: str
    old: str | bool | None
    new: str | bool | None


@dataclass(frozen=True, slots=True)
class NewAudit:
    account_pk: int
    user_name: str
    entity: str  # "campaign", "reward", ...
    entity_id: str
    action: str  # "create", "update", "delete", ...
    changes: tuple[Change, ...]
    at: datetime = field(default_factory=utc_now)
    campaign_id: str | None = None


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    at: datetime
    account_id: str
    user_name: str
    entity: str
    entity_id: str
    action: str
    changes: tuple[Change, ...]
