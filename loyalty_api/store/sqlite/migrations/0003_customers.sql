-- Customers (docs/customers.md): the profile fields, secrets as argon2id hashes, the archive deleted
-- customers move to, the failed password checks of the lockout window, and an audit index per entity.

ALTER TABLE customers ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN street1 TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN street2 TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN city TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN state TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN postal_code TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN country TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_1 TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_2 TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_3 TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_4 TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_5 TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_6 TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_7 TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_8 TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_9 TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_10 TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_11 TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_12 TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_13 TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_14 TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_15 TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_16 TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_17 TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_18 TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_19 TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_20 TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_date TEXT;                 -- YYYY-MM-DD
ALTER TABLE customers ADD COLUMN customer_username TEXT;
ALTER TABLE customers ADD COLUMN password_hash TEXT;               -- argon2id, never shown
ALTER TABLE customers ADD COLUMN pin_hash TEXT;                    -- argon2id, never shown
ALTER TABLE customers ADD COLUMN registered INTEGER NOT NULL DEFAULT 0;
-- NULL (no card number, no username) is never equal to another NULL: many customers may have none.
CREATE UNIQUE INDEX customers_by_card_number ON customers (account_pk, card_number);
CREATE UNIQUE INDEX customers_by_username ON customers (account_pk, customer_username);
CREATE INDEX customers_by_created ON customers (account_pk, created_at, pk);

-- Deleted customers, whole and with their ids; their ledger entries go to ledger_archive with
-- archived_with 'customer'.  No foreign keys, as in the other archive tables.
CREATE TABLE customers_archive (
    pk                INTEGER PRIMARY KEY,
    account_pk        INTEGER NOT NULL,
    code              TEXT NOT NULL,
    card_number       TEXT,
    first_name        TEXT NOT NULL,
    last_name         TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    phone             TEXT NOT NULL,
    email             TEXT NOT NULL,
    street1           TEXT NOT NULL,
    street2           TEXT NOT NULL,
    city              TEXT NOT NULL,
    state             TEXT NOT NULL,
    postal_code       TEXT NOT NULL,
    country           TEXT NOT NULL,
    custom_field      TEXT NOT NULL,
    custom_field_1    TEXT NOT NULL,
    custom_field_2    TEXT NOT NULL,
    custom_field_3    TEXT NOT NULL,
    custom_field_4    TEXT NOT NULL,
    custom_field_5    TEXT NOT NULL,
    custom_field_6    TEXT NOT NULL,
    custom_field_7    TEXT NOT NULL,
    custom_field_8    TEXT NOT NULL,
    custom_field_9    TEXT NOT NULL,
    custom_field_10   TEXT NOT NULL,
    custom_field_11   TEXT NOT NULL,
    custom_field_12   TEXT NOT NULL,
    custom_field_13   TEXT NOT NULL,
    custom_field_14   TEXT NOT NULL,
    custom_field_15   TEXT NOT NULL,
    custom_field_16   TEXT NOT NULL,
    custom_field_17   TEXT NOT NULL,
    custom_field_18   TEXT NOT NULL,
    custom_field_19   TEXT NOT NULL,
    custom_field_20   TEXT NOT NULL,
    custom_date       TEXT,
    customer_username TEXT,
    password_hash     TEXT,
    pin_hash          TEXT,
    registered        INTEGER NOT NULL,
    archived_at       TEXT NOT NULL,
    archived_by       TEXT NOT NULL
);
CREATE INDEX customers_archive_by_code ON customers_archive (account_pk, code);
CREATE INDEX ledger_archive_by_customer ON ledger_archive (customer_pk);
CREATE INDEX ledger_by_customer ON ledger (customer_pk);

-- One row per failed (or still running) customer password check; the lockout counts those of the last
-- 15 minutes per subject (a customer, or an identifier that names no customer).  A success deletes them.
CREATE TABLE customer_login_failures (
    pk         INTEGER PRIMARY KEY,
    account_pk INTEGER NOT NULL,
    subject    TEXT NOT NULL,
    at         TEXT NOT NULL
);
CREATE INDEX customer_login_failures_by_subject ON customer_login_failures (account_pk, subject, at);

CREATE INDEX audit_by_entity ON audit (account_pk, entity, entity_id, pk);
