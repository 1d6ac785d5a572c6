-- The schema of sqlite/migrations/0001_initial.sql in PostgreSQL types: bigint identity keys,
-- booleans, timestamptz, NUMERIC (exact, unconstrained: the value keeps the scale it was given)
-- for decimal settings, bigint hundredths for ledger amounts, jsonb for the audit's changes.
CREATE TABLE accounts (
    pk           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id   text NOT NULL UNIQUE,
    name         text NOT NULL,
    currency     text NOT NULL DEFAULT 'USD',
    in_coalition boolean NOT NULL DEFAULT false,
    in_two_tier  boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL
);

CREATE TABLE users (
    pk                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_pk        bigint NOT NULL REFERENCES accounts (pk),
    user_name         text NOT NULL,
    role              text NOT NULL CHECK (role IN ('A', 'M', 'K')),
    allowed_campaigns text,              -- NULL: all campaigns; else a comma list of campaign ids
    key_digest        text NOT NULL,
    first_name        text NOT NULL DEFAULT '',
    last_name         text NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL,
    UNIQUE (account_pk, user_name)
);

CREATE TABLE campaigns (
    pk                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_pk        bigint NOT NULL REFERENCES accounts (pk),
    campaign_id       text NOT NULL,
    type              text NOT NULL CHECK (type IN ('points', 'giftcard', 'events', 'earned', 'buyx')),
    name              text NOT NULL,
    description       text,
    points_ratio      numeric,
    reward_ratio      numeric,
    amount_per_event  numeric,
    latitude          numeric,
    longitude         numeric,
    coalition_opt_out boolean NOT NULL DEFAULT false,
    two_tier_opt_out  boolean NOT NULL DEFAULT false,
    active            boolean NOT NULL DEFAULT true,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    UNIQUE (account_pk, campaign_id)
);
CREATE INDEX campaigns_by_id ON campaigns (campaign_id);

CREATE TABLE customers (
    pk          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_pk  bigint NOT NULL REFERENCES accounts (pk),
    code        text NOT NULL,
    card_number text,
    first_name  text NOT NULL DEFAULT '',
    last_name   text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    UNIQUE (account_pk, code)
);

CREATE TABLE ledger (
    pk              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_pk      bigint NOT NULL REFERENCES accounts (pk),
    campaign_pk     bigint NOT NULL REFERENCES campaigns (pk),
    customer_pk     bigint NOT NULL REFERENCES customers (pk),
    at              timestamptz NOT NULL,
    user_name       text NOT NULL,
    amount_cents    bigint NOT NULL,       -- hundredths of the campaign's unit
    purchase_cents  bigint,                -- hundredths of money spent (points sales)
    "authorization" text NOT NULL DEFAULT '',  -- quoted: a reserved word in PostgreSQL
    service_product text NOT NULL DEFAULT '',
    redeemed        boolean NOT NULL DEFAULT false,
    reverses_pk     bigint REFERENCES ledger (pk)
);
CREATE INDEX ledger_by_campaign ON ledger (campaign_pk, customer_pk);

-- The audit is append-only; its identity orders the records.  Writers of one campaign hold the
-- campaign row's lock (SELECT ... FOR UPDATE) when they insert, so within a campaign the order of
-- pk is the order of commits.
CREATE TABLE audit (
    pk          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL,
    account_pk  bigint NOT NULL REFERENCES accounts (pk),
    user_name   text NOT NULL,
    entity      text NOT NULL,
    entity_id   text NOT NULL,
    campaign_id text,
    action      text NOT NULL,
    changes     jsonb NOT NULL             -- array of {"field", "old", "new"}
);
CREATE INDEX audit_by_campaign ON audit (account_pk, campaign_id, pk);
