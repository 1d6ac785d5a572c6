"""What each role may do: the role sets the calls' checks use, and the list ``user_info`` answers from them.

Administrators (``A``) may do everything, managers (``M``) everything but create and delete campaigns, define custom
fields and manage users, clerks (``K``) record customers and transactions only (``docs/security.md``).  The calls
check :data:`ADMINS` and :data:`MANAGERS` (``campaigns/access.py`` names them for the campaign calls);
:data:`PERMISSIONS` names each check after the calls it guards, and a test holds every name to what the calls really
allow.
"""

from __future__ import annotations

from typing import Final

from loyalty_api.store.models import Role

__all__ = ["ADMINS", "EVERYONE", "MANAGERS", "PERMISSIONS", "permissions_of"]

ADMINS: Final = frozenset({Role.ADMIN})
MANAGERS: Final = frozenset({Role.ADMIN, Role.MANAGER})
EVERYONE: Final = frozenset(Role)

#: (name, the roles allowed), in the order ``user_info`` lists them.
PERMISSIONS: Final[tuple[tuple[str, frozenset[Role]], ...]] = (
    ("campaign_new", ADMINS),
    ("campaign_update", MANAGERS),
    ("campaign_delete", ADMINS),
    ("campaign_deactivate", MANAGERS),  # and campaign_reactivate
    ("campaign_rewards", MANAGERS),  # add, change and delete rewards and buy-x items
    ("campaigns_inactive_list", MANAGERS),
    ("record_customer", EVERYONE),
    ("customer_delete", MANAGERS),
    ("record_activity", EVERYONE),
    ("redeem", EVERYONE),
    ("transaction_delete", MANAGERS),
    ("manage_fields", ADMINS),  # add, change and delete custom field definitions (listing them: everyone)
    ("manage_users", ADMINS),  # user_new, user_update, user_delete, users_list, campaign_users
)


def permissions_of(role: Role) -> list[tuple[str, bool]]:
    """Each permission's name and whether ``role`` has it."""
    return [(name, role in roles) for name, roles in PERMISSIONS]
