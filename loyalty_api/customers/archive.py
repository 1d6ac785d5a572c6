"""Customers going to the archive and coming back: the audit records of both, and the operator's restore.

A deleted customer's audit record shows every profile field they had (to nothing) and how many transactions went
with them; a restoration shows the same from nothing.  Secrets are never in the audit, not even as hashes.
"""

from __future__ import annotations

from loyalty_api.store.interface import Store, WriteTx
from loyalty_api.store.models import (
    CUSTOMER_PROFILE_FIELDS,
    Account,
    Change,
    Customer,
    NewAudit,
    RestoredCustomer,
    utc_now,
)

__all__ = ["CustomerNotArchived", "deletion_changes", "restoration_changes", "restore_customer"]


class CustomerNotArchived(LookupError):
    """The archive holds no customer of that code for that account."""


def _snapshot(customer: Customer, entries: int) -> list[tuple[str, str | bool]]:
    shown: list[tuple[str, str | bool]] = [(name, customer.profile[name]) for name in CUSTOMER_PROFILE_FIELDS]
    kept = [(name, value) for name, value in shown if value]
    return [*kept, ("registered", customer.registered), ("transactions", str(entries))]


def deletion_changes(customer: Customer, entries: int) -> tuple[Change, ...]:
    return tuple(Change(name, value, None) for name, value in _snapshot(customer, entries))


def restoration_changes(customer: Customer, entries: int) -> tuple[Change, ...]:
    return tuple(Change(name, None, value) for name, value in _snapshot(customer, entries))


async def restore_customer(store: Store, account: Account, code: str, by: str) -> RestoredCustomer:
    """Bring the customer back from the archive with their transactions, audited as restored by ``by``.

    Raises :class:`CustomerNotArchived`, or the store's ``ArchiveConflict`` when they cannot come back as they were.
    """

    async def work(tx: WriteTx) -> RestoredCustomer:
        restored = await tx.restore_customer(account.pk, code)
        if restored is None:
            raise CustomerNotArchived(code)
        await tx.append_audit(
            NewAudit(
                account_pk=account.pk,
                user_name=by,
                entity="customer",
                entity_id=code,
                action="restore",
                changes=restoration_changes(restored.customer, restored.ledger_entries),
                at=utc_now(),
            )
        )
        return restored

    return await store.write(work)
