"""The store interface every backend (SQLite, PostgreSQL) fulfils.

Handlers change data only inside :meth:`Store.write`: the store runs the given coroutine function
with a :class:`WriteTx` inside one transaction, and the whole of it applies or none of it does.
How transactions reach the disk (one fsync per commit, or several requests' commits behind one
fsync) is the store's business; a ``write`` returns only once its changes are durable.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Final, Protocol, TypeVar

from loyalty_api.store._migrations import MigrationStatus
from loyalty_api.store.ledger_models import (
    AppendedEntry,
    BalanceMismatch,
    CustomerLedger,
    LedgerEntry,
    LedgerSums,
    NewLedgerEntry,
    NewSale,
    RecordedSale,
)
from loyalty_api.store.models import (
    Account,
    AccountDetails,
    ArchiveCounts,
    AuditRecord,
    Campaign,
    CampaignPage,
    CampaignQuery,
    Customer,
    CustomerPage,
    CustomerQuery,
    FieldDefinition,
    Login,
    Membership,
    NewAudit,
    Principal,
    RestoredCampaign,
    RestoredCustomer,
    Reward,
    StoredAnswer,
    User,
)
from loyalty_api.store.promotion_models import NewPromotion, Promotion, PromotionPage, PromotionQuery

__all__ = [
    "SaleWork",
    "run_sale",
    "CUSTOMER_KEYS",
    "NEW_CAMPAIGN_COLUMNS",
    "UPDATABLE_CAMPAIGN_COLUMNS",
    "ArchiveConflict",
    "CampaignValues",
    "CustomerValues",
    "NewCampaign",
    "RewardValues",
    "Store",
    "MAX_SUM_CENTS",
    "BalanceLimit",
    "QueryTimeout",
    "StoreUnavailable",
    "UserValues",
    "WriteTx",
]

T = TypeVar("T")

# What the read phase of a sale's job answers (Store.write_sale): the sale to append, and the function that turns
# the recorded sale (None: no customer has the key, nothing was written) into the job's result, without the store.
SaleWork = tuple[NewSale, Callable[[RecordedSale | None], T]]

# Column values of a campaign update: name -> str | Decimal | bool | None.
CampaignValues = Mapping[str, object]

# The campaign columns an update may set, and those a new campaign is given (every backend checks against them).
UPDATABLE_CAMPAIGN_COLUMNS: Final = frozenset(
    {
        "name",
        "description",
        "points_ratio",
        "reward_ratio",
        "amount_per_event",
        "coalition_opt_out",
        "two_tier_opt_out",
        "active",
        "latitude",
        "longitude",
    }
)
NEW_CAMPAIGN_COLUMNS: Final = UPDATABLE_CAMPAIGN_COLUMNS | {"campaign_id", "type"}


# Column values of a reward update: level (int), description (str), identifier (str | None).
RewardValues = Mapping[str, object]

# Column values of a user update: role (a Role), allowed_campaigns (frozenset[str] | None), key_digest, disabled,
# and the texts first_name, last_name, custom1, language, timezone, pin_digest (None: no PIN).
UserValues = Mapping[str, object]

# Column values of a customer insert or update: a CUSTOMER_WRITABLE_COLUMNS name -> str | bool | None.
CustomerValues = Mapping[str, object]

# The columns that name one customer of an account (each unique in the account).
CUSTOMER_KEYS = ("code", "card_number", "customer_username")


class StoreUnavailable(Exception):
    """The database cannot be reached or stayed locked too long; nothing was changed."""


#: The largest balance, and cumulative total, the store keeps for a customer in a campaign, in hundredths:
#: 90,000,000,000,000.00 units.  Below 2**53, so every one is exact as a double (what JavaScript clients parse),
#: and far below 2**63, so no sum of a campaign's rows can pass the databases' 64-bit integers.
MAX_SUM_CENTS: Final = 9 * 10**15


class BalanceLimit(Exception):
    """An entry would take a balance or a cumulative total past :data:`MAX_SUM_CENTS`; nothing of it was kept."""


class QueryTimeout(Exception):
    """A statement ran longer than the store allows one (``LOYALTY_STATEMENT_TIMEOUT_MS``) and was stopped; nothing
    was changed.  Asking again will not help: the request asks for too much work."""


class ReadsBusy(Exception):
    """Reads that scan (searches, long lists) have used their share of the process's time
    (``LOYALTY_HEAVY_READ_PERCENT``); this one was not started.  Asking again in a few seconds will work."""


class ArchiveConflict(Exception):
    """Archived rows cannot come back as they were (e.g. their campaign id is in use again); nothing was changed."""


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

    # --- campaign creation, rewards, archive (docs/campaigns.md) ----------------------------

    async def campaign_id_in_use(self, campaign_id: str) -> bool:
        """Whether any account has a live or archived campaign with this id (seen from inside the transaction)."""
        ...

    async def insert_campaign(self, account_pk: int, values: CampaignValues, at: datetime) -> Campaign:
        """Create a campaign: ``values`` holds ``campaign_id``, ``type``, ``name`` and any updatable column;
        ``created_at`` and ``updated_at`` are ``at``."""
        ...

    async def reward_for_update(self, campaign_pk: int, reward_pk: int) -> Reward | None:
        """The live reward ``reward_pk`` if it belongs to that campaign, else None."""
        ...

    async def insert_reward(
        self, campaign_pk: int, level: int, description: str, identifier: str | None, at: datetime
    ) -> Reward:
        """Create a reward with a new id, never used before in the store (live or archived)."""
        ...

    async def update_reward(self, reward_pk: int, values: RewardValues, at: datetime) -> None:
        """Set some of ``level``, ``description``, ``identifier``; ``updated_at`` becomes ``at``."""
        ...

    async def archive_reward(self, reward_pk: int, by: str, at: datetime) -> None:
        """Move the reward, whole and with its id, to the archive (``archived_with`` 'reward')."""
        ...

    async def item_by_identifier(self, campaign_pk: int, identifier: str) -> Reward | None:
        """The live buyx item (a row of the rewards table) of that campaign with that identifier, else None."""
        ...

    # --- promotions of points campaigns (docs/value-over-time.md) -----------------------------

    async def promotion_for_update(self, campaign_pk: int, promotion_pk: int) -> Promotion | None:
        """The live (not deleted) promotion ``promotion_pk`` if it belongs to that campaign, else None."""
        ...

    async def promotion_in_account(self, account_pk: int, promotion_pk: int) -> Promotion | None:
        """The promotion ``promotion_pk``, live or deleted (``archived_at`` set), of any live campaign of the
        account; None when there is none (another account's promotion included)."""
        ...

    async def mark_promotion(self, entry_pk: int, promo_pk: int) -> None:
        """Record on a sale's entry which promotion it applied (``record_sale`` does it for a ``NewSale`` with a
        ``promo_pk``)."""
        ...

    async def count_promotions(self, campaign_pk: int) -> int:
        """How many live promotions the campaign has."""
        ...

    async def insert_promotion(self, campaign_pk: int, promotion: NewPromotion, at: datetime) -> Promotion:
        """Create a promotion with a new id, never used before in the store."""
        ...

    async def update_promotion(self, promotion_pk: int, values: Mapping[str, object], at: datetime) -> None:
        """Set some of ``operation``, ``amount``, ``description``, ``custom_id``, ``start_date``, ``end_date``;
        ``updated_at`` becomes ``at``."""
        ...

    async def archive_promotion(self, promotion_pk: int, by: str, at: datetime) -> None:
        """Mark the promotion deleted (archived, kept with its id for the sales that used it); no call sees it
        again.  Its campaign's sales are left as they are."""
        ...

    async def archive_campaign(self, campaign_pk: int, by: str, at: datetime) -> ArchiveCounts:
        """Move the campaign, its rewards and its ledger entries, whole and with their ids, to the archive
        (``archived_with`` 'campaign'); the API no longer sees any of them.  Rewards archived alone before stay
        where they are."""
        ...

    async def restore_campaign(self, account_pk: int, campaign_id: str) -> RestoredCampaign | None:
        """Move the account's most recently archived campaign of that id back, with the rewards and ledger
        entries archived with it, all with their ids; None when the archive holds no such campaign.  Raises
        :class:`ArchiveConflict` when the account has a live campaign of that id, or when a customer of its
        entries is no longer in the account."""
        ...

    # --- accounts and users (docs/accounts.md, docs/security.md) ---------------------------------

    async def account_for_update(self, account_pk: int) -> AccountDetails | None:
        """The account as ``account_info`` shows it, locked against other changes of it until the transaction
        ends."""
        ...

    async def update_account(self, account_pk: int, values: Mapping[str, object]) -> None:
        """Set some of the account's columns (``store.sql.accounts.ACCOUNT_SETTABLE``)."""
        ...

    async def user_for_update(self, account_pk: int, user_name: str) -> User | None:
        """The account's user of that name (enabled or not), locked until the transaction ends; until then no other
        transaction changes or counts the account's users (so a check of its administrators stays true)."""
        ...

    async def enabled_administrators(self, account_pk: int) -> int:
        """How many enabled administrators the account has, as this transaction sees them."""
        ...

    async def update_user(self, user_pk: int, values: UserValues) -> None:
        """Set some of ``role``, ``allowed_campaigns``, ``key_digest``, ``disabled`` and the details."""
        ...

    async def insert_user(
        self,
        account_pk: int,
        user_name: str,
        role: str,
        allowed_campaigns: frozenset[str] | None,
        key_digest: str,
        at: datetime,
        details: UserValues | None = None,
    ) -> Principal:
        """A new user of the account (call :meth:`user_for_update` first: it orders the account's user changes)."""
        ...

    async def user_with_pin(self, account_pk: int, pin_digest: str) -> str | None:
        """The name of the account's live user whose PIN has that digest, if any."""
        ...

    async def account_campaign_ids(self, account_pk: int) -> set[str]:
        """The ids of the account's live campaigns (active or deactivated)."""
        ...

    async def archive_user(self, user_pk: int, by: str, at: datetime) -> None:
        """Move the user, whole and with its id, to the archive; its key is refused from then on."""
        ...

    # --- customers (docs/customers.md) ----------------------------------------------------------

    async def customer_for_update(self, account_pk: int, key: str, value: str) -> Customer | None:
        """The account's customer whose ``key`` (a ``CUSTOMER_KEYS`` column) is ``value``, locked until the
        transaction ends."""
        ...

    async def customer_key_holder(self, account_pk: int, key: str, value: str) -> int | None:
        """The pk of the account's customer whose ``key`` is ``value``, or None.  Until the transaction ends no
        other transaction can give that value to a customer, so a None stays true until this one commits."""
        ...

    async def insert_customer(self, account_pk: int, values: CustomerValues, at: datetime) -> Customer:
        """Create a customer (``values`` holds ``code`` and any other writable column); its pk was never used by
        a live or archived customer."""
        ...

    async def update_customer(self, customer_pk: int, values: CustomerValues) -> Customer:
        """Set the given writable columns; the customer as it now is."""
        ...

    async def enrol_customer(
        self, account_pk: int, campaign_pk: int, customer_pk: int, user_name: str, at: datetime
    ) -> bool:
        """Record the activation entry unless the customer has an entry in the campaign already; whether it was
        recorded."""
        ...

    async def customer_campaign_ids(self, customer_pk: int) -> set[str]:
        """The ids of the live campaigns the customer has ledger entries in."""
        ...

    async def archive_customer(self, customer_pk: int, by: str, at: datetime) -> int:
        """Move the customer and all their ledger entries, whole and with their ids, to the archive
        (``archived_with`` 'customer'); how many entries moved."""
        ...

    async def restore_customer(self, account_pk: int, code: str) -> RestoredCustomer | None:
        """Move the account's most recently archived customer of that code back with the entries archived with
        them; None when the archive holds none.  Raises :class:`ArchiveConflict` when the code, card number or
        username is in use again, or a campaign of the entries is gone."""
        ...

    # --- custom fields (docs/customers.md, manage_fields) -------------------------------------------------

    async def fields_for_update(self, account_pk: int, kind: str) -> list[FieldDefinition]:
        """The account's definitions of ``kind`` (a ``FIELD_KINDS`` name), by number; until the transaction ends no
        other transaction changes the account's definitions of that kind."""
        ...

    async def insert_field(self, account_pk: int, field: FieldDefinition, at: datetime) -> None:
        """Add the definition (its kind and number are not defined yet in the account)."""
        ...

    async def update_field(self, account_pk: int, field: FieldDefinition, at: datetime) -> bool:
        """Replace the definition of the field's kind and number; whether there was one."""
        ...

    async def delete_field(self, account_pk: int, kind: str, number: int) -> bool:
        """Delete the definition; whether there was one.  Values stored for the field stay."""
        ...

    async def customer_field_values(self, customer_pk: int) -> dict[int, str]:
        """The customer's values of custom fields numbered above ``FIELD_COLUMNS``: number -> text."""
        ...

    async def set_customer_field_values(
        self, account_pk: int, customer_pk: int, values: Mapping[int, str | None]
    ) -> None:
        """Set (a text) or clear (None or '') the customer's values of custom fields numbered above
        ``FIELD_COLUMNS``."""
        ...

    async def custom_value_holder(self, account_pk: int, number: int, value: str, other_than: int | None) -> int | None:
        """The pk of a customer of the account, not ``other_than``, whose custom field ``number`` is exactly
        ``value``, or None.  Until the transaction ends no other transaction can give that value to that field, so
        a None stays true until this one commits."""
        ...

    # --- the ledger (docs/ledger.md) ----------------------------------------------------------------

    async def campaign_for_entries(self, account_pk: int, campaign_id: str) -> Campaign | None:
        """The live campaign, share-locked until the transaction ends: entries of many transactions may be
        appended at once, while a ``campaign_for_update`` (e.g. a change of the opt-outs) waits for them."""
        ...

    async def append_ledger_entry(self, entry: NewLedgerEntry) -> AppendedEntry:
        """Append the entry; its new id (never used before, live or archived) and the customer's sums in the
        campaign after it, as :meth:`ledger_sums` would answer them next (one round trip on PostgreSQL)."""
        ...

    async def record_sale(self, sale: NewSale) -> RecordedSale | None:
        """Append ``sale`` for the customer it names, locked until the transaction ends, after their activation
        entry when it is their first entry in the campaign (as :meth:`enrol_customer`); what the receipt shows.
        None when no customer has that key (nothing written).  One round trip on PostgreSQL: the caller holds the
        campaign (:meth:`campaign_for_entries`)."""
        ...

    async def ledger_sums(self, campaign_pk: int, customer_pk: int, service_product: str | None) -> LedgerSums:
        """The customer's balance and cumulative balance in the campaign, over the entries of one
        ``service_product`` (a buyx item) when given, as this transaction sees them (read from the running
        balances, which every append updates in its own transaction)."""
        ...

    async def coalition_cumulative(self, account_pk: int, customer_pk: int, campaign_type: str) -> int:
        """The customer's cumulative balance in the account's coalition, in hundredths: the sum of their cumulative
        balances in the account's campaigns of ``campaign_type`` that have not opted out of the coalition."""
        ...

    async def reversible_entry(self, campaign_pk: int, customer_pk: int, entry_pk: int) -> LedgerEntry | None:
        """The customer's entry ``entry_pk`` in the campaign unless it is a reversal or already reversed."""
        ...

    async def reserve_login_attempt(
        self, account_pk: int, subject: str, at: datetime, since: datetime, limit: int
    ) -> bool:
        """Count the failures of ``subject`` after ``since``; under ``limit``, record this attempt as one (a
        success clears it later) and answer True; else record nothing and answer False.  Concurrent attempts of
        one subject are counted one after the other."""
        ...

    async def clear_login_failures(self, account_pk: int, subject: str) -> None: ...

    # --- idempotency keys (docs/ledger.md#idempotency) --------------------------------------------------

    async def claim_idempotency_key(
        self, account_pk: int, user_name: str, key: str, fingerprint: str, at: datetime, expired_before: datetime
    ) -> StoredAnswer | None:
        """The answer kept for the user's key, unless it is absent or was kept before ``expired_before``: then
        the key is claimed for this transaction (a placeholder row, replaced by :meth:`keep_idempotent_answer`)
        and None is answered.  A transaction claiming a key another one has claimed but not yet committed waits
        for it, then sees its answer (or, if it rolled back, claims the key itself)."""
        ...

    async def keep_idempotent_answer(self, account_pk: int, user_name: str, key: str, answer: StoredAnswer) -> None:
        """Store the answer of the key this transaction claimed."""
        ...

    async def purge_idempotency_keys(self, expired_before: datetime, limit: int) -> int:
        """Delete at most ``limit`` keys kept before ``expired_before``; how many were deleted."""
        ...


class Store(Protocol):
    url: str

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def ping(self) -> None:
        """Raise :class:`StoreUnavailable` unless the database answers a query and commits a write."""
        ...

    async def migrate(self) -> list[str]:
        """Apply pending migrations; the names of those applied.  Raise :class:`SchemaMismatch` (changing nothing)
        when the database holds a migration the code lacks, or one whose checksum differs from the code's."""
        ...

    async def migration_status(self) -> list[MigrationStatus]:
        """Every migration of the code (applied or pending) and of the database, in order; changes nothing."""
        ...

    async def find_login(self, account_id: str, user_name: str) -> Login | None: ...

    async def write(self, work: Callable[[WriteTx], Awaitable[T]]) -> T: ...

    async def write_sale(self, work: Callable[[WriteTx], Awaitable[SaleWork[T]]]) -> T:
        """As :meth:`write` for a job that reads, then appends one sale, then only computes its answer: ``work``
        reads what the sale needs (it must not write) and answers the sale and the function that turns the
        recorded sale into the job's result without the store (:func:`run_sale`).  The result is the same as
        ``write`` with :func:`run_sale`'s work; PostgreSQL's writer appends the sales of a batch in one round trip
        (``docs/ledger.md``, "How a sale is written")."""
        ...

    async def get_campaign(self, account_pk: int, campaign_id: str) -> Campaign | None: ...

    async def campaign_id_in_use(self, campaign_id: str) -> bool:
        """Whether any account (or its archive) has a campaign with this id."""
        ...

    async def campaign_history(self, account_pk: int, campaign_id: str) -> list[AuditRecord]: ...

    async def list_campaigns(self, account_pk: int, query: CampaignQuery) -> CampaignPage:
        """One page of the account's campaigns matching ``query``, and how many match in all (one snapshot)."""
        ...

    async def list_rewards(self, account_pk: int, campaign_id: str) -> list[Reward] | None:
        """The live rewards of the account's live campaign, by level then id; None when there is no such
        campaign."""
        ...

    async def list_promotions(self, campaign_pk: int, query: PromotionQuery) -> PromotionPage:
        """One page of the campaign's live promotions matching ``query``, and how many match in all."""
        ...

    # --- customers (docs/customers.md) ----------------------------------------------------------

    async def get_customer(self, account_pk: int, key: str, value: str) -> Customer | None:
        """The account's customer whose ``key`` (a ``CUSTOMER_KEYS`` column) is ``value``."""
        ...

    async def customer_memberships(self, customer_pks: list[int]) -> dict[int, list[Membership]]:
        """For each customer, the live campaigns they have ledger entries in (creation order of the campaigns)."""
        ...

    async def search_customers(self, account_pk: int, query: CustomerQuery) -> CustomerPage:
        """One page of the account's customers matching ``query``, oldest first, and how many match in all."""
        ...

    async def customer_history(self, account_pk: int, code: str) -> list[AuditRecord]:
        """The audit records of the account's customer(s) of that code, oldest first (archived lives included)."""
        ...

    # --- custom fields (docs/customers.md, manage_fields) -------------------------------------------------

    async def list_fields(self, account_pk: int, kind: str) -> list[FieldDefinition]:
        """The account's definitions of ``kind`` (a ``FIELD_KINDS`` name), by number (one statement)."""
        ...

    async def custom_field_values(self, customer_pks: list[int]) -> dict[int, dict[int, str]]:
        """For each customer, their values of custom fields numbered above ``FIELD_COLUMNS``: number -> text."""
        ...

    # --- the ledger (docs/ledger.md) ----------------------------------------------------------------

    async def customer_ledger(self, campaign_pk: int, customer_pk: int, limit: int) -> CustomerLedger:
        """The customer's sums, item sums and newest ``limit`` shown entries in the campaign, in one snapshot."""
        ...

    async def balance_mismatches(self) -> list[BalanceMismatch]:
        """Every running balance that differs from its ledger entries' sums, rows missing or extra included,
        in one snapshot (``loyalty-api db check``); empty when they all agree."""
        ...

    # --- operator (CLI) operations ---------------------------------------------------------

    async def account_count(self) -> int: ...

    async def list_users(self, account_pk: int) -> list[User]:
        """The account's users (enabled or not), by name; never their keys."""
        ...

    async def get_account(self, account_id: str) -> Account | None: ...

    async def get_user(self, account_pk: int, user_name: str) -> User | None:
        """The account's user of that name (enabled or not); never its key."""
        ...

    async def user_history(self, account_pk: int, user_name: str) -> list[AuditRecord]:
        """The audit records of the account's users of that name (live or removed), oldest first."""
        ...

    async def accounts_with_user(self, user_name: str) -> list[str]:
        """The ids of the accounts that have a user of that name: two at most (enough to tell one from several)."""
        ...

    async def add_account(
        self,
        account_id: str,
        name: str,
        currency: str,
        in_coalition: bool,
        in_two_tier: bool,
        owner_key_digest: str | None = None,
    ) -> Account:
        """The account and its owner (``user_id`` the account id, an administrator of every campaign), whose key
        has ``owner_key_digest`` (None: no key works until ``user rotate-key`` gives one)."""
        ...

    async def set_account(self, account_pk: int, values: Mapping[str, object]) -> None:
        """Set some of the account's columns (``store.sql.accounts.ACCOUNT_SETTABLE``)."""
        ...

    async def account_details(self, account_pk: int) -> AccountDetails | None:
        """The account as ``account_info`` shows it."""
        ...

    async def account_history(self, account_pk: int) -> list[AuditRecord]:
        """The audit records of the account's settings and of its users, oldest first."""
        ...

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


async def run_sale(tx: WriteTx, work: Callable[[WriteTx], Awaitable[SaleWork[T]]]) -> T:
    """A sale's job (:meth:`Store.write_sale`) run as an ordinary write: read, append, answer."""
    sale, finish = await work(tx)
    return finish(await tx.record_sale(sale))
