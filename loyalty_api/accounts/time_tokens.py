"""``generate_time_token`` and ``validate_time_token``: a short-lived token of the caller's account
(``docs/accounts.md``, "Time tokens").

A token is 36 capital letters, as the legacy service's were: its expiry (seconds since the epoch, 8 letters in base
26, ``A`` = 0) and a MAC (28 letters, about 131 bits): HMAC-SHA256 under the server's secret
(``LOYALTY_TOKEN_SECRET``) over the account id and the expiry.  Every node with the same secret checks any node's
token without a shared store or any state: nothing is written.  A token checks in its own account only, under the
current secret or the previous one (``LOYALTY_TOKEN_SECRET_PREVIOUS``, for a rotation); it is valid until its expiry
(the moment of its making, rounded up to the second, plus ``token_interval`` seconds) and refused from then on.  No
secret set: both calls answer ``time_tokens_off``.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from typing import Final

from loyalty_api.errors import ApiError
from loyalty_api.handler.context import CallContext, TokenKeys
from loyalty_api.values import quoted
from renderers import Element, el, response

__all__ = [
    "DEFAULT_INTERVAL",
    "MAX_INTERVAL",
    "TOKEN_LENGTH",
    "generate_time_token",
    "make_token",
    "validate_time_token",
]

DEFAULT_INTERVAL: Final = 60
MAX_INTERVAL: Final = 86_400
TOKEN_LENGTH: Final = 36
_EXPIRY_LETTERS: Final = 8
_MAC_LETTERS: Final = TOKEN_LENGTH - _EXPIRY_LETTERS
_ALPHABET: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_TOKEN: Final = re.compile(rf"[A-Z]{{{TOKEN_LENGTH}}}")
_INTERVAL: Final = re.compile(r"\d{1,6}")
_DOMAIN: Final = b"loyalty-api time token v1"
# The token's field, and the legacy page's name of it.
_TOKEN_FIELDS: Final = ("time_token", "token")


async def generate_time_token(ctx: CallContext) -> Element:
    keys = _keys(ctx)
    interval = _interval(ctx.fields.value("token_interval"))
    expiry = math.ceil(keys.clock()) + interval
    return response("success", [el("token", make_token(keys.secrets[0], ctx.principal.account.account_id, expiry))])


async def validate_time_token(ctx: CallContext) -> Element:
    keys = _keys(ctx)
    token = _token(ctx)
    expiry = _number(token[:_EXPIRY_LETTERS])
    account_id = ctx.principal.account.account_id
    # Every secret is tried, whichever matches, so the time taken does not tell which one signed it.
    matches = [hmac.compare_digest(token, make_token(secret, account_id, expiry)) for secret in keys.secrets]
    if not any(matches):
        raise ApiError("token_invalid")
    if keys.clock() >= expiry:
        raise ApiError("token_expired")
    # <response status="valid"></response>, never <response status="valid"/>: clients may look for the open tag.
    return Element("response", "", {"status": "valid"}, [])


def make_token(secret: bytes, account_id: str, expiry: int) -> str:
    """The token of ``account_id`` that expires at ``expiry`` (seconds since the epoch), signed with ``secret``."""
    message = b"\0".join((_DOMAIN, account_id.encode(), str(expiry).encode()))
    mac = int.from_bytes(hmac.new(secret, message, hashlib.sha256).digest(), "big")
    return _letters(expiry, _EXPIRY_LETTERS) + _letters(mac, _MAC_LETTERS)


def _keys(ctx: CallContext) -> TokenKeys:
    keys = ctx.token_keys
    if not keys.secrets:
        raise ApiError("time_tokens_off")
    return keys


def _interval(text: str | None) -> int:
    """``token_interval``: whole seconds from 1 to ``MAX_INTERVAL``; absent or blank, ``DEFAULT_INTERVAL``."""
    if text is None:
        return DEFAULT_INTERVAL
    if not _INTERVAL.fullmatch(text) or not 1 <= int(text) <= MAX_INTERVAL:
        raise ApiError(
            "parameter_invalid",
            detail=f"The field token_interval must be a whole number of seconds from 1 to {MAX_INTERVAL:,},"
            f" not {quoted(text)}.",
        )
    return int(text)


def _token(ctx: CallContext) -> str:
    """The token sent (``time_token``, or ``token`` as the legacy page names it; both must agree)."""
    fields = ctx.fields
    sent = [value for name in _TOKEN_FIELDS if (value := fields.value(name)) is not None]
    if not sent:
        raise ApiError("parameter_missing", field=_TOKEN_FIELDS[0])
    if len(set(sent)) > 1:
        raise ApiError("parameter_mismatch", detail="The fields time_token and token give different tokens.")
    token = sent[0]
    if not _TOKEN.fullmatch(token):
        raise ApiError(
            "parameter_invalid", detail=f"A time token is {TOKEN_LENGTH} capital letters A to Z, as generated."
        )
    return token


def _letters(number: int, width: int) -> str:
    """The last ``width`` base-26 digits of ``number``, most significant first."""
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 26)
        digits.append(_ALPHABET[digit])
    return "".join(reversed(digits))


def _number(letters: str) -> int:
    value = 0
    for letter in letters:
        value = value * 26 + _ALPHABET.index(letter)
    return value
