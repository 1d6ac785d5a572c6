"""What both stores do alike: the reads of :class:`Store`, written once over a :class:`ReadDb`, and the operator's
writes (``loyalty-api`` commands, the demo) through the store's own :meth:`write`.

A backend subclasses :class:`SqlStore` naming its statements (``class SqliteStore(SqlStore, statements=SQL)``)
and provides ``_reads``, ``write`` and ``write_sale`` (its connections and its group-commit writer).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from loyalty_api.store.interface import CampaignValues, StoreUnavailable, WriteTx
from loyalty_api.store.ledger_models import NewLedgerEntry
from loyalty_api.store.models import Account, Campaign, Principal, utc_now
from loyalty_api.store.sql.accounts import AccountReads
from loyalty_api.store.sql.campaigns import CampaignReads
from loyalty_api.store.sql.customers import CustomerReads
from loyalty_api.store.sql.fields import FieldReads
from loyalty_api.store.sql.ledger import LedgerReads
from loyalty_api.store.sql.promotions import PromotionReads
from loyalty_api.store.sql.statements import Statements
from loyalty_api.store.sql.write_tx import SqlWriteTx

__all__ = ["SqlStore"]

T = TypeVar("T")


def _sql_tx(tx: WriteTx) -> SqlWriteTx:
    assert isinstance(tx, SqlWriteTx)
    return tx


class SqlStore(CampaignReads, CustomerReads, FieldReads, LedgerReads, PromotionReads, AccountReads):
    __slots__ = ()

    def __init_subclass__(cls, *, statements: Statements | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if statements is not None:
            statements.install(cls)

    async def write(self, work: Callable[[WriteTx], Awaitable[T]]) -> T:
        raise NotImplementedError

    async def _check_writes(self, timeout: float) -> None:
        """:class:`StoreUnavailable` unless a write transaction commits within ``timeout`` seconds (``ping``: the
        store is ready only if it accepts writes, not only reads)."""

        async def touch(tx: WriteTx) -> None:
            await _sql_tx(tx).touch()

        try:
            async with asyncio.timeout(timeout):
                await self.write(touch)
        except StoreUnavailable:
            raise
        except Exception as exc:
            raise StoreUnavailable(f"the store does not accept writes: {exc or type(exc).__name__}") from exc

    # --- operator writes -------------------------------------------------------------------------

    async def add_account(
        self,
        account_id: str,
        name: str,
        currency: str,
        in_coalition: bool,
        in_two_tier: bool,
        owner_key_digest: str | None = None,
    ) -> Account:
        async def work(tx: WriteTx) -> Account:
            sql_tx = _sql_tx(tx)
            now = utc_now()
            return await sql_tx.insert_account(
                account_id, name, currency, in_coalition, in_two_tier, now, owner_key_digest
            )

        return await self.write(work)

    async def set_account(self, account_pk: int, values: Mapping[str, object]) -> None:
        async def work(tx: WriteTx) -> None:
            await _sql_tx(tx).update_account(account_pk, values)

        await self.write(work)

    async def add_user(
        self,
        account_pk: int,
        user_name: str,
        role: str,
        allowed_campaigns: frozenset[str] | None,
        key_digest: str,
    ) -> Principal:
        async def work(tx: WriteTx) -> Principal:
            return await _sql_tx(tx).insert_user(account_pk, user_name, role, allowed_campaigns, key_digest, utc_now())

        return await self.write(work)

    async def add_campaign(self, account_pk: int, values: CampaignValues) -> Campaign:
        return await self.write(lambda tx: tx.insert_campaign(account_pk, values, utc_now()))

    async def add_customer(self, account_pk: int, code: str, first_name: str, last_name: str) -> int:
        values = {"code": code, "first_name": first_name, "last_name": last_name}

        async def work(tx: WriteTx) -> int:
            return (await tx.insert_customer(account_pk, values, utc_now())).pk

        return await self.write(work)

    async def add_ledger_entry(
        self,
        account_pk: int,
        campaign_pk: int,
        customer_pk: int,
        user_name: str,
        amount_cents: int,
        authorization: str,
        service_product: str,
    ) -> int:
        entry = NewLedgerEntry(
            account_pk=account_pk,
            campaign_pk=campaign_pk,
            customer_pk=customer_pk,
            user_name=user_name,
            at=utc_now(),
            amount_cents=amount_cents,
            purchase_cents=None,
            authorization=authorization,
            service_product=service_product,
        )

        async def work(tx: WriteTx) -> int:
            return (await tx.append_ledger_entry(entry)).pk

        return await self.write(work)
