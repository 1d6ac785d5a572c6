"""Operator commands on customers: the audit trail, and restoring a deleted customer from the archive."""

from __future__ import annotations

import asyncio

import click

from loyalty_api.cli._campaigns import audit_json
from loyalty_api.cli._common import echo_json, require_account, restorer_name, with_store
from loyalty_api.customers.archive import CustomerNotArchived, restore_customer
from loyalty_api.store.interface import ArchiveConflict, Store
from loyalty_api.store.models import Customer

__all__ = ["customer", "customer_json"]


@click.group()
def customer() -> None:
    """Customers of an account."""


@customer.command("history")
@click.argument("code")
@click.option("--account", "account_id", required=True)
def customer_history(code: str, account_id: str) -> None:
    """Print the audit trail of the customer CODE, one JSON object per line, oldest first."""

    async def run(store: Store) -> None:
        found = await require_account(store, account_id)
        for record in await store.customer_history(found.pk, code):
            echo_json(audit_json(record))

    asyncio.run(with_store(run))


@customer.command("restore")
@click.argument("code")
@click.option("--account", "account_id", required=True)
@click.option("--by", "by", required=True, help="Who restores them; the audit trail records this name.")
def customer_restore(code: str, account_id: str, by: str) -> None:
    """Bring a deleted customer back from the archive, with their transactions, and print them."""
    name = restorer_name(by)

    async def run(store: Store) -> None:
        found = await require_account(store, account_id)
        try:
            restored = await restore_customer(store, found, code, name)
        except CustomerNotArchived:
            raise click.ClickException(f"no deleted customer {code!r} in {account_id!r}") from None
        except ArchiveConflict as exc:
            raise click.ClickException(f"cannot restore customer {code!r}: {exc}") from exc
        echo_json(customer_json(restored.customer, account_id))
        click.echo(f"restored with {restored.ledger_entries} transactions", err=True)

    asyncio.run(with_store(run, writes=True))


def customer_json(stored: Customer, account_id: str) -> dict[str, object]:
    """The customer as the CLI prints it: every field but the secrets."""
    shown: dict[str, object] = {"code": stored.code, "account_id": account_id}
    shown.update(stored.profile)
    shown.update(registered=stored.registered, created_at=stored.created_at.isoformat().replace("+00:00", "Z"))
    return shown
