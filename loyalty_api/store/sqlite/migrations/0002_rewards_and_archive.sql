-- Rewards, and the archive that deleted campaigns, rewards and ledger entries move to (docs/campaigns.md).
--
-- Ids must never be reused, or an archived row could not come back with its own id: SQLite gives a new row
-- max(pk) + 1 unless the table is AUTOINCREMENT, so a campaign or ledger entry moved to the archive would
-- hand its id to the next row inserted.  `campaigns` and `ledger` are therefore rebuilt here as AUTOINCREMENT
-- tables (same columns, same rows, same ids, same indexes); `rewards` is AUTOINCREMENT from the start.
-- The new tables refer to each other (RENAME rewrites those references), so dropping the old ones violates
-- no foreign key; the old ones are dropped before the new ones take their names.

CREATE TABLE campaigns_new (
    pk                INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO campaigns_new (pk, account_pk, campaign_id, type, name, description, points_ratio, reward_ratio,
    amount_per_event, latitude, longitude, coalition_opt_out, two_tier_opt_out, active, created_at, updated_at)
SELECT pk, account_pk, campaign_id, type, name, description, points_ratio, reward_ratio,
    amount_per_event, latitude, longitude, coalition_opt_out, two_tier_opt_out, active, created_at, updated_at
FROM campaigns;

CREATE TABLE ledger_new (
    pk              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_pk      INTEGER NOT NULL REFERENCES accounts (pk),
    campaign_pk     INTEGER NOT NULL REFERENCES campaigns_new (pk),
    customer_pk     INTEGER NOT NULL REFERENCES customers (pk),
    at              TEXT NOT NULL,
    user_name       TEXT NOT NULL,
    amount_cents    INTEGER NOT NULL,      -- hundredths of the campaign's unit
    purchase_cents  INTEGER,               -- hundredths of money spent (points sales)
    authorization   TEXT NOT NULL DEFAULT '',
    service_product TEXT NOT NULL DEFAULT '',
    redeemed        INTEGER NOT NULL DEFAULT 0 CHECK (redeemed IN (0, 1)),
    reverses_pk     INTEGER REFERENCES ledger_new (pk)
);
INSERT INTO ledger_new (pk, account_pk, campaign_pk, customer_pk, at, user_name, amount_cents, purchase_cents,
    authorization, service_product, redeemed, reverses_pk)
SELECT pk, account_pk, campaign_pk, customer_pk, at, user_name, amount_cents, purchase_cents,
    authorization, service_product, redeemed, reverses_pk
FROM ledger;

DROP TABLE ledger;
DROP TABLE campaigns;
ALTER TABLE campaigns_new RENAME TO campaigns;
ALTER TABLE ledger_new RENAME TO ledger;
CREATE INDEX campaigns_by_id ON campaigns (campaign_id);
CREATE INDEX ledger_by_campaign ON ledger (campaign_pk, customer_pk);

-- A reward of a points or events campaign; its pk is the reward <id> clients see.
CREATE TABLE rewards (
    pk          INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_pk INTEGER NOT NULL REFERENCES campaigns (pk),
    level       INTEGER NOT NULL CHECK (level > 0),
    description TEXT NOT NULL,
    identifier  TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX rewards_by_campaign ON rewards (campaign_pk, level, pk);

-- The archive: rows moved out of the live tables, whole and with their ids, plus when, by whom, and with what
-- they were archived ('campaign': its campaign was deleted; 'reward': the reward alone was deleted).  No foreign
-- keys: an archived row may point at a live or an archived campaign.
CREATE TABLE campaigns_archive (
    pk                INTEGER PRIMARY KEY,
    account_pk        INTEGER NOT NULL,
    campaign_id       TEXT NOT NULL,
    type              TEXT NOT NULL,
    name              TEXT NOT NULL,
    description       TEXT,
    points_ratio      TEXT,
    reward_ratio      TEXT,
    amount_per_event  TEXT,
    latitude          TEXT,
    longitude         TEXT,
    coalition_opt_out INTEGER NOT NULL,
    two_tier_opt_out  INTEGER NOT NULL,
    active            INTEGER NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    archived_at       TEXT NOT NULL,
    archived_by       TEXT NOT NULL
);
CREATE INDEX campaigns_archive_by_id ON campaigns_archive (campaign_id);

CREATE TABLE rewards_archive (
    pk            INTEGER PRIMARY KEY,
    campaign_pk   INTEGER NOT NULL,
    level         INTEGER NOT NULL,
    description   TEXT NOT NULL,
    identifier    TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    archived_at   TEXT NOT NULL,
    archived_by   TEXT NOT NULL,
    archived_with TEXT NOT NULL CHECK (archived_with IN ('campaign', 'reward'))
);
CREATE INDEX rewards_archive_by_campaign ON rewards_archive (campaign_pk);

CREATE TABLE ledger_archive (
    pk              INTEGER PRIMARY KEY,
    account_pk      INTEGER NOT NULL,
    campaign_pk     INTEGER NOT NULL,
    customer_pk     INTEGER NOT NULL,
    at              TEXT NOT NULL,
    user_name       TEXT NOT NULL,
    amount_cents    INTEGER NOT NULL,
    purchase_cents  INTEGER,
    authorization   TEXT NOT NULL,
    service_product TEXT NOT NULL,
    redeemed        INTEGER NOT NULL,
    reverses_pk     INTEGER,
    archived_at     TEXT NOT NULL,
    archived_by     TEXT NOT NULL,
    archived_with   TEXT NOT NULL
);
CREATE INDEX ledger_archive_by_campaign ON ledger_archive (campaign_pk);
