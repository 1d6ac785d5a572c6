"""Moving campaigns, rewards and ledger entries to the archive tables and back (PostgreSQL).

Rows move whole, ids included (identity sequences never hand an id out twice, and a restored row takes its own
back with ``OVERRIDING SYSTEM VALUE``).  Each move is one ``DELETE ... RETURNING`` feeding an ``INSERT``, inside
the caller's write transaction, so nothing is ever half moved.  The caller holds the campaign row's lock
(``campaign_for_update``) when it archives; a restore locks the archived row and the campaign id first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

import asyncpg

from loyalty_api.store._ledger_sql import rebuild_balances
from loyalty_api.store.interface import ArchiveConflict
from loyalty_api.store.models import ArchiveCounts, RestoredCampaign
from loyalty_api.store.postgres._rows import CAMPAIGN_COLUMNS, LEDGER_COLUMNS, REWARD_COLUMNS, Conn, campaign_from_row
from loyalty_api.store.postgres._savepoint import savepoint

__all__ = ["archive_campaign", "archive_reward", "lock_campaign_id", "restore_campaign"]

_WITH_CAMPAIGN: Final = "campaign"
_WITH_REWARD: Final = "reward"
_ARCHIVE_COLUMNS: Final = "archived_at, archived_by, archived_with"
_REBUILD_BALANCES: Final = rebuild_balances("campaign_pk", lambda n: f"${n}")


async def lock_campaign_id(conn: Conn, campaign_id: str) -> None:
    """Until the transaction ends, no other transaction may create or restore a campaign with this id (in any
    account), so that "is this id free?" stays true until the row that takes it is committed."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", campaign_id)


def _moved(status: str) -> int:
    """The row count of an ``INSERT 0 n`` command status."""
    return int(status.rsplit(" ", 1)[-1])


async def archive_reward(conn: Conn, reward_pk: int, by: str, at: datetime) -> None:
    await conn.execute(
        f"WITH moved AS (DELETE FROM rewards WHERE pk = $1 RETURNING {REWARD_COLUMNS})"
        f" INSERT INTO rewards_archive ({REWARD_COLUMNS}, {_ARCHIVE_COLUMNS})"
        f" SELECT {REWARD_COLUMNS}, $2, $3, $4 FROM moved",
        reward_pk,
        at,
        by,
        _WITH_REWARD,
    )


async def archive_campaign(conn: Conn, campaign_pk: int, by: str, at: datetime) -> ArchiveCounts:
    await conn.execute("DELETE FROM ledger_balances WHERE campaign_pk = $1", campaign_pk)
    entries = _moved(
        await conn.execute(
            f"WITH moved AS (DELETE FROM ledger WHERE campaign_pk = $1 RETURNING {LEDGER_COLUMNS})"
            f" INSERT INTO ledger_archive ({LEDGER_COLUMNS}, {_ARCHIVE_COLUMNS})"
            f" SELECT {LEDGER_COLUMNS}, $2, $3, $4 FROM moved",
            campaign_pk,
            at,
            by,
            _WITH_CAMPAIGN,
        )
    )
    rewards = _moved(
        await conn.execute(
            f"WITH moved AS (DELETE FROM rewards WHERE campaign_pk = $1 RETURNING {REWARD_COLUMNS})"
            f" INSERT INTO rewards_archive ({REWARD_COLUMNS}, {_ARCHIVE_COLUMNS})"
            f" SELECT {REWARD_COLUMNS}, $2, $3, $4 FROM moved",
            campaign_pk,
            at,
            by,
            _WITH_CAMPAIGN,
        )
    )
    await conn.execute(
        f"WITH moved AS (DELETE FROM campaigns WHERE pk = $1 RETURNING {CAMPAIGN_COLUMNS})"
        f" INSERT INTO campaigns_archive ({CAMPAIGN_COLUMNS}, archived_at, archived_by)"
        f" SELECT {CAMPAIGN_COLUMNS}, $2, $3 FROM moved",
        campaign_pk,
        at,
        by,
    )
    return ArchiveCounts(rewards=rewards, ledger_entries=entries)


async def restore_campaign(conn: Conn, account_pk: int, campaign_id: str) -> RestoredCampaign | None:
    await lock_campaign_id(conn, campaign_id)
    campaign_pk = await conn.fetchval(
        "SELECT pk FROM campaigns_archive WHERE account_pk = $1 AND campaign_id = $2"
        " ORDER BY archived_at DESC, pk DESC LIMIT 1 FOR UPDATE",
        account_pk,
        campaign_id,
    )
    if campaign_pk is None:
        return None
    live = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM campaigns WHERE account_pk = $1 AND campaign_id = $2)", account_pk, campaign_id
    )
    if live:
        raise ArchiveConflict(f"the account has a live campaign {campaign_id!r} already")
    orphans = await conn.fetchval(
        "SELECT count(*) FROM ledger_archive la WHERE la.campaign_pk = $1 AND la.archived_with = $2"
        " AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.pk = la.customer_pk AND c.account_pk = $3)",
        campaign_pk,
        _WITH_CAMPAIGN,
        account_pk,
    )
    if orphans:
        raise ArchiveConflict(f"{orphans} of its transactions belong to customers no longer in the account")
    try:
        # A savepoint: should a row fail to take its place, the caller's transaction stays usable.
        async with savepoint(conn):
            row = await conn.fetchrow(
                f"WITH moved AS (DELETE FROM campaigns_archive WHERE pk = $1 RETURNING {CAMPAIGN_COLUMNS})"
                f" INSERT INTO campaigns ({CAMPAIGN_COLUMNS}) OVERRIDING SYSTEM VALUE"
                f" SELECT {CAMPAIGN_COLUMNS} FROM moved RETURNING {CAMPAIGN_COLUMNS}",
                campaign_pk,
            )
            rewards = _moved(
                await conn.execute(
                    "WITH moved AS (DELETE FROM rewards_archive WHERE campaign_pk = $1 AND archived_with = $2"
                    f" RETURNING {REWARD_COLUMNS}) INSERT INTO rewards ({REWARD_COLUMNS}) OVERRIDING SYSTEM VALUE"
                    f" SELECT {REWARD_COLUMNS} FROM moved",
                    campaign_pk,
                    _WITH_CAMPAIGN,
                )
            )
            entries = _moved(
                await conn.execute(
                    "WITH moved AS (DELETE FROM ledger_archive WHERE campaign_pk = $1 AND archived_with = $2"
                    f" RETURNING {LEDGER_COLUMNS}) INSERT INTO ledger ({LEDGER_COLUMNS}) OVERRIDING SYSTEM VALUE"
                    f" SELECT {LEDGER_COLUMNS} FROM moved",
                    campaign_pk,
                    _WITH_CAMPAIGN,
                )
            )
            for statement in _REBUILD_BALANCES:  # the restored entries' running balances
                await conn.execute(statement, campaign_pk)
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise ArchiveConflict(f"its rows cannot take their places again: {exc}") from exc
    assert row is not None
    return RestoredCampaign(campaign_from_row(row), ArchiveCounts(rewards=rewards, ledger_entries=entries))
