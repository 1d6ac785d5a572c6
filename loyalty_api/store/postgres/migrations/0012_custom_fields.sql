-- Custom field definitions (docs/customers.md, manage_fields; docs/ledger.md, transaction_fields; docs/campaigns.md,
-- manage_reward_fields): per account and kind, the field's number N (custom_field_N, reward_custom_field_N), its
-- label, whether it is shown, its type, the choices of a List or Pick field (a JSON array of texts, kept as text like
-- the ledger's custom fields), and whether it is searchable and unique.
CREATE TABLE custom_fields (
    pk         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_pk bigint NOT NULL REFERENCES accounts (pk),
    kind       text NOT NULL CHECK (kind IN ('customer', 'transaction', 'reward')),
    number     integer NOT NULL CHECK (number >= 1),
    label      text NOT NULL,
    show       boolean NOT NULL DEFAULT false,
    type       text NOT NULL CHECK (type IN ('Text', 'Date', 'List', 'Pick')),
    choices    text NOT NULL DEFAULT '[]',
    searchable boolean NOT NULL DEFAULT false,
    is_unique  boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    UNIQUE (account_pk, kind, number)
);

-- The values of customers' custom fields numbered above 20 (1 to 20 are columns of customers).  No foreign key: a
-- deleted customer's values stay here under their id, which no other customer is ever given, and are theirs again
-- when `loyalty-api customer restore` brings them back; every read starts from a live customer.
CREATE TABLE customer_field_values (
    customer_pk bigint NOT NULL,
    account_pk  bigint NOT NULL,
    number      integer NOT NULL,
    value       text NOT NULL,
    PRIMARY KEY (customer_pk, number)
);
CREATE INDEX customer_field_values_by_field ON customer_field_values (account_pk, number);
