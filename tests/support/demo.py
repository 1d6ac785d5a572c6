"""The demo world the tests start from (``loyalty_api/demo.py``): its campaigns and its customer."""

from __future__ import annotations

from typing import Final

__all__ = [
    "BUYX",
    "CLUB",
    "EARNED",
    "EVENTS",
    "GIFTCARD",
    "GREATWIDGETS_CAMPAIGNS",
    "JANE",
    "LEGACY",
    "MANAGER_CAMPAIGNS",
    "OTHERCO_POINTS",
    "POINTS",
    "SPEC_GIFTCARD",
]

# The campaigns of greatwidgets, oldest first.
GIFTCARD: Final = "1234567890123450"  # "Widget Card"
POINTS: Final = "1234567890123451"  # "Widget Rewards": points_ratio 100, reward_ratio 18
BUYX: Final = "1234567890123452"  # "Buy 10 Widgets"
EARNED: Final = "1234567890123453"  # "Widget VIP": 5.95 per event
EVENTS: Final = "1234567890123454"  # "Widget Check-ins"
LEGACY: Final = "1234567890123455"  # "Legacy Points": points_ratio 50, no reward_ratio; Jane's 500 points
CLUB: Final = "WidgetClub"  # an events campaign
GREATWIDGETS_CAMPAIGNS: Final = (GIFTCARD, POINTS, BUYX, EARNED, EVENTS, LEGACY, CLUB)
MANAGER_CAMPAIGNS: Final = (POINTS, EARNED)  # the ones the demo manager may see

# otherco's only campaign (otherco is in no coalition and no two-tier program).
OTHERCO_POINTS: Final = "9999999999999999"

# The demo customer, Jane Doe: in LEGACY, with its activation entry (id 1) and a 500-point purchase (id 2).
JANE: Final = "8000000000000001"

# The specification's PHP $data for a giftcard campaign (campaign_update), with the account_id its field table requires.
SPEC_GIFTCARD: Final = {
    "user_id": "john1970",
    "user_password": "1959caadac9b13dcb3",
    "type": "campaign_update",
    "action": "campaign",
    "account_id": "greatwidgets",
    "campaign_id": GIFTCARD,
    "new_campaign_name": "New Widget Card Name",
    "description": "New Campaign Description Here",
}
