-- Users an operator disabled (their key refused until enabled again), and the archive removed users move to,
-- whole and with their ids (docs/security.md, "Keys").
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1));

CREATE TABLE users_archive (
    pk                INTEGER PRIMARY KEY,
    account_pk        INTEGER NOT NULL,
    user_name         TEXT NOT NULL,
    role              TEXT NOT NULL,
    allowed_campaigns TEXT,
    key_digest        TEXT NOT NULL,
    first_name        TEXT NOT NULL,
    last_name         TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    disabled          INTEGER NOT NULL,
    archived_at       TEXT NOT NULL,
    archived_by       TEXT NOT NULL
);
CREATE INDEX users_archive_by_name ON users_archive (account_pk, user_name);
