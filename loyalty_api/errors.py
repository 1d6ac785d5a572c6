"""The error catalogue: one mnemonic and one message template per error.

Every error a client can see is listed here, and ``docs/errors.md`` is the same list for people
(``tests/unit/test_errors.py`` keeps the two in step).  XML carries the mnemonic as
``<error code="...">``, JSON as ``"error_code"`` beside ``"error"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["CATALOGUE", "ApiError", "ErrorSpec", "catalogue_markdown"]


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    code: str
    http_status: int
    template: str
    description: str


def _spec(code: str, template: str, description: str, http_status: int = 200) -> ErrorSpec:
    return ErrorSpec(code, http_status, template, description)


CATALOGUE: Final[dict[str, ErrorSpec]] = {
    spec.code: spec
    for spec in (
        _spec(
            "request_too_large",
            "{detail}",
            "The body is over 1 MiB or carries more than 1,000 fields (HTTP 413).",
            413,
        ),
        _spec("method_not_allowed", "Use GET or POST.", "Any HTTP method but GET and POST (HTTP 405).", 405),
        _spec(
            "unsupported_media_type",
            "Send the fields as application/x-www-form-urlencoded or multipart/form-data.",
            "A POST body of another content type (HTTP 415).",
            415,
        ),
        _spec("malformed_request", "{detail}", "A multipart body that cannot be parsed (HTTP 400).", 400),
        _spec(
            "invalid_callback",
            "The callback must be a JavaScript identifier path of at most 128 characters.",
            "A JSONP callback outside the grammar (HTTP 400, answered as plain JSON).",
            400,
        ),
        _spec(
            "no_valid_session",
            "Invalid credentials: check account_id, user_id and user_password (or user_api_key).",
            "Unknown account, unknown user, wrong key, or a user of another account: one answer for all.",
        ),
        _spec("parameter_missing", "The field {field} is required.", "A required field is absent or blank."),
        _spec("parameter_invalid", "{detail}", "A field's value has the wrong form (the message names the field)."),
        _spec(
            "string_parameter_too_long",
            "The field {field} is longer than {limit} characters.",
            "A text field over its length limit.",
        ),
        _spec(
            "parameter_mismatch",
            "{detail}",
            "Fields that do not go together, e.g. a field of another campaign type sent with a value.",
        ),
        _spec("unsupported_call", "{detail}", "Unknown type, or unknown action for that type."),
        _spec(
            "idempotency_key_reused",
            "The idempotency key {key} was sent before with other fields; send a new key for a new request.",
            "An idempotency key this user sent in the last 24 hours (or LOYALTY_IDEMPOTENCY_HOURS) with other fields"
            " (credentials aside); nothing was done.",
        ),
        _spec(
            "campaign_not_found",
            "No campaign {campaign_id} in this account.",
            "The campaign does not exist, belongs to another account, or the user may not see it.",
        ),
        _spec(
            "reward_not_found",
            "No reward {reward_id} in campaign {campaign_id} (reward_id is the reward's <id> from campaign_rewards,"
            " not its identifier).",
            "The reward does not exist, was deleted, or belongs to another campaign.",
        ),
        _spec(
            "item_not_found",
            "No item {item_id} in campaign {campaign_id} (an item is named by its <id> or its item_identifier).",
            "The buyx item does not exist, was deleted, or belongs to another campaign.",
        ),
        _spec(
            "promotion_not_found",
            "No promotion {promo_id} in campaign {campaign_id} (promo_id is the promotion's <id> from"
            " campaign_promos).",
            "campaign_update or campaign_delete (action promo) named a promotion that does not exist, was deleted,"
            " or belongs to another campaign.",
        ),
        _spec(
            "promotion_deleted",
            "The promotion {promo_id} was deleted; it applies to no new sale.",
            "record_activity with the promo_id of a deleted promotion; nothing recorded.",
        ),
        _spec(
            "promotion_wrong_campaign",
            "The promotion {promo_id} belongs to another campaign than {campaign_id}.",
            "record_activity with the promo_id of a promotion of another campaign of the account; nothing recorded.",
        ),
        _spec(
            "promotion_not_active",
            "The promotion {promo_id} {when}.",
            "record_activity outside the promotion's start and end dates (the account's time zone); nothing recorded.",
        ),
        _spec(
            "too_many_promotions",
            "Campaign {campaign_id} already has {limit} promotions; delete one before adding another.",
            "campaign_new (action promo) on a campaign that has as many live promotions as it may (docs/security.md).",
        ),
        _spec(
            "item_identifier_in_use",
            "The item_identifier {identifier} is in use by another item of campaign {campaign_id}.",
            "campaign_new or campaign_update (action item) gave an identifier another item of the campaign has.",
        ),
        _spec(
            "campaign_inactive",
            "Campaign {campaign_id} is deactivated: it takes no new transactions.",
            "record_activity or redeem on a deactivated campaign (campaign_reactivate opens it again).",
        ),
        _spec(
            "customer_not_found",
            "No customer with {field} {value} in this account.",
            "The customer does not exist, was deleted, or belongs to another account.",
        ),
        _spec(
            "customer_not_in_campaign",
            "The customer {customer} has no transactions in campaign {campaign_id}.",
            "customer_balance of a customer never enrolled in the campaign (record_activity enrols them).",
        ),
        _spec(
            "insufficient_balance",
            "The balance is {balance}; {needed} cannot be taken from it.",
            "redeem or transaction_delete would take the balance below zero; nothing was recorded.",
        ),
        _spec(
            "currency_redemption_off",
            "Campaign {campaign_id} has no reward_ratio: redeeming by money value is off.",
            "redeem with custom_dollars_redeem in a points campaign whose reward_ratio is not set.",
        ),
        _spec(
            "transaction_not_found",
            "No transaction {transaction_id} of this customer in campaign {campaign_id} that can be deleted.",
            "transaction_delete of an unknown id, another customer's or campaign's transaction, an enrolment entry,"
            " a reversal, or a transaction deleted already.",
        ),
        _spec(
            "customer_exists",
            "The {field} {value} is in use by another customer of this account.",
            "record_customer gave a code, card_number or customer_username another customer has, or a value of a unique"
            " custom field another customer has.",
        ),
        _spec(
            "field_exists",
            "The field {field} is defined already; change it with action=update.",
            "manage_fields, transaction_fields or manage_reward_fields (action add) of a field the account has.",
        ),
        _spec(
            "field_not_found",
            "No field {field} in this account.",
            "manage_fields, transaction_fields or manage_reward_fields (action delete) of a field the account does not"
            " have.",
        ),
        _spec(
            "field_not_deletable",
            "The field {field} is one of the fixed customer fields, which cannot be deleted.",
            "manage_fields (action delete) of card_number, the names, the address, the secrets, custom_date or"
            " custom_field_1.",
        ),
        _spec(
            "too_many_fields",
            "An account may define at most {limit} {kind} fields; it has {count}.",
            "manage_fields, transaction_fields or manage_reward_fields would take the account past its 50 fields of"
            " that kind; nothing was changed.",
        ),
        _spec(
            "invalid_customer_credentials",
            "The customer identifier, password or PIN does not match.",
            "validate_customer_password: an unknown customer, a wrong secret or phone, or a secret never set.",
        ),
        _spec(
            "too_many_attempts",
            "Too many failed attempts for this {subject}; try again later.",
            "validate_customer_password and the customer_search login (together): 5 failures for one identifier in"
            " the last 15 minutes (right secret or not)."
            " Any call: 20 failed logins in a minute from the client's address, or for the user from an address that"
            " failed for it.",
        ),
        _spec(
            "user_not_found",
            "No user {user_id} in this account.",
            "user_info, user_update, user_delete or campaign_users with a user_name no live user of the caller's"
            " account has.",
        ),
        _spec(
            "user_exists",
            "The user_name {user_id} is taken by another user of this account.",
            "user_new with the name of a live user of the account (a removed user's name is free again).",
        ),
        _spec(
            "user_pin_in_use",
            "The user_PIN is in use by another user of this account.",
            "user_new or user_update with the PIN of another live user of the account (the PIN is never shown).",
        ),
        _spec(
            "user_change_refused",
            "The user {user_id} {reason}; nothing was changed.",
            "user_update, user_delete or campaign_users would remove, demote or limit the account's owner, give the"
            " owner a key from another user, remove or demote the last enabled administrator, or take a campaign from"
            " an administrator.",
        ),
        _spec(
            "token_invalid",
            "The time token is not one this server made for this account.",
            "validate_time_token of a token made for another account, under a secret no longer accepted, or forged.",
        ),
        _spec(
            "token_expired",
            "The time token has expired; generate a new one.",
            "validate_time_token after the token's token_interval has passed.",
        ),
        _spec(
            "time_tokens_off",
            "Time tokens are off on this server: its operator has not set LOYALTY_TOKEN_SECRET.",
            "generate_time_token or validate_time_token on a server without a token secret.",
        ),
        _spec(
            "permission_denied",
            "The user {user_id} may not {what}.",
            "The user's role does not allow the call on a campaign the user can see; or a user call or"
            " account_update by a non-administrator, or one that would give a role or campaigns above the caller's"
            " own.",
        ),
        _spec(
            "internal_error",
            "The server could not answer this request; nothing was changed. The fault has been logged.",
            "An unexpected fault of the server (logged with its traceback, never shown).",
        ),
        _spec(
            "balance_limit",
            "The transaction would take a balance or cumulative total past 90,000,000,000,000.00, the largest the"
            " server keeps; nothing was recorded.",
            "record_activity, redeem or transaction_delete: the customer's balance or cumulative total in the campaign"
            " would pass the store's limit.",
        ),
        _spec(
            "query_timeout",
            "The request asks for more work than the server allows one query; nothing was changed."
            " Ask for less (fewer search words, a smaller page).",
            "A statement ran past its time limit (LOYALTY_STATEMENT_TIMEOUT_MS, or LOYALTY_WRITE_STATEMENT_TIMEOUT_MS"
            " for writes) and was stopped. Asking again does not help.",
        ),
        _spec(
            "reads_busy",
            "Searches and long lists have used their share of the server for now; nothing was changed."
            " Try again in a few seconds.",
            "A read that scans (a search, a long list) would have waited longer than LOYALTY_STATEMENT_TIMEOUT_MS for"
            " its turn: such reads may take LOYALTY_HEAVY_READ_PERCENT of each process's time (25%).",
        ),
        _spec(
            "store_unavailable",
            "The service is temporarily unavailable; nothing was changed. Try again.",
            "The database could not be reached or was busy for too long (HTTP 503).",
            503,
        ),
    )
}


class ApiError(Exception):
    """An error answered to the client with its catalogue code and a message naming the field."""

    __slots__ = ("code", "message", "spec")

    def __init__(self, code: str, **params: object) -> None:
        spec = CATALOGUE[code]
        self.spec = spec
        self.code = code
        self.message = spec.template.format(**params)
        super().__init__(self.message)

    @property
    def http_status(self) -> int:
        return self.spec.http_status


def catalogue_markdown() -> str:
    """The catalogue as the Markdown of ``docs/errors.md``.

    Regenerate the file after changing the catalogue:
    ``UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/unit/test_errors.py``.
    """
    lines = [
        "# Error catalogue",
        "",
        "<!-- Generated from loyalty_api/errors.py by catalogue_markdown(); do not edit by hand.",
        "     Regenerate with: UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/unit/test_errors.py -->",
        "",
        "Every error a client can see has a stable code (a mnemonic) and a message. XML carries the code as an",
        "attribute:",
        "",
        "```xml",
        '<response status="error"><error code="parameter_missing">The field user_id is required.</error></response>',
        "```",
        "",
        "JSON carries it beside the message:",
        "",
        "```json",
        '{"status": "error", "error": "The field user_id is required.", "error_code": "parameter_missing"}',
        "```",
        "",
        "Application errors answer HTTP 200, because legacy clients read the body and never the status line; only",
        "transport errors and an unavailable store use another HTTP status, and they still carry an error document.",
        "In a message, `{name}` is filled in for the request at hand (`{field}` is the field concerned, `{detail}` a",
        "sentence naming the field and what is wrong with its value).",
        "",
        "| code | HTTP status | message | when |",
        "|---|---|---|---|",
    ]
    for spec in CATALOGUE.values():
        cells = (
            f"`{spec.code}`",
            str(spec.http_status),
            _markdown_cell(spec.template),
            _markdown_cell(spec.description),
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _markdown_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
