"""Hypothesis properties of the whole endpoint: any text in any field gives a well-formed answer.

* Any ``st.text()`` in any field of a ``campaign_update`` (and in fields the call does not know) gives, in every
  output form, a document that parses: XML with lxml, JSON with :mod:`json`, JSONP as ``/**/cb(<json>);``; with
  HTTP 200, never a 500, never a traceback, never an ``internal_error``.
* Any text in ``output``, ``condensed`` and ``callback`` gives the form those fields ask for, or the transport's
  error document (a bad callback: HTTP 400 in plain JSON).
* A valid name or description, sent by any transport, is stored exactly as its trimmed text
  (read back with ``loyalty-api campaign show``).

One database per test function, shared by its examples (the updates pile up in it, which is fine), and a modest
number of examples, so that the suite stays fast.
"""

from __future__ import annotations

import json
import re
from typing import Final

import httpx2 as httpx
from hypothesis import event, given, settings
from hypothesis import strategies as st
from lxml import etree
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from loyalty_api.errors import CATALOGUE
from renderers import is_valid_callback
from tests.support.api import credentials
from tests.support.cli import show
from tests.support.demo import GREATWIDGETS_CAMPAIGNS, OTHERCO_POINTS
from tests.support.properties import ON_A_SHARED_DATABASE
from tests.support.transport import TRANSPORTS, send

CAMPAIGNS: Final = (*GREATWIDGETS_CAMPAIGNS, OTHERCO_POINTS)
CALL_FIELDS: Final = (
    "new_campaign_name",
    "description",
    "new_points_ratio",
    "new_reward_ratio",
    "new_amount_per_event",
    "coalition_opt_out",
    "two_tier_opt_out",
    "campaign_id",
    "type",
    "action",
    "user_id",
    "user_password",
    "user_api_key",
    "account_id",
    "API",
)
OUTPUT_FIELDS: Final = ("output", "condensed", "callback")
CALLBACK: Final = "cb.done"
FORMS: Final[dict[str, tuple[dict[str, str], str]]] = {
    "xml": ({"output": "XML"}, "text/xml; charset=utf-8"),
    "json": ({"output": "JSON"}, "application/json"),
    "condensed": ({"output": "JSON", "condensed": "yes"}, "application/json"),
    "jsonp": ({"callback": CALLBACK}, "application/javascript; charset=utf-8"),
}
STATUSES: Final = frozenset({"updated", "error"})
_JSONP: Final = re.compile(rb"/\*\*/([A-Za-z0-9_$.]+)\((.*)\);", re.DOTALL)

# Field names the multipart builder can put in a header as they are.
_KEYS: Final = st.text(st.characters(codec="utf-8", exclude_characters='"\r\n'), min_size=1, max_size=12)


def _base(campaign_id: str) -> dict[str, str]:
    return {**credentials(), "type": "campaign_update", "action": "campaign", "campaign_id": campaign_id}


def _check_json(value: object) -> dict[str, object]:
    assert isinstance(value, dict)
    assert value["status"] in STATUSES
    if value["status"] == "error":
        assert isinstance(value["error"], str) and value["error"]
        assert value["error_code"] in CATALOGUE
        assert value["error_code"] != "internal_error", value
    return value


def _check_xml(body: bytes) -> None:
    root = etree.fromstring(body)
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    assert root.tag == "response"
    assert root.get("status") in STATUSES
    if root.get("status") == "error":
        errors = root.findall("error")
        assert len(errors) == 1
        assert errors[0].get("code") in CATALOGUE
        assert errors[0].get("code") != "internal_error", body
        assert errors[0].text


def _check_reply(reply: httpx.Response, content_type: str, *, callback: str = CALLBACK) -> None:
    """The answer is a well-formed document of ``content_type``."""
    assert reply.status_code != 500
    assert b"Traceback" not in reply.content
    assert reply.headers["content-type"] == content_type
    if content_type.startswith("text/xml"):
        _check_xml(reply.content)
    elif content_type == "application/json":
        _check_json(json.loads(reply.content))
    else:
        match = _JSONP.fullmatch(reply.content)
        assert match is not None, reply.content
        assert match.group(1) == callback.encode()
        _check_json(json.loads(match.group(2)))
        assert reply.headers["x-content-type-options"] == "nosniff"


@settings(max_examples=80, deadline=None, suppress_health_check=ON_A_SHARED_DATABASE)
@given(
    campaign_id=st.sampled_from(CAMPAIGNS),
    transport=st.sampled_from(TRANSPORTS),
    fuzzed=st.dictionaries(st.sampled_from(CALL_FIELDS) | _KEYS.filter(lambda k: k not in OUTPUT_FIELDS), st.text()),
)
def test_any_text_in_any_field_gives_a_well_formed_answer_in_every_form(
    shared_client: TestClient, campaign_id: str, transport: str, fuzzed: dict[str, str]
) -> None:
    client = shared_client
    for form, (output, content_type) in FORMS.items():
        reply = send(client, transport, {**_base(campaign_id), **fuzzed, **output})
        assert reply.status_code == 200, reply.content
        _check_reply(reply, content_type)
        if form == "json":
            answer = json.loads(reply.content)
            event(f"answer: {answer.get('error_code', answer['status'])}")


@settings(max_examples=80, deadline=None, suppress_health_check=ON_A_SHARED_DATABASE)
@given(
    output=st.none() | st.text() | st.sampled_from(["json", "XML", "Json "]),
    condensed=st.none() | st.text() | st.sampled_from(["yes", "Y", "true", "1", "no"]),
    callback=st.none()
    | st.text()
    | st.from_regex(r"[A-Za-z_$][A-Za-z0-9_$]{0,8}(\.[A-Za-z_$][A-Za-z0-9_$]{0,8})?", fullmatch=True),
    wrong_key=st.booleans(),
)
def test_any_text_in_the_output_fields_gives_the_form_asked_for(
    shared_client: TestClient, output: str | None, condensed: str | None, callback: str | None, wrong_key: bool
) -> None:
    client = shared_client
    fields = {**_base("1234567890123454"), "new_campaign_name": "Output fields"}
    if wrong_key:
        fields["user_password"] = "not-the-key"
    for name, value in (("output", output), ("condensed", condensed), ("callback", callback)):
        if value is not None:
            fields[name] = value
    reply = client.post("/api.php", data=fields)
    wanted_callback = (callback or "").strip()
    if wanted_callback and not is_valid_callback(wanted_callback):
        assert reply.status_code == 400
        _check_reply(reply, "application/json")
        assert json.loads(reply.content)["error_code"] == "invalid_callback"
        return
    assert reply.status_code == 200
    if wanted_callback:
        _check_reply(reply, "application/javascript; charset=utf-8", callback=wanted_callback)
        return
    wanted_output = (output or "").strip().lower()
    if wanted_output == "json":
        _check_reply(reply, "application/json")
        if (condensed or "").strip().lower() in {"yes", "y", "true", "1"}:
            assert b"\n" not in reply.content
    else:
        _check_reply(reply, "text/xml; charset=utf-8")
        if wanted_output not in ("", "xml"):
            root = etree.fromstring(reply.content)
            assert root.find("error") is not None
            assert root.find("error").get("code") == "parameter_invalid"  # type: ignore[union-attr]


# NUL is refused in every field (no database stores it: test_nul_is_refused_naming_the_field); lone surrogates
# cannot be sent over HTTP at all (they have no UTF-8 form).
_NO_NUL = st.text(st.characters(exclude_characters="\x00", codec="utf-8"), min_size=1, max_size=260)


def test_nul_is_refused_naming_the_field(shared_client: TestClient, shared_settings: Settings) -> None:
    client = shared_client
    before = show(shared_settings, CAMPAIGNS[0])
    reply = send(client, "urlencoded", {**_base(CAMPAIGNS[0]), "new_campaign_name": "a\x00b"})
    error = etree.fromstring(reply.content).find("error")
    assert error is not None and error.get("code") == "parameter_invalid"
    assert "new_campaign_name" in (error.text or "")
    assert show(shared_settings, CAMPAIGNS[0]) == before


@settings(max_examples=40, deadline=None, suppress_health_check=ON_A_SHARED_DATABASE)
@given(
    campaign_id=st.sampled_from(CAMPAIGNS[:-1]),
    transport=st.sampled_from(TRANSPORTS),
    name=_NO_NUL.filter(lambda text: 1 <= len(text.strip()) <= 255),
    description=_NO_NUL.filter(lambda text: text.strip() != "" and len(text) <= 300),
)
def test_stored_text_is_the_trimmed_text_sent(
    shared_client: TestClient, shared_settings: Settings, campaign_id: str, transport: str, name: str, description: str
) -> None:
    client = shared_client
    fields = {**_base(campaign_id), "new_campaign_name": name, "description": description}
    reply = send(client, transport, fields)
    assert reply.status_code == 200
    root = etree.fromstring(reply.content)
    assert root.get("status") == "updated", reply.content
    shown = show(shared_settings, campaign_id)
    assert shown["name"] == name.strip()
    assert shown["description"] == description.strip()
