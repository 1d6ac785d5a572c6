-- Accounts, users, campaigns, customers (minimal until the customers work), ledger, audit.
-- Decimal settings are TEXT (exact); ledger amounts are INTEGER hundredths (exact sums).
CREATE TABLE accounts (
    pk           INTEGER PRIMARY KEY,
    account_id   TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    currency     TEXT NOT NULL DEFAULT 'USD',
    in_coalition INTEGER NOT NULL DEFAULT 0 CHECK (in_coalition IN (0, 1)),
    in_two_tier  INTEGER NOT NULL DEFAULT 0 CHECK (in_two_tier IN (0, 1)),
    created_at   TEXT NOT NULL
);

CREATE TABLE users (
    pk                INTEGER PRIMARY KEY,
    account_pk        INTEGER NOT NULL REFERENCES accounts (pk),
    user_name         TEXT NOT NULL,
    role              TEXT NOT NULL CHECK (role IN ('A', 'M', 'K')),
    allowed_campaigns TEXT,              -- NULL: all campaigns; else a comma list of campaign ids
    key_digest        TEXT NOT NULL,
    first_name        TEXT NOT NULL DEFAULT '',
    last_name         TEXT NOT NULL DEFAULT '',
    created_at        TEXT NOT NULL,
    UNIQUE (account_pk, user_name)
);

CREATE TABLE campaigns (
    pk                INTEGER PRIMARY KEY,
    account_pk        INTEGER NOT NULL REFERENCES accounts (pk),
    campaign_id       TEXT NOT NULL,
    type              TEXT NOT NULL CHECK (type IN ('points', 'giftcard', 'events', 'earned', 'buyx')),
    name              TEXT NOT NULL,
    description       TEXT,
    points_ratio      TEXT,
    reward_ratio      TEXT,
    amount_per_event  TEXT,
    latitude          TEXT,
    longitude         TEXT,
    coalition_opt_out INTEGER NOT NULL DEFAULT 0 CHECK (coalition_opt_out IN (0, 1)),
    two_tier_opt_out  INTEGER NOT NULL DEFAULT 0 CHECK (two_tier_opt_out IN (0, 1)),
    active            INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    UNIQUE (account_pk, campaign_id)
);
CREATE INDEX campaigns_by_id ON campaigns (campaign_id);

CREATE TABLE customers (
    pk          INTEGER PRIMARY KEY,
    account_pk  INTEGER NOT NULL REFERENCES accounts (pk),
    code        TEXT NOT NULL,
    card_number TEXT,
    first_name  TEXT NOT NULL DEFAULT '',
    last_name   TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    UNIQUE (account_pk, code)
);

CREATE TABLE ledger (
    pk              INTEGER PRIMARY KEY,
    account_pk      INTEGER NOT NULL REFERENCES accounts (pk),
    campaign_pk     INTEGER NOT NULL REFERENCES campaigns (pk),
    customer_pk     INTEGER NOT NULL REFERENCES customers (pk),
    at              TEXT NOT NULL,
    user_name       TEXT NOT NULL,
    amount_cents    INTEGER NOT NULL,      -- hundredths of the campaign's unit
    purchase_cents  INTEGER,               -- hundredths of money spent (points sales)
    authorization   TEXT NOT NULL DEFAULT '',
    service_product TEXT NOT NULL DEFAULT '',
    redeemed        INTEGER NOT NULL DEFAULT 0 CHECK (redeemed IN (0, 1)),
    reverses_pk     INTEGER REFERENCES ledger (pk)
);
CREATE INDEX ledger_by_campaign ON ledger (campaign_pk, customer_pk);

CREATE TABLE audit (
    pk          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    account_pk  INTEGER NOT NULL REFERENCES accounts (pk),
    user_name   TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    campaign_id TEXT,
    action      TEXT NOT NULL,
    changes     TEXT NOT NULL              -- JSON array of {"field", "old", "new"}
);
CREATE INDEX audit_by_campaign ON audit (account_pk, campaign_id, pk);
