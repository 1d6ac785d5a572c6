"""The rules of an account's settings as the command line gives them (flags as booleans), beside the API's
(``tests/api/test_account_update.py``)."""

from __future__ import annotations

import pytest

from loyalty_api.accounts.account_settings import setting_value, shown_name
from loyalty_api.errors import ApiError


def test_flags_come_as_booleans_or_words() -> None:
    assert setting_value("legacy_ampersand", True, "legacy_ampersand") is True
    assert setting_value("in_coalition", " no ", "coalition") is False


def test_a_text_setting_refuses_a_flag() -> None:
    with pytest.raises(ApiError) as raised:
        setting_value("biz_city", True, "biz_city")
    assert (raised.value.code, raised.value.message) == (
        "parameter_invalid",
        "The field biz_city is a text, not a flag.",
    )


def test_the_agency_e_mail_must_be_an_address_and_may_be_blank() -> None:
    assert setting_value("agency_email", " ", "agency_email") == ""
    with pytest.raises(ApiError):
        setting_value("agency_email", "receipts", "agency_email")


def test_shown_names_are_account_infos() -> None:
    assert [shown_name(c) for c in ("name", "currency", "timezone")] == ["biz_name", "symbol", "timezone"]
