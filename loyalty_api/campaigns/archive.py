"""Campaigns coming and going: what the audit trail records when a campaign is created, deleted (moved to the
archive) or restored, and the operator's restore.

A campaign's audit records show every column it has, from nothing (creation, restoration) or to nothing
(deletion), plus, for deletion and restoration, how many rewards and transactions moved with it.
"""

from __future__ import annotations

from typing import Final

from loyalty_api.campaigns.rules import audit_value
from loyalty_api.store.interface import Store, WriteTx
from loyalty_api.store.models import Account, ArchiveCounts, Campaign, Change, NewAudit, RestoredCampaign, utc_now

__all__ = [
    "SNAPSHOT_COLUMNS",
    "CampaignNotArchived",
    "creation_changes",
    "deletion_changes",
    "restoration_changes",
    "restore_campaign",
]

SNAPSHOT_COLUMNS: Final = (
    "type",
    "name",
    "description",
    "points_ratio",
    "reward_ratio",
    "amount_per_event",
    "latitude",
    "longitude",
    "coalition_opt_out",
    "two_tier_opt_out",
    "active",
)


class CampaignNotArchived(LookupError):
    """The archive holds no campaign of that id for that account."""


def _snapshot(campaign: Campaign) -> list[tuple[str, str | bool | None]]:
    shown = [(column, audit_value(column, getattr(campaign, column))) for column in SNAPSHOT_COLUMNS]
    return [(column, value) for column, value in shown if value is not None]


def _counts(counts: ArchiveCounts) -> list[tuple[str, str]]:
    return [("rewards", str(counts.rewards)), ("transactions", str(counts.ledger_entries))]


def creation_changes(campaign: Campaign) -> tuple[Change, ...]:
    return tuple(Change(column, None, value) for column, value in _snapshot(campaign))


def deletion_changes(campaign: Campaign, counts: ArchiveCounts) -> tuple[Change, ...]:
    return tuple(Change(column, value, None) for column, value in [*_snapshot(campaign), *_counts(counts)])


def restoration_changes(campaign: Campaign, counts: ArchiveCounts) -> tuple[Change, ...]:
    return tuple(Change(column, None, value) for column, value in [*_snapshot(campaign), *_counts(counts)])


async def restore_campaign(store: Store, account: Account, campaign_id: str, by: str) -> RestoredCampaign:
    """Bring the campaign back from the archive, whole, and audit it as restored by ``by``.

    Raises :class:`CampaignNotArchived`, or the store's ``ArchiveConflict`` when it cannot come back as it was.
    """

    async def work(tx: WriteTx) -> RestoredCampaign:
        restored = await tx.restore_campaign(account.pk, campaign_id)
        if restored is None:
            raise CampaignNotArchived(campaign_id)
        await tx.append_audit(
            NewAudit(
                account_pk=account.pk,
                user_name=by,
                entity="campaign",
                entity_id=campaign_id,
                action="restore",
                changes=restoration_changes(restored.campaign, restored.counts),
                at=utc_now(),
                campaign_id=campaign_id,
            )
        )
        return restored

    return await store.write(work)
