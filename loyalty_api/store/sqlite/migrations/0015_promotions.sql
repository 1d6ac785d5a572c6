-- Promotions of points campaigns (docs/value-over-time.md): "x" multiplies the points a sale earns by amount, "+"
-- adds amount to them, between start_date and end_date (the account's wall-clock time, "YYYY-MM-DD HH:MM:SS"; NULL: no
-- bound).  A deleted promotion stays here, archived (archived_at, archived_by), so the sales that used it keep it.
-- No foreign key to campaigns: a deleted campaign moves to the archive with its pk and comes back with it, and
-- its promotions stay here meanwhile, unseen.  AUTOINCREMENT: a promotion's id is never given again.
CREATE TABLE promotions (
    pk          INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_pk INTEGER NOT NULL,
    operation   TEXT NOT NULL CHECK (operation IN ('x', '+')),
    amount      TEXT NOT NULL,
    description TEXT NOT NULL,
    custom_id   TEXT,
    start_date    TEXT,
    end_date      TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    archived_at TEXT,
    archived_by TEXT
);
CREATE INDEX promotions_by_campaign ON promotions (campaign_pk, pk);

-- The promotion a sale applied (its points are in amount_cents already): kept by the entry, and by the archive.
ALTER TABLE ledger ADD COLUMN promo_pk INTEGER;
ALTER TABLE ledger_archive ADD COLUMN promo_pk INTEGER;
