-- Promotions of points campaigns (docs/value-over-time.md): "x" multiplies the points a sale earns by amount, "+"
-- adds amount to them, between start_date and end_date (the account's wall-clock time, "YYYY-MM-DD HH:MM:SS"; NULL: no
-- bound).  A deleted promotion stays here, archived (archived_at, archived_by), so the sales that used it keep it.
-- No foreign key to campaigns: a deleted campaign moves to the archive with its pk and comes back with it, and
-- its promotions stay here meanwhile, unseen.
CREATE TABLE promotions (
    pk          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_pk bigint NOT NULL,
    operation   text NOT NULL CHECK (operation IN ('x', '+')),
    amount      numeric NOT NULL,
    description text NOT NULL,
    custom_id   text,
    start_date    text,
    end_date      text,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    archived_at timestamptz,
    archived_by text
);
CREATE INDEX promotions_by_campaign ON promotions (campaign_pk, pk);

-- The promotion a sale applied (its points are in amount_cents already): kept by the entry, and by the archive.
-- record_sale (migration 0013) leaves it NULL; a sale with a promotion sets it in the same transaction.
ALTER TABLE ledger ADD COLUMN promo_pk bigint;
ALTER TABLE ledger_archive ADD COLUMN promo_pk bigint;
