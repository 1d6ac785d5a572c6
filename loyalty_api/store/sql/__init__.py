"""The one SQL layer of the store: every statement written once, per feature, for both backends.

A backend gives a :class:`~loyalty_api.store.sql.dialect.Dialect` (what its SQL spells differently: placeholders,
case folding, substring tests, numeric casts, row locks, identity inserts, value conversions) and a
:class:`~loyalty_api.store.sql.db.Db` (how it executes a statement: inline on SQLite's connection, a round trip on
asyncpg's).  The feature modules (``accounts``, ``campaigns`` with rewards and buyx items, ``campaign_list``,
``archive``, ``customers``, ``customer_search``, ``ledger``, ``balances``, ``idempotency``, ``logins``) hold the
statements and the operations of the :class:`Store` and :class:`WriteTx` interfaces built on them;
``statements.py`` gathers their statements per dialect, and ``write_tx.py`` and ``store_base.py`` put the
operations together.  What a backend keeps of its own: its connections, its group-commit writer, PostgreSQL's
advisory locks and ``record_sale`` function, SQLite's connection functions and off-the-loop reads.
``docs/architecture.md`` ("The store") shows how to add a statement.
"""
