-- What user_new and user_update keep of a user besides its key (docs/accounts.md, "Users over the API"): the
-- location text (user_custom1), language and time zone, and the digest of its PIN (never the PIN; unique among the
-- account's live users).  The archive keeps them too, so a removed user moves there whole.
ALTER TABLE users ADD COLUMN custom1 TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN timezone TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN pin_digest TEXT;
ALTER TABLE users_archive ADD COLUMN custom1 TEXT NOT NULL DEFAULT '';
ALTER TABLE users_archive ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE users_archive ADD COLUMN timezone TEXT NOT NULL DEFAULT '';
ALTER TABLE users_archive ADD COLUMN pin_digest TEXT;
CREATE UNIQUE INDEX users_pin ON users (account_pk, pin_digest) WHERE pin_digest IS NOT NULL;
