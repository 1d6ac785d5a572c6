-- The answers of requests sent with an idempotency key (docs/ledger.md#idempotency): one row per (account, user,
-- key), written in the same transaction as the call's changes, holding the exact bytes that were answered.  A row
-- older than the keep time (LOYALTY_IDEMPOTENCY_HOURS) counts as absent and is purged now and then.
CREATE TABLE idempotency_keys (
    account_pk   INTEGER NOT NULL,
    user_name    TEXT NOT NULL,
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    status       INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    body         BLOB NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (account_pk, user_name, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_by_created_at ON idempotency_keys (created_at);
