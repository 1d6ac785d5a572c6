"""The one SQL layer of the store: every statement written once, per feature, for both backends.

A backend gives a :class:`~loyalty_api.store.sql.dialect.Dialect` (what its SQL spells differently: placeholders,
case folding, substring tests, numeric casts, row locks, identity inserts, value conversions) and a
:class:`~loyalty_api.store.sql.db.Db` (how it executes a statement: inline on SQLite's connection, a round trip on
asyncpg's).  The feature modules (``accounts``, ``campaigns``, ``rewards``, ``archive``, ``customers``,
``ledger``, ``idempotency``, ``logins``) hold the statements and the operations of the :class:`Store` and
:class:`WriteTx` interfaces built on them; ``write_tx.py`` and ``reads.py`` put those together.  What a backend
keeps of its own: its connections, its group-commit writer, PostgreSQL's advisory locks and ``record_sale``
function, SQLite's connection functions.  ``docs/architecture.md`` ("The store") shows how to add a statement.
"""
