"""Moving campaigns, rewards and ledger entries to the archive tables and back (SQLite).

Rows move whole, ids included: the live tables are AUTOINCREMENT (migration 0002), so an id that went to the
archive is never handed to another row and can come back.  Every function runs inside the caller's write
transaction; a failure leaves nothing half moved (the writer rolls the request's savepoint back).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Final

from loyalty_api.store._ledger_sql import rebuild_balances
from loyalty_api.store.interface import ArchiveConflict
from loyalty_api.store.models import ArchiveCounts, RestoredCampaign
from loyalty_api.store.sqlite._reward_rows import LEDGER_COLUMNS, REWARD_COLUMNS
from loyalty_api.store.sqlite._rows import CAMPAIGN_COLUMNS, campaign_from_row, time_text

__all__ = ["archive_campaign", "archive_reward", "restore_campaign"]

_WITH_CAMPAIGN: Final = "campaign"
_WITH_REWARD: Final = "reward"
_REBUILD_BALANCES: Final = rebuild_balances("campaign_pk", lambda _n: "?")


def archive_reward(conn: sqlite3.Connection, reward_pk: int, by: str, at: datetime) -> None:
    conn.execute(
        f"INSERT INTO rewards_archive ({REWARD_COLUMNS}, archived_at, archived_by, archived_with)"
        f" SELECT {REWARD_COLUMNS}, ?, ?, ? FROM rewards WHERE pk = ?",
        (time_text(at), by, _WITH_REWARD, reward_pk),
    )
    conn.execute("DELETE FROM rewards WHERE pk = ?", (reward_pk,))


def archive_campaign(conn: sqlite3.Connection, campaign_pk: int, by: str, at: datetime) -> ArchiveCounts:
    stamp = time_text(at)
    conn.execute(
        f"INSERT INTO campaigns_archive ({CAMPAIGN_COLUMNS}, archived_at, archived_by)"
        f" SELECT {CAMPAIGN_COLUMNS}, ?, ? FROM campaigns WHERE pk = ?",
        (stamp, by, campaign_pk),
    )
    rewards = conn.execute(
        f"INSERT INTO rewards_archive ({REWARD_COLUMNS}, archived_at, archived_by, archived_with)"
        f" SELECT {REWARD_COLUMNS}, ?, ?, ? FROM rewards WHERE campaign_pk = ?",
        (stamp, by, _WITH_CAMPAIGN, campaign_pk),
    ).rowcount
    entries = conn.execute(
        f"INSERT INTO ledger_archive ({LEDGER_COLUMNS}, archived_at, archived_by, archived_with)"
        f" SELECT {LEDGER_COLUMNS}, ?, ?, ? FROM ledger WHERE campaign_pk = ?",
        (stamp, by, _WITH_CAMPAIGN, campaign_pk),
    ).rowcount
    conn.execute("DELETE FROM ledger_balances WHERE campaign_pk = ?", (campaign_pk,))
    conn.execute("DELETE FROM ledger WHERE campaign_pk = ?", (campaign_pk,))
    conn.execute("DELETE FROM rewards WHERE campaign_pk = ?", (campaign_pk,))
    conn.execute("DELETE FROM campaigns WHERE pk = ?", (campaign_pk,))
    return ArchiveCounts(rewards=rewards, ledger_entries=entries)


def restore_campaign(conn: sqlite3.Connection, account_pk: int, campaign_id: str) -> RestoredCampaign | None:
    found = conn.execute(
        "SELECT pk FROM campaigns_archive WHERE account_pk = ? AND campaign_id = ?"
        " ORDER BY archived_at DESC, pk DESC LIMIT 1",
        (account_pk, campaign_id),
    ).fetchone()
    if found is None:
        return None
    campaign_pk = int(found[0])
    live = conn.execute(
        "SELECT 1 FROM campaigns WHERE account_pk = ? AND campaign_id = ?", (account_pk, campaign_id)
    ).fetchone()
    if live is not None:
        raise ArchiveConflict(f"the account has a live campaign {campaign_id!r} already")
    orphans = conn.execute(
        "SELECT count(*) FROM ledger_archive la WHERE la.campaign_pk = ? AND la.archived_with = ?"
        " AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.pk = la.customer_pk AND c.account_pk = ?)",
        (campaign_pk, _WITH_CAMPAIGN, account_pk),
    ).fetchone()[0]
    if orphans:
        raise ArchiveConflict(f"{orphans} of its transactions belong to customers no longer in the account")
    try:
        conn.execute(
            f"INSERT INTO campaigns ({CAMPAIGN_COLUMNS}) SELECT {CAMPAIGN_COLUMNS} FROM campaigns_archive WHERE pk = ?",
            (campaign_pk,),
        )
        rewards = conn.execute(
            f"INSERT INTO rewards ({REWARD_COLUMNS}) SELECT {REWARD_COLUMNS} FROM rewards_archive"
            " WHERE campaign_pk = ? AND archived_with = ?",
            (campaign_pk, _WITH_CAMPAIGN),
        ).rowcount
        entries = conn.execute(
            f"INSERT INTO ledger ({LEDGER_COLUMNS}) SELECT {LEDGER_COLUMNS} FROM ledger_archive"
            " WHERE campaign_pk = ? AND archived_with = ? ORDER BY pk",
            (campaign_pk, _WITH_CAMPAIGN),
        ).rowcount
    except sqlite3.IntegrityError as exc:
        raise ArchiveConflict(f"its rows cannot take their places again: {exc}") from exc
    for statement in _REBUILD_BALANCES:  # the restored entries' running balances
        conn.execute(statement, (campaign_pk,))
    conn.execute(
        "DELETE FROM ledger_archive WHERE campaign_pk = ? AND archived_with = ?", (campaign_pk, _WITH_CAMPAIGN)
    )
    conn.execute(
        "DELETE FROM rewards_archive WHERE campaign_pk = ? AND archived_with = ?", (campaign_pk, _WITH_CAMPAIGN)
    )
    conn.execute("DELETE FROM campaigns_archive WHERE pk = ?", (campaign_pk,))
    row = conn.execute(f"SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE pk = ?", (campaign_pk,)).fetchone()
    return RestoredCampaign(campaign_from_row(row), ArchiveCounts(rewards=rewards, ledger_entries=entries))
