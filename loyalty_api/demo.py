"""The demo world: the documentation's examples made real (idempotent to load)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from loyalty_api.accounts.auth import key_digest
from loyalty_api.store.interface import Store
from loyalty_api.store.models import Account

__all__ = ["DEMO_ACCOUNTS", "DEMO_CAMPAIGNS", "DEMO_DETAILS", "DEMO_OWNER_KEYS", "DEMO_USERS", "DemoUser", "load_demo"]


@dataclass(frozen=True, slots=True)
class DemoUser:
    account_id: str
    user_name: str
    key: str
    role: str
    allowed: frozenset[str] | None


# account_id -> (name, currency, in coalition, in two-tier program)
DEMO_ACCOUNTS: Final = {
    "greatwidgets": ("Great Widgets Company", "USD", True, True),
    "otherco": ("Other Company", "USD", False, False),
}

# account_id -> the key of its owner (the user whose user_id is the account id).
DEMO_OWNER_KEYS: Final = {
    "greatwidgets": "0wn3r0fgr34tw1dg3ts",
    "otherco": "0wn3r0f0th3rc0mp4ny",
}

# What account_info shows of the demo accounts (the legacy documentation's example).
DEMO_DETAILS: Final[dict[str, dict[str, object]]] = {
    "greatwidgets": {
        "biz_address1": "123 Main St.",
        "biz_city": "Anytown",
        "biz_state": "CA",
        "biz_zip": "55555",
        "biz_country": "US",
        "biz_locations": "50",
        "biz_employees": "5000",
        "industry": "Science & Technology",
        "contact_first_name": "John",
        "contact_last_name": "Smith",
        "contact_email": "john@greatwidgets.example",
        "contact_phone": "555-555-5555",
    },
    "otherco": {"contact_email": "admin@otherco.example"},
}

DEMO_USERS: Final = (
    DemoUser("greatwidgets", "john1970", "1959caadac9b13dcb3", "A", None),
    DemoUser("greatwidgets", "mgr1970", "m4n4g3rm4n4g3rm4n4", "M", frozenset({"1234567890123451", "1234567890123453"})),
    DemoUser("greatwidgets", "clerk1970", "c1e4c1e4c1e4c1e4c1", "K", None),
    DemoUser("otherco", "otheradmin", "0th3r0th3r0th3r0th3r", "A", None),
)

# (account, campaign id, type, name, extra settings)
DEMO_CAMPAIGNS: Final[tuple[tuple[str, str, str, str, dict[str, object]], ...]] = (
    ("greatwidgets", "1234567890123450", "giftcard", "Widget Card", {}),
    (
        "greatwidgets",
        "1234567890123451",
        "points",
        "Widget Rewards",
        {"points_ratio": Decimal(100), "reward_ratio": Decimal(18)},
    ),
    ("greatwidgets", "1234567890123452", "buyx", "Buy 10 Widgets", {}),
    ("greatwidgets", "1234567890123453", "earned", "Widget VIP", {"amount_per_event": Decimal("5.95")}),
    ("greatwidgets", "1234567890123454", "events", "Widget Check-ins", {}),
    ("greatwidgets", "1234567890123455", "points", "Legacy Points", {"points_ratio": Decimal(50)}),
    ("greatwidgets", "WidgetClub", "events", "WidgetClub", {}),
    ("otherco", "9999999999999999", "points", "Other Rewards", {"points_ratio": Decimal(100)}),
)

_LEGACY_CAMPAIGN: Final = "1234567890123455"
_DEMO_CUSTOMER: Final = ("8000000000000001", "Jane", "Doe")


async def load_demo(store: Store) -> bool:
    """Create the demo world unless its accounts exist already; whether anything was created."""
    created = False
    accounts: dict[str, Account] = {}
    for account_id, (name, currency, coalition, two_tier) in DEMO_ACCOUNTS.items():
        account = await store.get_account(account_id)
        if account is None:
            owner = key_digest(account_id, account_id, DEMO_OWNER_KEYS[account_id])
            account = await store.add_account(account_id, name, currency, coalition, two_tier, owner)
            await store.set_account(account.pk, DEMO_DETAILS[account_id])
            created = True
            await _fill_account(store, account)
        accounts[account_id] = account
    return created


async def _fill_account(store: Store, account: Account) -> None:
    for user in DEMO_USERS:
        if user.account_id == account.account_id:
            digest = key_digest(user.account_id, user.user_name, user.key)
            await store.add_user(account.pk, user.user_name, user.role, user.allowed, digest)
    for account_id, campaign_id, type_, name, extra in DEMO_CAMPAIGNS:
        if account_id != account.account_id:
            continue
        values: dict[str, object] = {"campaign_id": campaign_id, "type": type_, "name": name}
        if type_ == "points":
            values.setdefault("points_ratio", Decimal(100))
        if type_ == "earned":
            values.setdefault("amount_per_event", Decimal("0.00"))
        values.update(extra)
        campaign = await store.add_campaign(account.pk, values)
        if campaign_id == _LEGACY_CAMPAIGN:
            code, first, last = _DEMO_CUSTOMER
            customer = await store.add_customer(account.pk, code, first, last)
            clerk = f"{account.account_id}API"
            await store.add_ledger_entry(
                account.pk, campaign.pk, customer, clerk, 0, "Account Activated.", "Activation"
            )
            await store.add_ledger_entry(account.pk, campaign.pk, customer, clerk, 50000, "Purchase", "")
