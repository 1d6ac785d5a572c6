"""Custom field definitions (per account and kind) and the values of customers' custom fields beyond the columns.

Customers' custom fields 1 to ``FIELD_COLUMNS`` are columns of ``customers``; those above are rows of
``customer_field_values`` (migration 0012), read and written here.  Changes to an account's definitions of one kind
take a lock named after them (:meth:`Db.lock`), so that two concurrent changes count and number the fields one
after the other.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Final

from loyalty_api.store.models import FIELD_COLUMNS, FIELD_KINDS, FIELD_TYPES, FieldDefinition
from loyalty_api.store.sql.customers import lock_customer_key
from loyalty_api.store.sql.db import Db, ReadDb, Row
from loyalty_api.store.sql.dialect import Dialect, one_of

__all__ = ["FieldReads", "FieldSql", "FieldWrites"]

#: The seed of the locks on an account's definitions of one kind (:meth:`Db.lock`).
_FIELDS_LOCK: Final = 17
_COLUMNS: Final = "kind, number, label, show, type, choices, searchable, is_unique"


class FieldSql:
    """The custom fields' statements in one dialect."""

    def __init__(self, d: Dialect) -> None:
        q = d.sql
        self.d = d
        self.list = q(f"SELECT {_COLUMNS} FROM custom_fields WHERE account_pk = ? AND kind = ? ORDER BY number")
        self.insert = q(
            f"INSERT INTO custom_fields (account_pk, {_COLUMNS}, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        self.update = q(
            "UPDATE custom_fields SET label = ?, show = ?, type = ?, choices = ?, searchable = ?, is_unique = ?,"
            " updated_at = ? WHERE account_pk = ? AND kind = ? AND number = ?"
        )
        self.delete = q("DELETE FROM custom_fields WHERE account_pk = ? AND kind = ? AND number = ?")
        self.values_of = q("SELECT number, value FROM customer_field_values WHERE customer_pk = ? ORDER BY number")
        self.set_value = q(
            "INSERT INTO customer_field_values (customer_pk, account_pk, number, value) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (customer_pk, number) DO UPDATE SET value = excluded.value"
        )
        self.clear_value = q("DELETE FROM customer_field_values WHERE customer_pk = ? AND number = ?")
        self.column_holder = {
            n: q(f"SELECT pk FROM customers WHERE account_pk = ? AND custom_field_{n} = ? AND pk <> ? LIMIT 1")
            for n in range(1, FIELD_COLUMNS + 1)
        }
        self.row_holder = q(
            "SELECT v.customer_pk FROM customer_field_values v JOIN customers c ON c.pk = v.customer_pk"
            " WHERE v.account_pk = ? AND v.number = ? AND v.value = ? AND v.customer_pk <> ? LIMIT 1"
        )


def _kind(kind: str) -> str:
    if kind not in FIELD_KINDS:
        raise ValueError(f"not a field kind: {kind}")
    return kind


def _definition_from_row(row: Row) -> FieldDefinition:
    kind, number, label, show, type_, choices, searchable, unique = row
    return FieldDefinition(
        kind=str(kind),
        number=int(number),
        label=str(label),
        show=bool(show),
        type=str(type_),
        choices=tuple(str(choice) for choice in json.loads(str(choices))),
        searchable=bool(searchable),
        unique=bool(unique),
    )


def _choices_text(field: FieldDefinition) -> str:
    return json.dumps(list(field.choices), ensure_ascii=False, separators=(",", ":"))


def _checked(field: FieldDefinition) -> FieldDefinition:
    if field.kind not in FIELD_KINDS or field.type not in FIELD_TYPES or field.number < 1:
        raise ValueError(f"not a field definition: {field}")
    return field


class FieldReads:
    """The custom fields' reads of :class:`Store`."""

    __slots__ = ()
    _reads: ReadDb
    _field_sql: FieldSql

    async def list_fields(self, account_pk: int, kind: str) -> list[FieldDefinition]:
        rows = await self._reads.all(self._field_sql.list, (account_pk, _kind(kind)))
        return [_definition_from_row(row) for row in rows]

    async def custom_field_values(self, customer_pks: list[int]) -> dict[int, dict[int, str]]:
        found: dict[int, dict[int, str]] = defaultdict(dict)
        if not customer_pks:
            return found
        d = self._field_sql.d
        members, params = one_of(d, "customer_pk", customer_pks)
        sql = d.sql(
            f"SELECT customer_pk, number, value FROM customer_field_values WHERE {members} ORDER BY customer_pk, number"
        )
        for customer_pk, number, value in await self._reads.all(sql, params):
            found[int(customer_pk)][int(number)] = str(value)
        return found


class FieldWrites:
    """The custom fields' operations of :class:`WriteTx`."""

    __slots__ = ()
    _db: Db
    _field_sql: FieldSql

    async def fields_for_update(self, account_pk: int, kind: str) -> list[FieldDefinition]:
        await self._db.lock(_FIELDS_LOCK, f"{account_pk}\x1f{_kind(kind)}")
        rows = await self._db.all(self._field_sql.list, (account_pk, kind))
        return [_definition_from_row(row) for row in rows]

    async def insert_field(self, account_pk: int, field: FieldDefinition, at: datetime) -> None:
        sql = self._field_sql
        d = sql.d
        field = _checked(field)
        await self._db.run(
            sql.insert,
            (
                account_pk,
                field.kind,
                field.number,
                field.label,
                d.value(field.show),
                field.type,
                _choices_text(field),
                d.value(field.searchable),
                d.value(field.unique),
                d.at(at),
                d.at(at),
            ),
        )

    async def update_field(self, account_pk: int, field: FieldDefinition, at: datetime) -> bool:
        sql = self._field_sql
        d = sql.d
        field = _checked(field)
        changed = await self._db.run(
            sql.update,
            (
                field.label,
                d.value(field.show),
                field.type,
                _choices_text(field),
                d.value(field.searchable),
                d.value(field.unique),
                d.at(at),
                account_pk,
                field.kind,
                field.number,
            ),
        )
        return changed > 0

    async def delete_field(self, account_pk: int, kind: str, number: int) -> bool:
        return await self._db.run(self._field_sql.delete, (account_pk, _kind(kind), number)) > 0

    async def customer_field_values(self, customer_pk: int) -> dict[int, str]:
        rows = await self._db.all(self._field_sql.values_of, (customer_pk,))
        return {int(number): str(value) for number, value in rows}

    async def set_customer_field_values(
        self, account_pk: int, customer_pk: int, values: Mapping[int, str | None]
    ) -> None:
        sql = self._field_sql
        for number, value in sorted(values.items()):
            if number <= FIELD_COLUMNS:
                raise ValueError(f"custom field {number} is a column of customers")
            if value:
                await self._db.run(sql.set_value, (customer_pk, account_pk, number, value))
            else:
                await self._db.run(sql.clear_value, (customer_pk, number))

    async def custom_value_holder(self, account_pk: int, number: int, value: str, other_than: int | None) -> int | None:
        await lock_customer_key(self._db, "customer", account_pk, f"custom_field_{number}", value)
        sql = self._field_sql
        other = -1 if other_than is None else other_than
        if number <= FIELD_COLUMNS:
            pk = await self._db.value(sql.column_holder[number], (account_pk, value, other))
        else:
            pk = await self._db.value(sql.row_holder, (account_pk, number, value, other))
        return None if pk is None else int(pk)
