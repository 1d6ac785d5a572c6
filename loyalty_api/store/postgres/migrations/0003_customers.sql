-- Customers (docs/customers.md): the profile fields, secrets as argon2id hashes, the archive deleted
-- customers move to, the failed password checks of the lockout window, and an audit index per entity.

ALTER TABLE customers ADD COLUMN phone text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN email text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN street1 text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN street2 text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN city text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN state text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN postal_code text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN country text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_1 text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_2 text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_3 text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_4 text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_5 text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_6 text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_7 text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_8 text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_9 text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_10 text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_11 text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_12 text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_13 text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_14 text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_15 text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_16 text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_17 text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_18 text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_19 text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_field_20 text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN custom_date text;                 -- YYYY-MM-DD
ALTER TABLE customers ADD COLUMN customer_username text;
ALTER TABLE customers ADD COLUMN password_hash text;               -- argon2id, never shown
ALTER TABLE customers ADD COLUMN pin_hash text;                    -- argon2id, never shown
ALTER TABLE customers ADD COLUMN registered boolean NOT NULL DEFAULT false;
-- NULL (no card number, no username) is never equal to another NULL: many customers may have none.
CREATE UNIQUE INDEX customers_by_card_number ON customers (account_pk, card_number);
CREATE UNIQUE INDEX customers_by_username ON customers (account_pk, customer_username);
CREATE INDEX customers_by_created ON customers (account_pk, created_at, pk);

-- Deleted customers, whole and with their ids; their ledger entries go to ledger_archive with
-- archived_with 'customer'.  No foreign keys, as in the other archive tables.
CREATE TABLE customers_archive (
    pk                bigint PRIMARY KEY,
    account_pk        bigint NOT NULL,
    code              text NOT NULL,
    card_number       text,
    first_name        text NOT NULL,
    last_name         text NOT NULL,
    created_at        timestamptz NOT NULL,
    phone             text NOT NULL,
    email             text NOT NULL,
    street1           text NOT NULL,
    street2           text NOT NULL,
    city              text NOT NULL,
    state             text NOT NULL,
    postal_code       text NOT NULL,
    country           text NOT NULL,
    custom_field      text NOT NULL,
    custom_field_1    text NOT NULL,
    custom_field_2    text NOT NULL,
    custom_field_3    text NOT NULL,
    custom_field_4    text NOT NULL,
    custom_field_5    text NOT NULL,
    custom_field_6    text NOT NULL,
    custom_field_7    text NOT NULL,
    custom_field_8    text NOT NULL,
    custom_field_9    text NOT NULL,
    custom_field_10   text NOT NULL,
    custom_field_11   text NOT NULL,
    custom_field_12   text NOT NULL,
    custom_field_13   text NOT NULL,
    custom_field_14   text NOT NULL,
    custom_field_15   text NOT NULL,
    custom_field_16   text NOT NULL,
    custom_field_17   text NOT NULL,
    custom_field_18   text NOT NULL,
    custom_field_19   text NOT NULL,
    custom_field_20   text NOT NULL,
    custom_date       text,
    customer_username text,
    password_hash     text,
    pin_hash          text,
    registered        boolean NOT NULL,
    archived_at       timestamptz NOT NULL,
    archived_by       text NOT NULL
);
CREATE INDEX customers_archive_by_code ON customers_archive (account_pk, code);
CREATE INDEX ledger_archive_by_customer ON ledger_archive (customer_pk);
CREATE INDEX ledger_by_customer ON ledger (customer_pk);

-- One row per failed (or still running) customer password check; the lockout counts those of the last
-- 15 minutes per subject (a customer, or an identifier that names no customer).  A success deletes them.
CREATE TABLE customer_login_failures (
    pk         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_pk bigint NOT NULL,
    subject    text NOT NULL,
    at         timestamptz NOT NULL
);
CREATE INDEX customer_login_failures_by_subject ON customer_login_failures (account_pk, subject, at);

CREATE INDEX audit_by_entity ON audit (account_pk, entity, entity_id, pk);
