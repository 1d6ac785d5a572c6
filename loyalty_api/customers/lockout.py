"""The lockout of ``validate_customer_password``: at most 5 failures per subject in a sliding 15-minute window.

The failures are rows in the database (``customer_login_failures``), so the limit holds across worker processes
and nodes.  A subject is the customer when the identifier names one, else the identifier itself: an unknown
identifier is counted and locked exactly like a known one.  An attempt is recorded as a failure before the secret
is checked (so that concurrent attempts cannot pass the limit together) and a success deletes the subject's
failures.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Final

from loyalty_api.store.models import Customer, utc_now

__all__ = ["MAX_FAILURES", "WINDOW", "clock", "subject_of"]

MAX_FAILURES: Final = 5
WINDOW: Final = timedelta(minutes=15)

# The time the lockout goes by (tests move it).
clock: Callable[[], datetime] = utc_now


def subject_of(customer: Customer | None, key: str, value: str) -> str:
    """Whose failures an attempt counts among: the customer's, or the unknown identifier's."""
    if customer is not None:
        return f"customer:{customer.pk}"
    return f"{key}:{value}"
