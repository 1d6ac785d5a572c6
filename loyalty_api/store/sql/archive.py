"""Moving campaigns, rewards, customers and their ledger entries to the archive tables and back.

Rows move whole, ids included: ids are never handed out twice (SQLite's AUTOINCREMENT tables and new customers'
ids above every archived one; PostgreSQL's identity sequences), and a restored row takes its own id back (the
dialect's ``overriding``).  Each move is an ``INSERT ... SELECT`` then a ``DELETE``, inside the caller's write
transaction, so nothing is ever half moved; a restore runs in a savepoint, so that a row that cannot take its place
again leaves the transaction usable and answers :class:`ArchiveConflict`.  The caller holds the campaign row's lock
(``campaign_for_update``) or the customer's when it archives; a restore locks the id (or code) first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from loyalty_api.store.interface import ArchiveConflict
from loyalty_api.store.models import ArchiveCounts, Customer, RestoredCampaign, RestoredCustomer
from loyalty_api.store.sql.balances import rebuild_balances
from loyalty_api.store.sql.campaigns import CAMPAIGN_ID_LOCK, CampaignRows
from loyalty_api.store.sql.customers import lock_customer_key
from loyalty_api.store.sql.db import ConstraintViolation, Db
from loyalty_api.store.sql.dialect import Dialect
from loyalty_api.store.sql.rows import (
    CAMPAIGN_COLUMNS,
    CUSTOMER_COLUMNS,
    LEDGER_COLUMNS,
    REWARD_COLUMNS,
    campaign_from_row,
    customer_from_row,
)

__all__ = ["ArchiveSql", "ArchiveWrites"]

_WITH_CAMPAIGN: Final = "campaign"
_WITH_REWARD: Final = "reward"
_WITH_CUSTOMER: Final = "customer"
_ARCHIVED: Final = "archived_at, archived_by"
_ARCHIVED_WITH: Final = "archived_at, archived_by, archived_with"


class ArchiveSql:
    """The archive's statements in one dialect."""

    def __init__(self, d: Dialect) -> None:
        q = d.sql
        self.d = d
        self.reward_out = q(
            f"INSERT INTO rewards_archive ({REWARD_COLUMNS}, {_ARCHIVED_WITH})"
            f" SELECT {REWARD_COLUMNS}, ?, ?, ? FROM rewards WHERE pk = ?"
        )
        self.delete_reward = q("DELETE FROM rewards WHERE pk = ?")
        self.campaign_out = q(
            f"INSERT INTO campaigns_archive ({CAMPAIGN_COLUMNS}, {_ARCHIVED})"
            f" SELECT {CAMPAIGN_COLUMNS}, ?, ? FROM campaigns WHERE pk = ?"
        )
        self.campaign_rewards_out = q(
            f"INSERT INTO rewards_archive ({REWARD_COLUMNS}, {_ARCHIVED_WITH})"
            f" SELECT {REWARD_COLUMNS}, ?, ?, ? FROM rewards WHERE campaign_pk = ?"
        )
        self.entries_out = {
            column: q(
                f"INSERT INTO ledger_archive ({LEDGER_COLUMNS}, {_ARCHIVED_WITH})"
                f" SELECT {LEDGER_COLUMNS}, ?, ?, ? FROM ledger WHERE {column} = ?"
            )
            for column in ("campaign_pk", "customer_pk")
        }
        self.delete_campaign = tuple(
            q(text)
            for text in (
                "DELETE FROM ledger_balances WHERE campaign_pk = ?",
                "DELETE FROM ledger WHERE campaign_pk = ?",
                "DELETE FROM rewards WHERE campaign_pk = ?",
                "DELETE FROM campaigns WHERE pk = ?",
            )
        )
        self.archived_campaign = q(
            "SELECT pk FROM campaigns_archive WHERE account_pk = ? AND campaign_id = ?"
            f" ORDER BY archived_at DESC, pk DESC LIMIT 1{d.for_update}"
        )
        self.live_campaign = q("SELECT 1 FROM campaigns WHERE account_pk = ? AND campaign_id = ?")
        self.orphan_entries = q(
            "SELECT count(*) FROM ledger_archive la WHERE la.campaign_pk = ? AND la.archived_with = ?"
            " AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.pk = la.customer_pk AND c.account_pk = ?)"
        )
        self.campaign_in = q(
            f"INSERT INTO campaigns ({CAMPAIGN_COLUMNS}){d.overriding}"
            f" SELECT {CAMPAIGN_COLUMNS} FROM campaigns_archive WHERE pk = ?"
        )
        self.rewards_in = q(
            f"INSERT INTO rewards ({REWARD_COLUMNS}){d.overriding} SELECT {REWARD_COLUMNS} FROM rewards_archive"
            " WHERE campaign_pk = ? AND archived_with = ?"
        )
        self.entries_in = {
            column: q(
                f"INSERT INTO ledger ({LEDGER_COLUMNS}){d.overriding} SELECT {LEDGER_COLUMNS} FROM ledger_archive"
                f" WHERE {column} = ? AND archived_with = ? ORDER BY pk"
            )
            for column in ("campaign_pk", "customer_pk")
        }
        self.rebuild = {column: tuple(q(text) for text in rebuild_balances(column)) for column in self.entries_in}
        self.delete_archived_entries = {
            column: q(f"DELETE FROM ledger_archive WHERE {column} = ? AND archived_with = ?")
            for column in self.entries_in
        }
        self.delete_archived_rewards = q("DELETE FROM rewards_archive WHERE campaign_pk = ? AND archived_with = ?")
        self.delete_archived_campaign = q("DELETE FROM campaigns_archive WHERE pk = ?")
        self.campaign_by_pk = q(f"SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE pk = ?")
        self.customer_out = q(
            f"INSERT INTO customers_archive ({CUSTOMER_COLUMNS}, {_ARCHIVED})"
            f" SELECT {CUSTOMER_COLUMNS}, ?, ? FROM customers WHERE pk = ?"
        )
        self.delete_customer = tuple(
            q(text)
            for text in (
                "DELETE FROM ledger_balances WHERE customer_pk = ?",
                "DELETE FROM ledger WHERE customer_pk = ?",
                "DELETE FROM customers WHERE pk = ?",
            )
        )
        self.archived_customer = q(
            "SELECT pk FROM customers_archive WHERE account_pk = ? AND code = ?"
            f" ORDER BY archived_at DESC, pk DESC LIMIT 1{d.for_update}"
        )
        self.missing_campaigns = q(
            "SELECT count(*) FROM ledger_archive la WHERE la.customer_pk = ? AND la.archived_with = ?"
            " AND NOT EXISTS (SELECT 1 FROM campaigns c WHERE c.pk = la.campaign_pk)"
        )
        self.customer_in = q(
            f"INSERT INTO customers ({CUSTOMER_COLUMNS}){d.overriding}"
            f" SELECT {CUSTOMER_COLUMNS} FROM customers_archive WHERE pk = ?"
        )
        self.delete_archived_customer = q("DELETE FROM customers_archive WHERE pk = ?")
        self.customer_by_pk = q(f"SELECT {CUSTOMER_COLUMNS} FROM customers WHERE pk = ?")


class ArchiveWrites:
    """The archive's operations of :class:`WriteTx`."""

    __slots__ = ()
    _db: Db
    _archive_sql: ArchiveSql
    _campaigns: CampaignRows

    async def archive_reward(self, reward_pk: int, by: str, at: datetime) -> None:
        sql = self._archive_sql
        await self._db.run(sql.reward_out, (sql.d.at(at), by, _WITH_REWARD, reward_pk))
        await self._db.run(sql.delete_reward, (reward_pk,))

    async def archive_campaign(self, campaign_pk: int, by: str, at: datetime) -> ArchiveCounts:
        self._campaigns.clear()
        db, sql = self._db, self._archive_sql
        stamp = sql.d.at(at)
        await db.run(sql.campaign_out, (stamp, by, campaign_pk))
        rewards = await db.run(sql.campaign_rewards_out, (stamp, by, _WITH_CAMPAIGN, campaign_pk))
        entries = await db.run(sql.entries_out["campaign_pk"], (stamp, by, _WITH_CAMPAIGN, campaign_pk))
        for statement in sql.delete_campaign:
            await db.run(statement, (campaign_pk,))
        return ArchiveCounts(rewards=rewards, ledger_entries=entries)

    async def restore_campaign(self, account_pk: int, campaign_id: str) -> RestoredCampaign | None:
        self._campaigns.clear()
        db, sql = self._db, self._archive_sql
        await db.lock(CAMPAIGN_ID_LOCK, campaign_id)
        found = await db.value(sql.archived_campaign, (account_pk, campaign_id))
        if found is None:
            return None
        campaign_pk = int(found)
        if await db.one(sql.live_campaign, (account_pk, campaign_id)) is not None:
            raise ArchiveConflict(f"the account has a live campaign {campaign_id!r} already")
        orphans = int(await db.value(sql.orphan_entries, (campaign_pk, _WITH_CAMPAIGN, account_pk)))
        if orphans:
            raise ArchiveConflict(f"{orphans} of its transactions belong to customers no longer in the account")
        try:
            async with db.savepoint():
                await db.run(sql.campaign_in, (campaign_pk,))
                rewards = await db.run(sql.rewards_in, (campaign_pk, _WITH_CAMPAIGN))
                entries = await db.run(sql.entries_in["campaign_pk"], (campaign_pk, _WITH_CAMPAIGN))
                for statement in sql.rebuild["campaign_pk"]:  # the restored entries' running balances
                    await db.run(statement, (campaign_pk,))
        except ConstraintViolation as exc:
            raise ArchiveConflict(f"its rows cannot take their places again: {exc}") from exc
        await db.run(sql.delete_archived_entries["campaign_pk"], (campaign_pk, _WITH_CAMPAIGN))
        await db.run(sql.delete_archived_rewards, (campaign_pk, _WITH_CAMPAIGN))
        await db.run(sql.delete_archived_campaign, (campaign_pk,))
        row = await db.one(sql.campaign_by_pk, (campaign_pk,))
        assert row is not None
        counts = ArchiveCounts(rewards=rewards, ledger_entries=entries)
        return RestoredCampaign(campaign_from_row(sql.d, row), counts)

    async def archive_customer(self, customer_pk: int, by: str, at: datetime) -> int:
        db, sql = self._db, self._archive_sql
        stamp = sql.d.at(at)
        entries = await db.run(sql.entries_out["customer_pk"], (stamp, by, _WITH_CUSTOMER, customer_pk))
        await db.run(sql.customer_out, (stamp, by, customer_pk))
        for statement in sql.delete_customer:
            await db.run(statement, (customer_pk,))
        return entries

    async def restore_customer(self, account_pk: int, code: str) -> RestoredCustomer | None:
        db, sql = self._db, self._archive_sql
        await lock_customer_key(db, "customer", account_pk, "code", code)
        found = await db.value(sql.archived_customer, (account_pk, code))
        if found is None:
            return None
        customer_pk = int(found)
        missing = int(await db.value(sql.missing_campaigns, (customer_pk, _WITH_CUSTOMER)))
        if missing:
            raise ArchiveConflict(f"{missing} of their transactions belong to campaigns no longer in the account")
        try:
            async with db.savepoint():
                await db.run(sql.customer_in, (customer_pk,))
                entries = await db.run(sql.entries_in["customer_pk"], (customer_pk, _WITH_CUSTOMER))
                for statement in sql.rebuild["customer_pk"]:  # the restored entries' running balances
                    await db.run(statement, (customer_pk,))
        except ConstraintViolation as exc:
            raise ArchiveConflict(f"the customer cannot take their place again: {_conflict(exc)}") from exc
        await db.run(sql.delete_archived_entries["customer_pk"], (customer_pk, _WITH_CUSTOMER))
        await db.run(sql.delete_archived_customer, (customer_pk,))
        row = await db.one(sql.customer_by_pk, (customer_pk,))
        assert row is not None
        customer: Customer = customer_from_row(sql.d, row)
        return RestoredCustomer(customer, entries)


def _conflict(exc: ConstraintViolation) -> str:
    for column in ("card_number", "customer_username", "code"):
        if column in exc.columns:
            return f"its {column} is in use by another customer"
    return str(exc)
