"""The request bodies the suite posts, and what a right answer to each must contain.

Every body is a urlencoded form as a legacy client sends it, with the demo world's credentials.  Bodies of writing
calls carry the marker ``@N@`` in the campaign's description: the wrk script (``bench/lua/post_form.lua``) puts a
counter there that is different on every request, so every request changes the stored campaign and appends an audit
record (a real write, never a no-op).  A call may have several bodies, one a line, that the script takes in turn:
``xml_spread`` updates six campaigns in turn, where the other writing calls all update one campaign (one hot row,
which serializes writers on PostgreSQL's row lock).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import urlencode

from loyalty_api.customers.customer_search import FIND_MAX_CHARACTERS, FIND_MAX_GROUPS, FIND_MAX_WORDS

__all__ = [
    "BALANCE_CUSTOMER",
    "BALANCE_TRANSACTIONS",
    "balance_seed_bodies",
    "CALLS",
    "COUNTER_MARKER",
    "REFERENCE_EXPECTED",
    "SEARCH_BODY",
    "SEARCH_EXPECTED",
    "SEARCH_STOPPED",
    "Call",
    "fill_counter",
    "largest_find_text",
]

COUNTER_MARKER: Final = "@N@"
_PLACEHOLDER: Final = "BENCHCOUNTERHERE"

USER_ID: Final = "john1970"
USER_KEY: Final = "1959caadac9b13dcb3"
ACCOUNT_ID: Final = "greatwidgets"
# The points campaign: the longest campaign_update of the legacy docs (name, description and both ratios).
CAMPAIGN_ID: Final = "1234567890123451"
# Six campaigns of the demo account, one of each type (two points campaigns): for updates spread over rows.
SPREAD_CAMPAIGNS: Final = tuple(f"12345678901234{n}" for n in range(50, 56))

# The demo customer and the points campaign it has transactions in (record_activity, customer_balance).
LEDGER_CUSTOMER: Final = "8000000000000001"
LEDGER_CAMPAIGN: Final = "1234567890123455"
# customer_balance reads a customer of its own, given exactly this many sales before it runs (the demo
# customer has thousands by then: record_activity's run records a sale per request).
BALANCE_CUSTOMER: Final = "8000000000000010"
BALANCE_TRANSACTIONS: Final = 10

# What the reference app answers to every request (its fixed document).
REFERENCE_EXPECTED: Final = 'status="updated"'


@dataclass(frozen=True, slots=True)
class Call:
    """One kind of request: its form body (maybe with ``@N@``) and a substring every right answer contains."""

    name: str
    title: str
    body: str
    expected: str
    writes: bool

    @property
    def bodies(self) -> list[str]:
        """The bodies the wrk script takes in turn (one a line)."""
        return self.body.splitlines()


def _form(fields: dict[str, str]) -> str:
    return urlencode(fields).replace(_PLACEHOLDER, COUNTER_MARKER)


def _update_fields(**extra: str) -> dict[str, str]:
    fields = {
        "user_id": USER_ID,
        "user_password": USER_KEY,
        "type": "campaign_update",
        "action": "campaign",
        "account_id": ACCOUNT_ID,
        "campaign_id": CAMPAIGN_ID,
        "new_campaign_name": "Widget Rewards",
        "description": "Benchmark run " + _PLACEHOLDER,
        "new_points_ratio": "100",
        "new_reward_ratio": "18",
        "API": "1.5",
    }
    fields.update(extra)
    return fields


def _spread_fields(campaign_id: str) -> dict[str, str]:
    """A description change, which every campaign type takes."""
    fields = _update_fields(campaign_id=campaign_id)
    for name in ("new_campaign_name", "new_points_ratio", "new_reward_ratio"):
        del fields[name]
    return fields


def _calls() -> dict[str, Call]:
    calls = [
        Call("xml", "campaign_update XML", _form(_update_fields()), 'status="updated"', True),
        Call(
            "xml_spread",
            "campaign_update XML, 6 campaigns",
            "\n".join(_form(_spread_fields(campaign)) for campaign in SPREAD_CAMPAIGNS),
            'status="updated"',
            True,
        ),
        Call(
            "json",
            "campaign_update JSON condensed",
            _form(_update_fields(output="JSON", condensed="yes")),
            '"status":"updated"',
            True,
        ),
        Call(
            "jsonp",
            "campaign_update JSONP",
            _form(_update_fields(output="JSON", callback="benchCallback")),
            '"status": "updated"',
            True,
        ),
        Call(
            "wrong_key",
            "wrong key (credential path)",
            _form(_update_fields(user_password="0000000000wrongkey0", description="never stored")),
            "no_valid_session",
            False,
        ),
        Call(
            "campaigns_list",
            "campaigns_list XML",
            _form(
                {
                    "user_id": USER_ID,
                    "user_password": USER_KEY,
                    "type": "campaigns_list",
                    "account_id": ACCOUNT_ID,
                    "API": "1.5",
                }
            ),
            'status="success"',
            False,
        ),
        Call(
            "record_activity",
            "record_activity points XML",
            _form(_ledger_fields(type="record_activity", amount="9.95", authorization="Bench sale " + _PLACEHOLDER)),
            'status="success"',
            True,
        ),
        Call(
            "customer_balance",
            "customer_balance, 10 transactions",
            _form(_ledger_fields(type="customer_balance", code=BALANCE_CUSTOMER, transactions_number="10")),
            'status="success"',
            False,
        ),
    ]
    return {call.name: call for call in calls}


def _ledger_fields(**extra: str) -> dict[str, str]:
    """A call on the demo customer's points campaign (it has ledger entries already)."""
    fields = {
        "user_id": USER_ID,
        "user_password": USER_KEY,
        "account_id": ACCOUNT_ID,
        "code": LEDGER_CUSTOMER,
        "campaign_id": LEDGER_CAMPAIGN,
    }
    fields.update(extra)
    return fields


CALLS: Final = _calls()


def fill_counter(body: str, value: str) -> str:
    """The body as the wrk script sends it, with ``value`` where the counter goes."""
    return body.replace(COUNTER_MARKER, value)


def balance_seed_bodies() -> list[str]:
    """What gives customer_balance's customer its sales: enrol it in the campaign, then BALANCE_TRANSACTIONS sales."""
    enrol = _form(
        _ledger_fields(type="record_customer", customer_action="new", code=BALANCE_CUSTOMER, first_name="Bench")
    )
    sale = _ledger_fields(type="record_activity", code=BALANCE_CUSTOMER, amount="9.95")
    return [enrol, *(_form({**sale, "authorization": f"Bench sale {n}"}) for n in range(BALANCE_TRANSACTIONS))]


# search_load: the largest customer_find the server allows, of words no customer has (each starts with this), so
# that every search reads every customer of the account and finds none.
FIND_WORD_PREFIX: Final = "zqx"
SEARCH_EXPECTED: Final = 'status="no_match"'
# What a search the server stopped at its statement timeout answers (counted apart: it ran, but found nothing).
SEARCH_STOPPED: Final = "query_timeout"
_FIND_SEPARATOR: Final = ", "


def largest_find_text() -> str:
    """``find_customer`` at the limits of one search: FIND_MAX_WORDS words in FIND_MAX_GROUPS alternatives,
    FIND_MAX_CHARACTERS characters (``loyalty_api/customers/customer_search.py``)."""
    groups = [
        FIND_MAX_WORDS // FIND_MAX_GROUPS + (n < FIND_MAX_WORDS % FIND_MAX_GROUPS) for n in range(FIND_MAX_GROUPS)
    ]
    # What the separators take (commas between the alternatives, spaces between the words of one); words get the rest.
    fixed = len(_FIND_SEPARATOR) * (len(groups) - 1) + sum(count - 1 for count in groups)
    base, longer = divmod(FIND_MAX_CHARACTERS - fixed, FIND_MAX_WORDS)
    words = iter(range(FIND_MAX_WORDS))
    parts = []
    for count in groups:
        group = []
        for _ in range(count):
            n = next(words)
            head = f"{FIND_WORD_PREFIX}{n:02d}"
            group.append(head.ljust(base + (n < longer), "q"))
        parts.append(" ".join(group))
    return _FIND_SEPARATOR.join(parts)


SEARCH_BODY: Final = _form(
    {
        "user_id": USER_ID,
        "user_password": USER_KEY,
        "type": "customer_find",
        "account_id": ACCOUNT_ID,
        "find_customer": largest_find_text(),
    }
)
