-- Receipts show more of their customer (phone, e-mail, street, date and the numbered custom fields) and, for
-- accounts in a coalition, the customer's cumulative balance in the coalition (docs/ledger.md, "Receipts"): the
-- record_sale function of migration 0008 answers them too, still in one round trip.  The coalition total is the
-- statement of store/sql/ledger.py's coalition_cumulative: the customer's cumulative balances in the account's
-- campaigns of one type that have not opted out, this sale included.
DROP FUNCTION record_sale(bigint, text, text, bigint, timestamptz, text, bigint, bigint, text, text, text, text);

CREATE FUNCTION record_sale(
    p_account_pk bigint,
    p_key text,             -- 'code', 'card_number' or 'customer_username'
    p_value text,
    p_campaign_pk bigint,
    p_at timestamptz,
    p_user_name text,
    p_amount bigint,
    p_purchase bigint,
    p_authorization text,
    p_service_product text,
    p_custom_fields text,
    p_lock_timeout text,    -- NULL, or the lock_timeout to set for the rest of the transaction after this sale
    p_coalition_type text   -- NULL, or the campaign type whose coalition total to answer (o_coalition_cumulative)
) RETURNS TABLE (
    o_customer_pk bigint,
    o_code text,
    o_card_number text,
    o_first_name text,
    o_last_name text,
    o_phone text,
    o_email text,
    o_street1 text,
    o_custom_date text,
    o_custom text[],        -- custom_field_1 .. custom_field_20
    o_entry_pk bigint,
    o_item_balance bigint,
    o_item_cumulative bigint,
    o_balance bigint,
    o_cumulative bigint,
    o_coalition_cumulative bigint
) LANGUAGE plpgsql AS $$
BEGIN
    IF p_key = 'code' THEN
        SELECT c.pk, c.code, c.card_number, c.first_name, c.last_name, c.phone, c.email, c.street1, c.custom_date,
               ARRAY[c.custom_field_1, c.custom_field_2, c.custom_field_3, c.custom_field_4, c.custom_field_5, c.custom_field_6,
                     c.custom_field_7, c.custom_field_8, c.custom_field_9, c.custom_field_10, c.custom_field_11, c.custom_field_12, c.custom_field_13,
                     c.custom_field_14, c.custom_field_15, c.custom_field_16, c.custom_field_17, c.custom_field_18, c.custom_field_19, c.custom_field_20]
          INTO o_customer_pk, o_code, o_card_number, o_first_name, o_last_name, o_phone, o_email, o_street1,
               o_custom_date, o_custom
          FROM customers c WHERE c.account_pk = p_account_pk AND c.code = p_value FOR UPDATE;
    ELSIF p_key = 'card_number' THEN
        SELECT c.pk, c.code, c.card_number, c.first_name, c.last_name, c.phone, c.email, c.street1, c.custom_date,
               ARRAY[c.custom_field_1, c.custom_field_2, c.custom_field_3, c.custom_field_4, c.custom_field_5, c.custom_field_6,
                     c.custom_field_7, c.custom_field_8, c.custom_field_9, c.custom_field_10, c.custom_field_11, c.custom_field_12, c.custom_field_13,
                     c.custom_field_14, c.custom_field_15, c.custom_field_16, c.custom_field_17, c.custom_field_18, c.custom_field_19, c.custom_field_20]
          INTO o_customer_pk, o_code, o_card_number, o_first_name, o_last_name, o_phone, o_email, o_street1,
               o_custom_date, o_custom
          FROM customers c WHERE c.account_pk = p_account_pk AND c.card_number = p_value FOR UPDATE;
    ELSIF p_key = 'customer_username' THEN
        SELECT c.pk, c.code, c.card_number, c.first_name, c.last_name, c.phone, c.email, c.street1, c.custom_date,
               ARRAY[c.custom_field_1, c.custom_field_2, c.custom_field_3, c.custom_field_4, c.custom_field_5, c.custom_field_6,
                     c.custom_field_7, c.custom_field_8, c.custom_field_9, c.custom_field_10, c.custom_field_11, c.custom_field_12, c.custom_field_13,
                     c.custom_field_14, c.custom_field_15, c.custom_field_16, c.custom_field_17, c.custom_field_18, c.custom_field_19, c.custom_field_20]
          INTO o_customer_pk, o_code, o_card_number, o_first_name, o_last_name, o_phone, o_email, o_street1,
               o_custom_date, o_custom
          FROM customers c WHERE c.account_pk = p_account_pk AND c.customer_username = p_value FOR UPDATE;
    ELSE
        RAISE EXCEPTION 'record_sale: not a customer key: %', p_key;
    END IF;
    IF o_customer_pk IS NULL THEN
        IF p_lock_timeout IS NOT NULL THEN
            PERFORM set_config('lock_timeout', p_lock_timeout, true);
        END IF;
        RETURN NEXT;  -- one row whatever happens (the writer sends many calls at once): all NULL
        RETURN;
    END IF;

    IF NOT EXISTS (SELECT 1 FROM ledger_balances b
                   WHERE b.campaign_pk = p_campaign_pk AND b.customer_pk = o_customer_pk) THEN
        PERFORM pg_advisory_xact_lock(
            hashtextextended('enrol' || chr(31) || p_campaign_pk::text || chr(31) || o_customer_pk::text, 11));
        IF NOT EXISTS (SELECT 1 FROM ledger l WHERE l.campaign_pk = p_campaign_pk AND l.customer_pk = o_customer_pk) THEN
            INSERT INTO ledger (account_pk, campaign_pk, customer_pk, at, user_name, amount_cents, "authorization",
                                service_product)
            VALUES (p_account_pk, p_campaign_pk, o_customer_pk, p_at, p_user_name, 0, 'Account Activated.',
                    'Activation');
            INSERT INTO ledger_balances AS lb (account_pk, campaign_pk, customer_pk, service_product, balance_cents,
                                               cumulative_cents)
            VALUES (p_account_pk, p_campaign_pk, o_customer_pk, 'Activation', 0, 0)
            ON CONFLICT (campaign_pk, customer_pk, service_product) DO NOTHING;
        END IF;
    END IF;

    INSERT INTO ledger (account_pk, campaign_pk, customer_pk, at, user_name, amount_cents, purchase_cents,
                        "authorization", service_product, redeemed, reverses_pk, custom_fields)
    VALUES (p_account_pk, p_campaign_pk, o_customer_pk, p_at, p_user_name, p_amount, p_purchase, p_authorization,
            p_service_product, false, NULL, p_custom_fields)
    RETURNING pk INTO o_entry_pk;

    INSERT INTO ledger_balances AS lb (account_pk, campaign_pk, customer_pk, service_product, balance_cents,
                                       cumulative_cents)
    VALUES (p_account_pk, p_campaign_pk, o_customer_pk, p_service_product, p_amount, greatest(p_amount, 0))
    ON CONFLICT (campaign_pk, customer_pk, service_product) DO UPDATE
        SET balance_cents = lb.balance_cents + excluded.balance_cents,
            cumulative_cents = lb.cumulative_cents + excluded.cumulative_cents
    RETURNING lb.balance_cents, lb.cumulative_cents INTO o_item_balance, o_item_cumulative;

    SELECT coalesce(sum(b.balance_cents), 0)::bigint, coalesce(sum(b.cumulative_cents), 0)::bigint
      INTO o_balance, o_cumulative
      FROM ledger_balances b WHERE b.campaign_pk = p_campaign_pk AND b.customer_pk = o_customer_pk;
    IF p_coalition_type IS NOT NULL THEN
        SELECT coalesce(sum(b.cumulative_cents), 0)::bigint INTO o_coalition_cumulative
          FROM ledger_balances b JOIN campaigns k ON k.pk = b.campaign_pk
         WHERE b.customer_pk = o_customer_pk AND k.account_pk = p_account_pk AND k.type = p_coalition_type
           AND NOT k.coalition_opt_out;
    END IF;
    IF p_lock_timeout IS NOT NULL THEN
        -- The group-commit writer's short lock waits from its batch's second job on (one round trip fewer than a
        -- SET LOCAL of its own; see store/postgres/_writer.py).  Set after the sale: the batch's first job may wait.
        PERFORM set_config('lock_timeout', p_lock_timeout, true);
    END IF;
    RETURN NEXT;
END
$$;
