"""Operator commands on campaigns: add, show, history, restore."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import click

from loyalty_api.campaigns.archive import CampaignNotArchived, restore_campaign
from loyalty_api.campaigns.creation import new_campaign_id
from loyalty_api.campaigns.rules import DESCRIPTION_LIMIT, audit_value, parse_money, parse_name, parse_ratio
from loyalty_api.cli._common import echo_json, require_account, restorer_name, with_store
from loyalty_api.errors import ApiError
from loyalty_api.store.interface import ArchiveConflict, Store
from loyalty_api.store.models import CAMPAIGN_TYPES, AuditRecord, Campaign
from loyalty_api.values import parse_text

__all__ = ["audit_json", "campaign", "campaign_json"]


@click.group()
def campaign() -> None:
    """Campaigns of an account."""


@campaign.command("add")
@click.option("--account", "account_id", required=True)
@click.option("--type", "type_", type=click.Choice(CAMPAIGN_TYPES), required=True)
@click.option("--name", required=True)
@click.option("--id", "campaign_id", help="Campaign id (a new 16-digit id when left out).")
@click.option("--description")
@click.option("--points-ratio", help="points campaigns (default 100)")
@click.option("--reward-ratio", help="points campaigns (default: redeeming by currency value off)")
@click.option("--amount-per-event", help="earned campaigns (default 0)")
def campaign_add(
    account_id: str,
    type_: str,
    name: str,
    campaign_id: str | None,
    description: str | None,
    points_ratio: str | None,
    reward_ratio: str | None,
    amount_per_event: str | None,
) -> None:
    """Create a campaign and print it."""
    try:
        if not name.strip():
            raise click.BadParameter("must not be blank", param_hint="--name")
        values: dict[str, object] = {"type": type_, "name": parse_name("name", name.strip())}
        if description and description.strip():
            values["description"] = parse_text("description", description.strip(), limit=DESCRIPTION_LIMIT)
        if type_ == "points":
            values["points_ratio"] = parse_ratio("points_ratio", points_ratio) if points_ratio else Decimal(100)
            values["reward_ratio"] = parse_ratio("reward_ratio", reward_ratio) if reward_ratio else None
        elif points_ratio or reward_ratio:
            raise click.BadParameter("only points campaigns have ratios")
        if type_ == "earned":
            values["amount_per_event"] = parse_money("amount_per_event", amount_per_event or "0")
        elif amount_per_event:
            raise click.BadParameter("only earned campaigns have an amount per event")
    except ApiError as exc:
        raise click.BadParameter(exc.message) from exc

    async def run(store: Store) -> None:
        found = await require_account(store, account_id)
        chosen = campaign_id
        if chosen is None:
            chosen = new_campaign_id()
            while await store.campaign_id_in_use(chosen):
                chosen = new_campaign_id()
        elif await store.get_campaign(found.pk, chosen) is not None:
            raise click.ClickException(f"the campaign {chosen!r} exists already in {account_id!r}")
        created = await store.add_campaign(found.pk, {**values, "campaign_id": chosen})
        echo_json(campaign_json(created, account_id))

    asyncio.run(with_store(run, writes=True))


@campaign.command("show")
@click.argument("campaign_id")
@click.option("--account", "account_id", required=True)
def campaign_show(campaign_id: str, account_id: str) -> None:
    """Print the stored campaign as one JSON object."""

    async def run(store: Store) -> None:
        found = await require_account(store, account_id)
        stored = await store.get_campaign(found.pk, campaign_id)
        if stored is None:
            raise click.ClickException(f"no campaign {campaign_id!r} in {account_id!r}")
        echo_json(campaign_json(stored, account_id))

    asyncio.run(with_store(run))


@campaign.command("history")
@click.argument("campaign_id")
@click.option("--account", "account_id", required=True)
def campaign_history(campaign_id: str, account_id: str) -> None:
    """Print the campaign's audit trail, one JSON object per line, oldest first."""

    async def run(store: Store) -> None:
        found = await require_account(store, account_id)
        for record in await store.campaign_history(found.pk, campaign_id):
            echo_json(audit_json(record))

    asyncio.run(with_store(run))


@campaign.command("restore")
@click.argument("campaign_id")
@click.option("--account", "account_id", required=True)
@click.option("--by", "by", required=True, help="Who restores it; the audit trail records this name.")
def campaign_restore(campaign_id: str, account_id: str, by: str) -> None:
    """Bring a deleted campaign back from the archive, with its rewards and transactions, and print it."""
    name = restorer_name(by)

    async def run(store: Store) -> None:
        found = await require_account(store, account_id)
        try:
            restored = await restore_campaign(store, found, campaign_id, name)
        except CampaignNotArchived:
            raise click.ClickException(f"no deleted campaign {campaign_id!r} in {account_id!r}") from None
        except ArchiveConflict as exc:
            raise click.ClickException(f"cannot restore campaign {campaign_id!r}: {exc}") from exc
        echo_json(campaign_json(restored.campaign, account_id))
        counts = restored.counts
        click.echo(f"restored with {counts.rewards} rewards and {counts.ledger_entries} transactions", err=True)

    asyncio.run(with_store(run, writes=True))


def campaign_json(stored: Campaign, account_id: str) -> dict[str, object]:
    columns = ("name", "description", "points_ratio", "reward_ratio", "amount_per_event")
    shown: dict[str, object] = {"id": stored.campaign_id, "account_id": account_id, "type": stored.type}
    shown.update({column: audit_value(column, getattr(stored, column)) for column in columns})
    shown.update(
        coalition_opt_out=stored.coalition_opt_out,
        two_tier_opt_out=stored.two_tier_opt_out,
        active=stored.active,
        created_at=_iso(stored.created_at),
        updated_at=_iso(stored.updated_at),
    )
    return shown


def audit_json(record: AuditRecord) -> dict[str, object]:
    return {
        "id": record.id,
        "at": _iso(record.at),
        "account_id": record.account_id,
        "user_id": record.user_name,
        "entity": record.entity,
        "entity_id": record.entity_id,
        "action": record.action,
        "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in record.changes],
    }


def _iso(moment: object) -> str:
    from datetime import datetime

    assert isinstance(moment, datetime)
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")
