"""Column lists and row conversion for rewards and for rows the archive moves (SQLite)."""

from __future__ import annotations

from typing import Any, Final

from loyalty_api.store.models import Reward
from loyalty_api.store.sqlite._rows import parse_time

__all__ = ["LEDGER_COLUMNS", "REWARD_COLUMNS", "reward_from_row"]

REWARD_COLUMNS: Final = "pk, campaign_pk, level, description, identifier, created_at, updated_at"
LEDGER_COLUMNS: Final = (
    "pk, account_pk, campaign_pk, customer_pk, at, user_name, amount_cents, purchase_cents, authorization,"
    " service_product, redeemed, reverses_pk, custom_fields"
)


def reward_from_row(row: Any) -> Reward:
    pk, campaign_pk, level, description, identifier, created, updated = row
    return Reward(
        pk=int(pk),
        campaign_pk=int(campaign_pk),
        level=int(level),
        description=str(description),
        identifier=None if identifier is None else str(identifier),
        created_at=parse_time(str(created)),
        updated_at=parse_time(str(updated)),
    )
