-- Whether an entry has been reversed is asked for every entry a balance or a transaction list shows
-- (NOT EXISTS (... WHERE r.reverses_pk = l.pk)): without this index each of those questions scans the ledger.
CREATE INDEX ledger_by_reverses ON ledger (reverses_pk) WHERE reverses_pk IS NOT NULL;
