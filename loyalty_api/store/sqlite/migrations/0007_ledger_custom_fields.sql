-- Transaction custom fields (docs/ledger.md): the non-blank custom_field_N values sent with record_activity or
-- redeem, as one JSON object {"custom_field_N": "text", ...}; NULL when none was sent.  The archive keeps them, so
-- an archived entry comes back whole.
ALTER TABLE ledger ADD COLUMN custom_fields TEXT;
ALTER TABLE ledger_archive ADD COLUMN custom_fields TEXT;
