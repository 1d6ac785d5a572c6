-- Rewards, and the archive that deleted campaigns, rewards and ledger entries move to (docs/campaigns.md);
-- the counterpart of sqlite/migrations/0002_rewards_and_archive.sql.
--
-- Ids are never reused: an identity column draws from a sequence that only goes up, so an id that went to the
-- archive is never handed to another row, and a restored row takes its own id back (OVERRIDING SYSTEM VALUE).
-- SQLite needed its tables rebuilt as AUTOINCREMENT for that; PostgreSQL needs nothing.

-- A reward of a points or events campaign; its pk is the reward <id> clients see.
CREATE TABLE rewards (
    pk          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_pk bigint NOT NULL REFERENCES campaigns (pk),
    level       bigint NOT NULL CHECK (level > 0),
    description text NOT NULL,
    identifier  text,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX rewards_by_campaign ON rewards (campaign_pk, level, pk);

-- The archive: rows moved out of the live tables, whole and with their ids, plus when, by whom, and with what
-- they were archived ('campaign': its campaign was deleted; 'reward': the reward alone was deleted).  No foreign
-- keys: an archived row may point at a live or an archived campaign.
CREATE TABLE campaigns_archive (
    pk                bigint PRIMARY KEY,
    account_pk        bigint NOT NULL,
    campaign_id       text NOT NULL,
    type              text NOT NULL,
    name              text NOT NULL,
    description       text,
    points_ratio      numeric,
    reward_ratio      numeric,
    amount_per_event  numeric,
    latitude          numeric,
    longitude         numeric,
    coalition_opt_out boolean NOT NULL,
    two_tier_opt_out  boolean NOT NULL,
    active            boolean NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    archived_at       timestamptz NOT NULL,
    archived_by       text NOT NULL
);
CREATE INDEX campaigns_archive_by_id ON campaigns_archive (campaign_id);

CREATE TABLE rewards_archive (
    pk            bigint PRIMARY KEY,
    campaign_pk   bigint NOT NULL,
    level         bigint NOT NULL,
    description   text NOT NULL,
    identifier    text,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    archived_at   timestamptz NOT NULL,
    archived_by   text NOT NULL,
    archived_with text NOT NULL CHECK (archived_with IN ('campaign', 'reward'))
);
CREATE INDEX rewards_archive_by_campaign ON rewards_archive (campaign_pk);

CREATE TABLE ledger_archive (
    pk              bigint PRIMARY KEY,
    account_pk      bigint NOT NULL,
    campaign_pk     bigint NOT NULL,
    customer_pk     bigint NOT NULL,
    at              timestamptz NOT NULL,
    user_name       text NOT NULL,
    amount_cents    bigint NOT NULL,
    purchase_cents  bigint,
    "authorization" text NOT NULL,
    service_product text NOT NULL,
    redeemed        boolean NOT NULL,
    reverses_pk     bigint,
    archived_at     timestamptz NOT NULL,
    archived_by     text NOT NULL,
    archived_with   text NOT NULL
);
CREATE INDEX ledger_archive_by_campaign ON ledger_archive (campaign_pk);
