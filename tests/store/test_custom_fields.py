"""Custom field definitions (list, add, update, delete; per account and kind) and the values of customers' custom
fields numbered above the columns: set, cleared, read, searched, checked for uniqueness, kept through the archive."""

from __future__ import annotations

import pytest

from loyalty_api.accounts.field_labels import forget_labels, labels_of, receipt_labels
from loyalty_api.store import Store, WriteTx
from loyalty_api.store.models import CustomerMatch, CustomerQuery, FieldDefinition
from loyalty_api.store.sql.db import ConstraintViolation
from tests.store import _world as make
from tests.store._world import AT, USER, moment

STATUS = FieldDefinition("customer", 2, "Marital Status", True, "List", ("Single", "Married", "Other"))
MEMBER = FieldDefinition("customer", 25, "Member #", False, "Text", searchable=True, unique=True)
SHOE = FieldDefinition("transaction", 3, "Shoe size", True, "Pick", ("S", "M", "L"))


async def _add(store: Store, account_pk: int, *fields: FieldDefinition) -> None:
    async def work(tx: WriteTx) -> None:
        for field in fields:
            await tx.fields_for_update(account_pk, field.kind)
            await tx.insert_field(account_pk, field, AT)

    await store.write(work)


async def test_definitions_read_back_by_kind_and_number_and_stay_in_their_account(store: Store) -> None:
    account = await make.account(store)
    other = await make.account(store, "other")
    await _add(store, account.pk, MEMBER, STATUS, SHOE)
    assert await store.list_fields(account.pk, "customer") == [STATUS, MEMBER]
    assert await store.list_fields(account.pk, "transaction") == [SHOE]
    assert await store.list_fields(account.pk, "reward") == []
    assert await store.list_fields(other.pk, "customer") == []
    assert await store.write(lambda tx: tx.fields_for_update(account.pk, "customer")) == [STATUS, MEMBER]


async def test_update_replaces_and_delete_removes_a_definition(store: Store) -> None:
    account = await make.account(store)
    await _add(store, account.pk, STATUS)
    renamed = FieldDefinition("customer", 2, "Status", False, "Pick", ("A", "B"), searchable=True)
    assert await store.write(lambda tx: tx.update_field(account.pk, renamed, moment(1))) is True
    assert await store.list_fields(account.pk, "customer") == [renamed]
    assert await store.write(lambda tx: tx.update_field(account.pk, MEMBER, moment(1))) is False
    assert await store.write(lambda tx: tx.delete_field(account.pk, "customer", 2)) is True
    assert await store.write(lambda tx: tx.delete_field(account.pk, "customer", 2)) is False
    assert await store.list_fields(account.pk, "customer") == []


async def test_one_definition_per_kind_and_number(store: Store) -> None:
    account = await make.account(store)
    await _add(store, account.pk, STATUS)
    with pytest.raises(ConstraintViolation):
        await _add(store, account.pk, STATUS)
    await _add(store, account.pk, FieldDefinition("transaction", 2, "Till", False, "Text"))


async def test_bad_definitions_and_kinds_are_refused_before_sql(store: Store) -> None:
    account = await make.account(store)
    with pytest.raises(ValueError):
        await store.list_fields(account.pk, "campaign")
    with pytest.raises(ValueError):
        await _add(store, account.pk, FieldDefinition("customer", 2, "X", False, "Number"))
    with pytest.raises(ValueError):
        await store.write(lambda tx: tx.set_customer_field_values(account.pk, 1, {20: "column"}))


async def test_values_beyond_the_columns_are_set_cleared_and_read(store: Store) -> None:
    account = await make.account(store)
    first = await make.customer(store, account.pk, "1000")
    second = await make.customer(store, account.pk, "2000")
    await store.write(lambda tx: tx.set_customer_field_values(account.pk, first.pk, {21: "a", 30: "Zoë"}))
    await store.write(lambda tx: tx.set_customer_field_values(account.pk, second.pk, {21: "b"}))
    assert await store.custom_field_values([first.pk, second.pk]) == {
        first.pk: {21: "a", 30: "Zoë"},
        second.pk: {21: "b"},
    }
    await store.write(lambda tx: tx.set_customer_field_values(account.pk, first.pk, {21: None, 30: "changed"}))
    assert await store.write(lambda tx: tx.customer_field_values(first.pk)) == {30: "changed"}
    await store.write(lambda tx: tx.set_customer_field_values(account.pk, first.pk, {30: ""}))
    assert await store.custom_field_values([first.pk]) == {}
    assert await store.custom_field_values([]) == {}


async def test_a_search_matches_values_beyond_the_columns(store: Store) -> None:
    account = await make.account(store)
    first = await make.customer(store, account.pk, "1000", custom_field_3="Gouda")
    second = await make.customer(store, account.pk, "2000")
    await make.customer(store, account.pk, "3000")
    await store.write(lambda tx: tx.set_customer_field_values(account.pk, first.pk, {25: "Zoë-7"}))
    await store.write(lambda tx: tx.set_customer_field_values(account.pk, second.pk, {25: "zoë-77", 26: "x"}))

    async def codes(*criteria: CustomerMatch) -> list[str]:
        page = await store.search_customers(account.pk, CustomerQuery(criteria=criteria))
        return [customer.code for customer in page.customers]

    assert await codes(CustomerMatch("custom_field_25", "contains", "ZOË")) == ["1000", "2000"]
    assert await codes(CustomerMatch("custom_field_25", "insensitive", "ZOË-7")) == ["1000"]
    assert await codes(CustomerMatch("custom_field_25", "sensitive", "zoë-77")) == ["2000"]
    assert await codes(
        CustomerMatch("custom_field_26", "contains", "x"), CustomerMatch("code", "sensitive", "2000")
    ) == ["2000"]
    assert await codes(
        CustomerMatch("custom_field_3", "contains", "oud"), CustomerMatch("custom_field_25", "contains", "7")
    ) == ["1000"]
    assert await codes(CustomerMatch("custom_field_27", "contains", "x")) == []
    with pytest.raises(ValueError):
        await codes(CustomerMatch("custom_field_0", "contains", "x"))


async def test_the_value_holder_of_a_column_and_of_a_row(store: Store) -> None:
    account = await make.account(store)
    other = await make.account(store, "other")
    first = await make.customer(store, account.pk, "1000", custom_field_4="M-1")
    second = await make.customer(store, account.pk, "2000")
    await store.write(lambda tx: tx.set_customer_field_values(account.pk, second.pk, {25: "M-2"}))

    async def holder(account_pk: int, number: int, value: str, other_than: int | None) -> int | None:
        return await store.write(lambda tx: tx.custom_value_holder(account_pk, number, value, other_than))

    assert await holder(account.pk, 4, "M-1", None) == first.pk
    assert await holder(account.pk, 4, "M-1", first.pk) is None
    assert await holder(account.pk, 4, "m-1", None) is None  # exactly, case included
    assert await holder(account.pk, 25, "M-2", None) == second.pk
    assert await holder(account.pk, 25, "M-2", second.pk) is None
    assert await holder(other.pk, 25, "M-2", None) is None


async def test_a_deleted_customer_keeps_their_values_and_gets_them_back(store: Store) -> None:
    account = await make.account(store)
    customer = await make.customer(store, account.pk, "1000")
    await store.write(lambda tx: tx.set_customer_field_values(account.pk, customer.pk, {25: "M-2"}))
    await store.write(lambda tx: tx.archive_customer(customer.pk, USER, moment(1)))
    assert await store.write(lambda tx: tx.custom_value_holder(account.pk, 25, "M-2", None)) is None
    query = CustomerQuery(criteria=(CustomerMatch("custom_field_25", "sensitive", "M-2"),))
    assert (await store.search_customers(account.pk, query)).total == 0
    restored = await store.write(lambda tx: tx.restore_customer(account.pk, "1000"))
    assert restored is not None
    assert await store.custom_field_values([customer.pk]) == {customer.pk: {25: "M-2"}}
    assert (await store.search_customers(account.pk, query)).total == 1


async def test_the_labels_of_the_customer_fields_are_kept_until_forgotten(store: Store) -> None:
    account = await make.account(store)
    assert await receipt_labels(store, account.pk) == {}
    await _add(store, account.pk, MEMBER, STATUS, SHOE)
    assert await receipt_labels(store, account.pk) == {}  # kept: the definitions changed behind its back
    forget_labels(store, account.pk)
    labels = {"custom_field_2": "Marital Status", "custom_field_25": "Member #"}
    assert await receipt_labels(store, account.pk) == labels
    assert labels_of(await store.list_fields(account.pk, "customer")) == labels
