"""The write transaction both backends hand to handlers: every operation of :class:`WriteTx`, written once over a
:class:`Db`.

A backend subclasses :class:`SqlWriteTx` naming its statements (``class SqliteWriteTx(SqlWriteTx,
statements=SQL)``) and replaces what it does its own way (PostgreSQL: ``record_sale``).  Its group-commit writer
makes one per job, with the campaign rows the batch holds.
"""

from __future__ import annotations

from typing import Any, Final

from loyalty_api.store.sql.accounts import AccountWrites
from loyalty_api.store.sql.archive import ArchiveWrites
from loyalty_api.store.sql.campaigns import CampaignRows, CampaignWrites
from loyalty_api.store.sql.customers import CustomerWrites
from loyalty_api.store.sql.db import Db
from loyalty_api.store.sql.fields import FieldWrites
from loyalty_api.store.sql.idempotency import IdempotencyWrites
from loyalty_api.store.sql.ledger import LedgerWrites
from loyalty_api.store.sql.logins import LoginWrites
from loyalty_api.store.sql.promotions import PromotionWrites
from loyalty_api.store.sql.statements import Statements

__all__ = ["SqlWriteTx"]

# A write that changes nothing: what a readiness check commits to learn that the store accepts writes.
_TOUCH: Final = "UPDATE schema_migrations SET name = name WHERE version = (SELECT min(version) FROM schema_migrations)"


class SqlWriteTx(
    CampaignWrites,
    ArchiveWrites,
    CustomerWrites,
    FieldWrites,
    LoginWrites,
    LedgerWrites,
    PromotionWrites,
    IdempotencyWrites,
    AccountWrites,
):
    """Valid only inside the transaction its writer opened on ``db``.

    ``campaigns``: the campaign rows the transaction holds locked, as they now are (see ``sql/campaigns.py``).
    """

    __slots__ = ("_campaigns", "_db")

    def __init__(self, db: Db, campaigns: CampaignRows) -> None:
        self._db = db
        self._campaigns = campaigns

    async def touch(self) -> None:
        """Write without changing anything (the readiness check's write)."""
        await self._db.run(_TOUCH)

    def __init_subclass__(cls, *, statements: Statements | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if statements is not None:
            statements.install(cls)
