"""Every statement of the store in one dialect, built once per backend, and how classes are given them."""

from __future__ import annotations

from loyalty_api.store.sql.accounts import AccountSql
from loyalty_api.store.sql.archive import ArchiveSql
from loyalty_api.store.sql.campaigns import CampaignSql
from loyalty_api.store.sql.customers import CustomerSql
from loyalty_api.store.sql.dialect import Dialect
from loyalty_api.store.sql.fields import FieldSql
from loyalty_api.store.sql.idempotency import IdempotencySql
from loyalty_api.store.sql.ledger import LedgerSql
from loyalty_api.store.sql.logins import LoginSql
from loyalty_api.store.sql.promotions import PromotionSql

__all__ = ["Statements"]


class Statements:
    """The statements of each feature in one dialect; :meth:`install` makes them class attributes of a store or
    write transaction class (``_campaign_sql``, ``_ledger_sql``, ...), which its mixins read."""

    def __init__(self, d: Dialect) -> None:
        self.dialect = d
        self.accounts = AccountSql(d)
        self.archive = ArchiveSql(d)
        self.campaigns = CampaignSql(d)
        self.customers = CustomerSql(d)
        self.fields = FieldSql(d)
        self.idempotency = IdempotencySql(d)
        self.ledger = LedgerSql(d)
        self.logins = LoginSql(d)
        self.promotions = PromotionSql(d)

    def install(self, cls: type) -> None:
        for name, value in (
            ("_account_sql", self.accounts),
            ("_archive_sql", self.archive),
            ("_campaign_sql", self.campaigns),
            ("_customer_sql", self.customers),
            ("_field_sql", self.fields),
            ("_idempotency_sql", self.idempotency),
            ("_ledger_sql", self.ledger),
            ("_login_sql", self.logins),
            ("_promotion_sql", self.promotions),
        ):
            setattr(cls, name, value)
