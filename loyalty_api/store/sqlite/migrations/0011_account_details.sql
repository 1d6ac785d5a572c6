-- What account_info shows of an account (the legacy "Edit Account Information" fields), its language and time zone,
-- the agency its receipts name (blank: the account itself, docs/accounts.md), and whether its XML answers leave `&`
-- unescaped as the legacy server did (legacy_ampersand, docs/accounts.md).  Every account gets its owner: the user
-- whose user_id is the account id, an administrator of every campaign (an existing user of that name becomes it;
-- else one is created whose key matches nothing until `loyalty-api user rotate-key` gives it one).

ALTER TABLE accounts ADD COLUMN biz_address1 TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN biz_address2 TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN biz_city TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN biz_state TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN biz_zip TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN biz_country TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN biz_locations TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN biz_employees TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN industry TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN contact_first_name TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN contact_last_name TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN contact_email TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN contact_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN client_email TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN agency_id TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN agency_name TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN agency_email TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN biz_online INTEGER NOT NULL DEFAULT 0 CHECK (biz_online IN (0, 1));
ALTER TABLE accounts ADD COLUMN language TEXT NOT NULL DEFAULT 'EN';
ALTER TABLE accounts ADD COLUMN timezone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE accounts ADD COLUMN legacy_ampersand INTEGER NOT NULL DEFAULT 0 CHECK (legacy_ampersand IN (0, 1));

ALTER TABLE users ADD COLUMN is_owner INTEGER NOT NULL DEFAULT 0 CHECK (is_owner IN (0, 1));
ALTER TABLE users_archive ADD COLUMN is_owner INTEGER NOT NULL DEFAULT 0;
UPDATE users SET is_owner = 1, role = 'A', allowed_campaigns = NULL
WHERE user_name = (SELECT a.account_id FROM accounts a WHERE a.pk = users.account_pk);
INSERT INTO users (account_pk, user_name, role, allowed_campaigns, key_digest, created_at, is_owner)
SELECT a.pk, a.account_id, 'A', NULL, 'no key yet', a.created_at, 1 FROM accounts a
WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.account_pk = a.pk AND u.user_name = a.account_id);
CREATE UNIQUE INDEX users_one_owner ON users (account_pk) WHERE is_owner = 1;
