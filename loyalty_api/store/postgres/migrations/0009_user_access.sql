-- Users an operator disabled (their key refused until enabled again), and the archive removed users move to,
-- whole and with their ids (docs/security.md, "Keys").
ALTER TABLE users ADD COLUMN disabled boolean NOT NULL DEFAULT false;

CREATE TABLE users_archive (
    pk                bigint PRIMARY KEY,
    account_pk        bigint NOT NULL,
    user_name         text NOT NULL,
    role              text NOT NULL,
    allowed_campaigns text,
    key_digest        text NOT NULL,
    first_name        text NOT NULL,
    last_name         text NOT NULL,
    created_at        timestamptz NOT NULL,
    disabled          boolean NOT NULL,
    archived_at       timestamptz NOT NULL,
    archived_by       text NOT NULL
);
CREATE INDEX users_archive_by_name ON users_archive (account_pk, user_name);
