-- Running balances (docs/ledger.md, "Running balances"): one row per (campaign, customer, service_product) of the
-- live ledger, holding the sum of those entries' amounts and their cumulative sum (positive entries that are not
-- reversals, plus the reversals of positive entries, which are negative).  service_product is exactly the
-- ledger's: '' for the entries of points, giftcard, events and earned campaigns, the item's pk for buyx entries,
-- 'Activation' for enrolment entries (amount 0, so a row of zeros).  Every append updates its row in the same
-- transaction; `loyalty-api db check` compares them with the ledger.
CREATE TABLE ledger_balances (
    account_pk       bigint NOT NULL REFERENCES accounts (pk),
    campaign_pk      bigint NOT NULL REFERENCES campaigns (pk),
    customer_pk      bigint NOT NULL REFERENCES customers (pk),
    service_product  text NOT NULL,
    balance_cents    bigint NOT NULL,
    cumulative_cents bigint NOT NULL,
    PRIMARY KEY (campaign_pk, customer_pk, service_product)
);
CREATE INDEX ledger_balances_by_customer ON ledger_balances (customer_pk);

-- The balances of the entries recorded before this migration (the rule of CUMULATIVE_SUM in store/sql/balances.py).
INSERT INTO ledger_balances (account_pk, campaign_pk, customer_pk, service_product, balance_cents, cumulative_cents)
SELECT min(l.account_pk), l.campaign_pk, l.customer_pk, l.service_product, sum(l.amount_cents),
       sum(CASE WHEN l.reverses_pk IS NULL AND l.amount_cents > 0 THEN l.amount_cents
                WHEN l.reverses_pk IS NOT NULL AND l.amount_cents < 0 THEN l.amount_cents ELSE 0 END)
FROM ledger l
GROUP BY l.campaign_pk, l.customer_pk, l.service_product;
