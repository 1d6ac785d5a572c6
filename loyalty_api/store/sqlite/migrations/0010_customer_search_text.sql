-- customer_find looks for each word in all of a customer's searchable fields at once.  Folding every field of
-- every customer for each word made a search of 20 words over 10,000 customers take seconds, calling the Python
-- fold function (unicode_lower) per row and per word, in competition with the event loop.  The fields' folded text is
-- now kept in search_text, written by these triggers whenever a customer is created or one of those fields changes,
-- so a search tests each word with instr() alone.  The triggers call unicode_lower, which every connection of the
-- store registers (store/sqlite/store.py).
ALTER TABLE customers ADD COLUMN search_text TEXT NOT NULL DEFAULT '';

UPDATE customers SET search_text = unicode_lower(
    code || ' ' || coalesce(card_number, '') || ' ' || coalesce(customer_username, '') || ' '
        || first_name || ' ' || last_name || ' ' || phone || ' ' || email || ' ' || street1 || ' '
        || street2 || ' ' || city || ' ' || state || ' ' || postal_code || ' ' || country || ' '
        || custom_field || ' ' || custom_field_1 || ' ' || custom_field_2 || ' ' || custom_field_3 || ' '
        || custom_field_4 || ' ' || custom_field_5 || ' ' || custom_field_6 || ' ' || custom_field_7 || ' '
        || custom_field_8 || ' ' || custom_field_9 || ' ' || custom_field_10 || ' ' || custom_field_11 || ' '
        || custom_field_12 || ' ' || custom_field_13 || ' ' || custom_field_14 || ' ' || custom_field_15 || ' '
        || custom_field_16 || ' ' || custom_field_17 || ' ' || custom_field_18 || ' ' || custom_field_19 || ' '
        || custom_field_20
);

CREATE TRIGGER customers_search_text_new AFTER INSERT ON customers BEGIN
    UPDATE customers SET search_text = unicode_lower(
    NEW.code || ' ' || coalesce(NEW.card_number, '') || ' ' || coalesce(NEW.customer_username, '') || ' '
        || NEW.first_name || ' ' || NEW.last_name || ' ' || NEW.phone || ' ' || NEW.email || ' '
        || NEW.street1 || ' ' || NEW.street2 || ' ' || NEW.city || ' ' || NEW.state || ' '
        || NEW.postal_code || ' ' || NEW.country || ' ' || NEW.custom_field || ' ' || NEW.custom_field_1 || ' '
        || NEW.custom_field_2 || ' ' || NEW.custom_field_3 || ' ' || NEW.custom_field_4 || ' '
        || NEW.custom_field_5 || ' ' || NEW.custom_field_6 || ' ' || NEW.custom_field_7 || ' '
        || NEW.custom_field_8 || ' ' || NEW.custom_field_9 || ' ' || NEW.custom_field_10 || ' '
        || NEW.custom_field_11 || ' ' || NEW.custom_field_12 || ' ' || NEW.custom_field_13 || ' '
        || NEW.custom_field_14 || ' ' || NEW.custom_field_15 || ' ' || NEW.custom_field_16 || ' '
        || NEW.custom_field_17 || ' ' || NEW.custom_field_18 || ' ' || NEW.custom_field_19 || ' '
        || NEW.custom_field_20
) WHERE pk = NEW.pk;
END;

CREATE TRIGGER customers_search_text_changed
AFTER UPDATE OF code, card_number, customer_username, first_name, last_name, phone, email, street1, street2, city, state, postal_code, country, custom_field, custom_field_1, custom_field_2, custom_field_3, custom_field_4, custom_field_5, custom_field_6, custom_field_7, custom_field_8, custom_field_9, custom_field_10, custom_field_11, custom_field_12, custom_field_13, custom_field_14, custom_field_15, custom_field_16, custom_field_17, custom_field_18, custom_field_19, custom_field_20 ON customers BEGIN
    UPDATE customers SET search_text = unicode_lower(
    NEW.code || ' ' || coalesce(NEW.card_number, '') || ' ' || coalesce(NEW.customer_username, '') || ' '
        || NEW.first_name || ' ' || NEW.last_name || ' ' || NEW.phone || ' ' || NEW.email || ' '
        || NEW.street1 || ' ' || NEW.street2 || ' ' || NEW.city || ' ' || NEW.state || ' '
        || NEW.postal_code || ' ' || NEW.country || ' ' || NEW.custom_field || ' ' || NEW.custom_field_1 || ' '
        || NEW.custom_field_2 || ' ' || NEW.custom_field_3 || ' ' || NEW.custom_field_4 || ' '
        || NEW.custom_field_5 || ' ' || NEW.custom_field_6 || ' ' || NEW.custom_field_7 || ' '
        || NEW.custom_field_8 || ' ' || NEW.custom_field_9 || ' ' || NEW.custom_field_10 || ' '
        || NEW.custom_field_11 || ' ' || NEW.custom_field_12 || ' ' || NEW.custom_field_13 || ' '
        || NEW.custom_field_14 || ' ' || NEW.custom_field_15 || ' ' || NEW.custom_field_16 || ' '
        || NEW.custom_field_17 || ' ' || NEW.custom_field_18 || ' ' || NEW.custom_field_19 || ' '
        || NEW.custom_field_20
) WHERE pk = NEW.pk;
END;
