"""The demo's users, as the tests name them: ``(account_id, user_id, key)``."""

from __future__ import annotations

from typing import Final

__all__ = ["ADMIN", "CLERK", "MANAGER", "OTHER_ADMIN", "User"]

User = tuple[str, str, str]

ADMIN: Final = ("greatwidgets", "john1970", "1959caadac9b13dcb3")
MANAGER: Final = ("greatwidgets", "mgr1970", "m4n4g3rm4n4g3rm4n4")  # may see POINTS and EARNED only
CLERK: Final = ("greatwidgets", "clerk1970", "c1e4c1e4c1e4c1e4c1")
OTHER_ADMIN: Final = ("otherco", "otheradmin", "0th3r0th3r0th3r0th3r")
