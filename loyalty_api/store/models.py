"""Plain records the store hands out and takes in.  No SQL, no HTTP."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Final

__all__ = [
    "ACCOUNT_DETAIL_FIELDS",
    "CAMPAIGN_TYPES",
    "CUSTOMER_MATCH_MODES",
    "CUSTOMER_NULLABLE_FIELDS",
    "CUSTOMER_PROFILE_FIELDS",
    "CUSTOMER_TEXT_FIELDS",
    "CUSTOMER_WRITABLE_COLUMNS",
    "FIELD_COLUMNS",
    "FIELD_KINDS",
    "FIELD_TYPES",
    "NUMBERED_CUSTOM_FIELDS",
    "SEARCH_OPERATORS",
    "Account",
    "AccountDetails",
    "Agency",
    "ArchiveCounts",
    "AuditRecord",
    "Campaign",
    "CampaignPage",
    "CampaignQuery",
    "Change",
    "Customer",
    "CustomerMatch",
    "CustomerPage",
    "CustomerQuery",
    "FieldDefinition",
    "Login",
    "Match",
    "Membership",
    "NewAudit",
    "Principal",
    "RestoredCampaign",
    "RestoredCustomer",
    "Reward",
    "Role",
    "StoredAnswer",
    "User",
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
class Agency:
    """Who runs the loyalty service for an account, as its receipts name it (``docs/accounts.md``)."""

    id: str
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class Account:
    """What a request needs of its account (``AccountDetails`` has the rest, for ``account_info``)."""

    pk: int
    account_id: str
    name: str
    currency: str
    in_coalition: bool
    in_two_tier: bool
    timezone: str = "UTC"
    legacy_ampersand: bool = False  # XML answers leave & unescaped, as the legacy server did
    agency_id: str = ""  # blank: the account is its own agency
    agency_name: str = ""
    agency_email: str = ""
    contact_email: str = ""

    @property
    def agency(self) -> Agency:
        """The account's agency; an account without one is its own (its id, its name, its contact's e-mail)."""
        if self.agency_id:
            return Agency(self.agency_id, self.agency_name, self.agency_email)
        return Agency(self.account_id, self.name, self.contact_email)


#: The account's own fields that ``account_info`` shows and the operator sets (``loyalty-api account set``), each
#: free text (``biz_online``, a flag, apart).
ACCOUNT_DETAIL_FIELDS: Final = (
    "biz_address1",
    "biz_address2",
    "biz_city",
    "biz_state",
    "biz_zip",
    "biz_country",
    "biz_locations",
    "biz_employees",
    "industry",
    "contact_first_name",
    "contact_last_name",
    "contact_email",
    "contact_phone",
    "client_email",
    "language",
)


@dataclass(frozen=True, slots=True)
class AccountDetails:
    """An account as ``account_info`` shows it: the record, its detail fields (``ACCOUNT_DETAIL_FIELDS``), whether it
    sells online, and when it was created."""

    account: Account
    details: dict[str, str]
    biz_online: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: a user of one account, with a role and the campaigns it may see."""

    account: Account
    user_pk: int
    user_name: str
    role: Role
    allowed_campaigns: frozenset[str] | None  # None: every campaign of the account
    is_owner: bool = False

    def can_see(self, campaign_id: str) -> bool:
        return self.allowed_campaigns is None or campaign_id in self.allowed_campaigns


@dataclass(frozen=True, slots=True)
class User:
    """A user of an account as the operator sees it: never its key (only a digest is stored, and it is not here)."""

    pk: int
    account_pk: int
    user_name: str
    role: Role
    allowed_campaigns: frozenset[str] | None  # None: every campaign of the account
    disabled: bool
    created_at: datetime
    is_owner: bool = False  # the account's owner: user_id the account id, an administrator who always stays
    first_name: str = ""
    last_name: str = ""
    custom1: str = ""  # user_custom1, answered as user_addtl_info (the legacy "Location")
    language: str = ""
    timezone: str = ""  # an IANA name, or empty
    has_pin: bool = False  # whether a user_PIN is set (only its digest is stored, and it is not here)


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


@dataclass(frozen=True, slots=True)
class Reward:
    """A reward of a points or events campaign: ``level`` points (or events) buy ``description``."""

    pk: int  # the reward's <id>, unique in the store and never reused
    campaign_pk: int
    level: int
    description: str
    identifier: str | None  # the optional SKU, shown to clients as <reward_id>
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ArchiveCounts:
    """How many rows moved with a campaign into the archive (or back out of it)."""

    rewards: int
    ledger_entries: int


@dataclass(frozen=True, slots=True)
class RestoredCampaign:
    campaign: Campaign
    counts: ArchiveCounts


# Search operators of the list calls (the jqGrid set legacy clients send): equal, not equal, begins with, does not
# begin with, ends with, does not end with, contains, does not contain, in a comma list, not in a comma list.
SEARCH_OPERATORS: Final = ("eq", "ne", "bw", "bn", "ew", "en", "cn", "nc", "in", "ni")


@dataclass(frozen=True, slots=True)
class Match:
    """A search condition on one column of a list query.

    ``column`` is a text column (``campaign_id``, ``name``, ``description``, ``created_stamp``: the creation time
    as ``YYYY-MM-DD HH:MM:SS`` UTC) or a number column (``points_ratio``, ``reward_ratio``, ``amount_per_event``).
    Text compares case-insensitively, a missing value counting as empty text.  On a number column, ``eq``, ``ne``,
    ``in`` and ``ni`` compare numerically (``values`` are then plain decimal numbers, and a missing value equals
    nothing) and the other operators compare the stored decimal text.  ``in``/``ni`` take several values, the
    others exactly one.
    """

    column: str
    op: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CampaignQuery:
    """Which campaigns of an account a list call wants, in which order, and which page of them."""

    active: bool
    campaign_ids: frozenset[str] | None = None  # only these (the caller's allowed campaigns); None: any
    types: frozenset[str] | None = None  # only these types; None: any
    flags: tuple[tuple[str, bool], ...] = ()  # (coalition_opt_out | two_tier_opt_out, required value)
    match: Match | None = None
    sort: str | None = None  # a Match column, type, coalition_opt_out or two_tier_opt_out; None: creation time
    descending: bool = False
    offset: int = 0
    limit: int | None = None  # None: every campaign from offset on


@dataclass(frozen=True, slots=True)
class CampaignPage:
    campaigns: list[Campaign]
    total: int  # campaigns matching the query, whatever the page


# --- customers (docs/customers.md) ---------------------------------------------------------------------------

# The numbered custom fields every customer has a column of.
NUMBERED_CUSTOM_FIELDS: Final = tuple(f"custom_field_{n}" for n in range(1, 21))
# Profile text fields stored as '' when empty.
CUSTOMER_TEXT_FIELDS: Final = (
    "first_name",
    "last_name",
    "phone",
    "email",
    "street1",
    "street2",
    "city",
    "state",
    "postal_code",
    "country",
    "custom_field",
    *NUMBERED_CUSTOM_FIELDS,
)
# Profile fields stored as NULL when empty: card_number and customer_username are unique in the account when set.
CUSTOMER_NULLABLE_FIELDS: Final = ("card_number", "custom_date", "customer_username")
# Every profile field a client may set, search and read back (not the code, not the secrets).
CUSTOMER_PROFILE_FIELDS: Final = (*CUSTOMER_NULLABLE_FIELDS, *CUSTOMER_TEXT_FIELDS)
# Columns of the customers table a write may set.
CUSTOMER_WRITABLE_COLUMNS: Final = frozenset(
    {"code", *CUSTOMER_PROFILE_FIELDS, "password_hash", "pin_hash", "registered"}
)


@dataclass(frozen=True, slots=True)
class Customer:
    """A customer of one account.  ``profile`` maps every field of ``CUSTOMER_PROFILE_FIELDS`` to its text ('' when
    empty).  The secrets are argon2id hashes (None when unset); they are never shown anywhere."""

    pk: int
    account_pk: int
    code: str
    profile: dict[str, str]
    registered: bool
    created_at: datetime
    password_hash: str | None = field(default=None, repr=False)
    pin_hash: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Membership:
    """A campaign a customer belongs to (has ledger entries in), with the sums of those entries."""

    campaign: Campaign
    balance_cents: int
    cumulative_cents: int  # the sum of the positive entries
    first_at: datetime
    last_at: datetime


# How a customer search criterion compares: a case-insensitive substring, the whole value ignoring case, or exactly.
CUSTOMER_MATCH_MODES: Final = ("contains", "insensitive", "sensitive")


@dataclass(frozen=True, slots=True)
class CustomerMatch:
    column: str  # code or a CUSTOMER_PROFILE_FIELDS name
    mode: str  # one of CUSTOMER_MATCH_MODES
    value: str


@dataclass(frozen=True, slots=True)
class CustomerQuery:
    """Customers of an account matching every criterion and, when ``any_words`` is given, at least one of its
    groups (each word of the group a case-insensitive substring of some searchable field); oldest first."""

    criteria: tuple[CustomerMatch, ...] = ()
    any_words: tuple[tuple[str, ...], ...] | None = None
    offset: int = 0
    limit: int | None = None


@dataclass(frozen=True, slots=True)
class CustomerPage:
    customers: list[Customer]
    total: int


@dataclass(frozen=True, slots=True)
class RestoredCustomer:
    customer: Customer
    ledger_entries: int


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """The answer kept for an idempotency key: the request's fingerprint and the exact response sent
    (``docs/ledger.md``, Idempotency)."""

    fingerprint: str
    status: int
    content_type: str
    body: bytes


# --- custom field definitions (docs/customers.md, manage_fields) -----------------------------------------------

#: What a definition describes: customers' custom_field_N, transactions' custom_field_N (record_activity, redeem),
#: rewards' reward_custom_field_N.
FIELD_KINDS: Final = ("customer", "transaction", "reward")
#: Text (free), Date, List (several of the choices), Pick (one of the choices).
FIELD_TYPES: Final = ("Text", "Date", "List", "Pick")
#: Customers' custom fields 1 to FIELD_COLUMNS are columns of the customers table; those above are rows of
#: customer_field_values, and exist only while a definition names them.
FIELD_COLUMNS: Final = 20


@dataclass(frozen=True, slots=True)
class FieldDefinition:
    """One custom field of an account: ``number`` N of ``custom_field_N`` (``reward_custom_field_N`` for rewards)."""

    kind: str  # one of FIELD_KINDS
    number: int
    label: str
    show: bool
    type: str  # one of FIELD_TYPES
    choices: tuple[str, ...] = ()  # List and Pick only
    searchable: bool = False
    unique: bool = False
