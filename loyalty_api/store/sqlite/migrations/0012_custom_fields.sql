-- Custom field definitions (docs/customers.md, manage_fields; docs/ledger.md, transaction_fields; docs/campaigns.md,
-- manage_reward_fields): per account and kind, the field's number N (custom_field_N, reward_custom_field_N), its
-- label, whether it is shown, its type, the choices of a List or Pick field (a JSON array of texts), and whether it
-- is searchable and unique.
CREATE TABLE custom_fields (
    pk         INTEGER PRIMARY KEY,
    account_pk INTEGER NOT NULL REFERENCES accounts (pk),
    kind       TEXT NOT NULL CHECK (kind IN ('customer', 'transaction', 'reward')),
    number     INTEGER NOT NULL CHECK (number >= 1),
    label      TEXT NOT NULL,
    show       INTEGER NOT NULL DEFAULT 0 CHECK (show IN (0, 1)),
    type       TEXT NOT NULL CHECK (type IN ('Text', 'Date', 'List', 'Pick')),
    choices    TEXT NOT NULL DEFAULT '[]',
    searchable INTEGER NOT NULL DEFAULT 0 CHECK (searchable IN (0, 1)),
    is_unique  INTEGER NOT NULL DEFAULT 0 CHECK (is_unique IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (account_pk, kind, number)
);

-- The values of customers' custom fields numbered above 20 (1 to 20 are columns of customers).  No foreign key: a
-- deleted customer's values stay here under their id, which no other customer is ever given, and are theirs again
-- when `loyalty-api customer restore` brings them back; every read starts from a live customer.
CREATE TABLE customer_field_values (
    customer_pk INTEGER NOT NULL,
    account_pk  INTEGER NOT NULL,
    number      INTEGER NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (customer_pk, number)
);
CREATE INDEX customer_field_values_by_field ON customer_field_values (account_pk, number);
