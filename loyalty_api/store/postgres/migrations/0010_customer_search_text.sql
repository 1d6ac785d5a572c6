-- customer_find looks for each word in all of a customer's searchable fields at once.  Folding every field of
-- every customer for each word made a search of 20 words cost 20 folds of the whole row per customer.  The fields'
-- folded text is now kept in search_text, a stored generated column (the counterpart of SQLite's triggers), so a
-- search tests each word with strpos() alone.
ALTER TABLE customers ADD COLUMN search_text text NOT NULL GENERATED ALWAYS AS (lower(
    code || ' ' || coalesce(card_number, '') || ' ' || coalesce(customer_username, '') || ' '
        || first_name || ' ' || last_name || ' ' || phone || ' ' || email || ' ' || street1 || ' '
        || street2 || ' ' || city || ' ' || state || ' ' || postal_code || ' ' || country || ' '
        || custom_field || ' ' || custom_field_1 || ' ' || custom_field_2 || ' ' || custom_field_3 || ' '
        || custom_field_4 || ' ' || custom_field_5 || ' ' || custom_field_6 || ' ' || custom_field_7 || ' '
        || custom_field_8 || ' ' || custom_field_9 || ' ' || custom_field_10 || ' ' || custom_field_11 || ' '
        || custom_field_12 || ' ' || custom_field_13 || ' ' || custom_field_14 || ' ' || custom_field_15 || ' '
        || custom_field_16 || ' ' || custom_field_17 || ' ' || custom_field_18 || ' ' || custom_field_19 || ' '
        || custom_field_20
)) STORED;
