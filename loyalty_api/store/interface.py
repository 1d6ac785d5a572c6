"""The store interface every backend (SQLite, PostgreSQL) fulfils.

Handlers change data only inside :meth:`Store.write`: the store runs the given coroutine function
with a :class:`WriteTx` inside one transaction, and the whole of it applies or none of it does.
How transactions reach the disk (one fsync per commit, or several requests' commits behind one
fsync) is the store's business; a ``write`` returns only once its changes are durable.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Protocol, TypeVar

from loyalty_api.store.models import Account, AuditRecord, Campaign, Login, NewAudit, Principal

__all__ = ["CampaignValues", "NewCampaign", "Store", "StoreUnavailable", "WriteTx"]

T = TypeVar("T")

# Column values of a campaign update: name -> str | Decimal | bool | None.
CampaignValues = Mapping[str, object]


class StoreUnavailable(Exception):
    """The database cannot be reached or stayed locked too long; nothing was changed."""


class NewCampaign(Protocol):
    campaign_id: str
    type: str
    name: str


class WriteTx(Protocol):
    """Operations available inside one write transaction."""

    async def campaign_for_update(self, account_pk: int, campaign_id: str) -> Campaign | None:
        """The campaign, locked against concurrent writers until the transaction ends."""
        ...

    async def campaign_has_value_entries(self, campaign_pk: int) -> bool:
        """Whether a ledger entry that moved a balance (amount not 0) exists in the campaign."""
        ...

    async def update_campaign(self, campaign_pk: int, values: CampaignValues, at: datetime) -> None: ...

    async def append_audit(self, entry: NewAudit) -> None: ...


class Store(Protocol):
    url: str

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def ping(self) -> None:
        """Raise :class:`StoreUnavailable` unless the database answers a query."""
        ...

    async def migrate(self) -> list[str]:
        """Apply pending migrations; the names of those applied."""
        ...

    async def find_login(self, account_id: str, user_name: str) -> Login | None: ...

    async def write(self, work: Callable[[WriteTx], Awaitable[T]]) -> T: ...

    async def get_campaign(self, account_pk: int, campaign_id: str) -> Campaign | None: ...

    async def campaign_id_in_use(self, campaign_id: str) -> bool:
        """Whether any account (or its archive) has a campaign with this id."""
        ...

    async def campaign_history(self, account_pk: int, campaign_id: str) -> list[AuditRecord]: ...

    # --- operator (CLI) operations ---------------------------------------------------------

    async def account_count(self) -> int: ...

    async def get_account(self, account_id: str) -> Account | None: ...

    async def add_account(
        self, account_id: str, name: str, currency: str, in_coalition: bool, in_two_tier: bool
    ) -> Account: ...

    async def add_user(
        self,
        account_pk: int,
        user_name: str,
        role: str,
        allowed_campaigns: frozenset[str] | None,
        key_digest: str,
    ) -> Principal: ...

    async def add_campaign(self, account_pk: int, values: CampaignValues) -> Campaign: ...

    async def add_customer(self, account_pk: int, code: str, first_name: str, last_name: str) -> int: ...

    async def add_ledger_entry(
        self,
        account_pk: int,
        campaign_pk: int,
        customer_pk: int,
        user_name: str,
        amount_cents: int,
        authorization: str,
        service_product: str,
    ) -> int: ...
