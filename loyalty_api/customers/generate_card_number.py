"""``type=generate_card_number``: a card number of the asked form that no customer of the account has."""

from __future__ import annotations

from typing import Final

from loyalty_api.customers.fields import generate_digits, parse_card_number_request
from loyalty_api.errors import ApiError
from loyalty_api.handler.context import CallContext
from renderers import Element, el, response

__all__ = ["generate_card_number"]

_DEFAULT_DIGITS: Final = 16
_GENERATION_ATTEMPTS: Final = 50


async def generate_card_number(ctx: CallContext) -> Element:
    request = parse_card_number_request(ctx.fields, "how_many_digits", _DEFAULT_DIGITS)
    assert request is not None
    for _ in range(_GENERATION_ATTEMPTS):
        candidate = generate_digits(request)
        if await ctx.store.get_customer(ctx.principal.account.pk, "card_number", candidate) is None:
            return response("success", [Element("customer", children=[el("card_number", candidate)])])
    raise ApiError(
        "parameter_invalid",
        detail="No unused card number of that form was found: ask for more digits in how_many_digits.",
    )
