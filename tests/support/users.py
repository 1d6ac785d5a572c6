"""The demo's users, as the tests name them: ``(account_id, user_id, key)``."""

from __future__ import annotations

from typing import Final

__all__ = ["ADMIN", "CLERK", "MANAGER", "OTHER_ADMIN", "OTHER_OWNER", "OWNER", "User"]

User = tuple[str, str, str]

ADMIN: Final = ("greatwidgets", "john1970", "1959caadac9b13dcb3")
MANAGER: Final = ("greatwidgets", "mgr1970", "m4n4g3rm4n4g3rm4n4")  # may see POINTS and EARNED only
CLERK: Final = ("greatwidgets", "clerk1970", "c1e4c1e4c1e4c1e4c1")
OTHER_ADMIN: Final = ("otherco", "otheradmin", "0th3r0th3r0th3r0th3r")
OWNER: Final = ("greatwidgets", "greatwidgets", "0wn3r0fgr34tw1dg3ts")  # the account's owner: user_id the account id
OTHER_OWNER: Final = ("otherco", "otherco", "0wn3r0f0th3rc0mp4ny")
