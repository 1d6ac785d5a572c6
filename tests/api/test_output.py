"""The output choice over HTTP on the real app: ``output`` (any case), ``condensed``, ``callback`` (JSONP) and the
version fields, for successes and errors.  :func:`choose_output` on its own is in
``tests/unit/test_protocol_output.py``."""

from __future__ import annotations

import json
import re
from typing import Final

import pytest
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from renderers.jsonp import CALLBACK_MAX_LENGTH
from tests.support.api import CONDENSED_FALSE_WORDS as FALSE_WORDS
from tests.support.api import CONDENSED_TRUE_WORDS as TRUE_WORDS
from tests.support.api import credentials, xml_of
from tests.support.demo import GIFTCARD, POINTS
from tests.support.transport import stored_campaign
from tests.support.users import ADMIN

ACCOUNT = ADMIN[0]
UPDATE: Final = {
    **credentials(),
    "type": "campaign_update",
    "action": "campaign",
    "campaign_id": GIFTCARD,
    "new_campaign_name": "Output test",
}
XML_BODY: Final = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<response status="updated"><campaign><id>1234567890123450</id></campaign></response>'
)
PRETTY_JSON: Final = b'{\n  "status": "updated",\n  "campaign": {\n    "id": "1234567890123450"\n  }\n}'
CONDENSED_JSON: Final = b'{"status":"updated","campaign":{"id":"1234567890123450"}}'
XML_TYPE: Final = "text/xml; charset=utf-8"
JSON_TYPE: Final = "application/json"
JSONP_TYPE: Final = "application/javascript; charset=utf-8"


@pytest.mark.parametrize("output", ["JSON", "json", "Json"])
def test_json_in_any_case(client: TestClient, output: str) -> None:
    reply = client.post("/api.php", data={**UPDATE, "output": output})
    assert reply.status_code == 200
    assert reply.headers["content-type"] == JSON_TYPE
    assert reply.content == PRETTY_JSON


@pytest.mark.parametrize("output", ["XML", "xml", "Xml"])
def test_xml_in_any_case(client: TestClient, output: str) -> None:
    reply = client.post("/api.php", data={**UPDATE, "output": output})
    assert reply.headers["content-type"] == XML_TYPE
    assert reply.content == XML_BODY


def test_an_unknown_output_is_answered_in_xml_and_changes_nothing(client: TestClient, settings: Settings) -> None:
    reply = client.post("/api.php", data={**UPDATE, "output": "yaml", "new_campaign_name": "Not stored"})
    assert reply.status_code == 200
    assert reply.headers["content-type"] == XML_TYPE
    root = xml_of(reply.content)
    error = root.find("error")
    assert root.get("status") == "error" and error is not None
    assert error.get("code") == "parameter_invalid"
    assert error.text == "The field output must be XML or JSON, not 'yaml'."
    assert stored_campaign(settings, ACCOUNT, GIFTCARD)["name"] == "Widget Card"


@pytest.mark.parametrize("version", [{"API": "1.5"}, {"API": "1.1"}, {"API": "1.6"}, {"API": "banana"}, {"api": "9"}])
@pytest.mark.parametrize("output", ["XML", "JSON"])
def test_version_fields_are_ignored(client: TestClient, version: dict[str, str], output: str) -> None:
    reply = client.post("/api.php", data={**UPDATE, **version, "output": output})
    assert reply.content == (XML_BODY if output == "XML" else PRETTY_JSON)


@pytest.mark.parametrize("word", TRUE_WORDS)
def test_condensed_json(client: TestClient, word: str) -> None:
    reply = client.post("/api.php", data={**UPDATE, "output": "JSON", "condensed": word})
    assert reply.content == CONDENSED_JSON


@pytest.mark.parametrize("word", FALSE_WORDS)
def test_not_condensed_json(client: TestClient, word: str) -> None:
    reply = client.post("/api.php", data={**UPDATE, "output": "JSON", "condensed": word})
    assert reply.content == PRETTY_JSON


@pytest.mark.parametrize("word", ["yes", "no", "1"])
def test_xml_is_unaffected_by_condensed(client: TestClient, word: str) -> None:
    assert client.post("/api.php", data={**UPDATE, "condensed": word}).content == XML_BODY


def test_condensed_error_has_no_whitespace_outside_strings(client: TestClient) -> None:
    reply = client.post("/api.php", data={**UPDATE, "user_password": "wrong", "output": "json", "condensed": "y"})
    body = reply.content.decode()
    outside = re.sub(r'"(?:[^"\\]|\\.)*"', "", body)
    assert not re.search(r"\s", outside)
    assert json.loads(body)["error_code"] == "no_valid_session"


@pytest.mark.parametrize("output", ["", "XML", "JSON", "yaml"])
def test_a_callback_means_jsonp_over_http(client: TestClient, output: str) -> None:
    reply = client.post("/api.php", data={**UPDATE, "output": output, "callback": "jQuery_1.cb$"})
    assert reply.status_code == 200
    assert reply.headers["content-type"] == JSONP_TYPE
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.content == b"/**/jQuery_1.cb$(" + PRETTY_JSON + b");"


def test_condensed_jsonp(client: TestClient) -> None:
    reply = client.get("/api.php", params={**UPDATE, "callback": "cb", "condensed": "TRUE"})
    assert reply.content == b"/**/cb(" + CONDENSED_JSON + b");"


def test_a_callback_of_the_longest_length_is_accepted(client: TestClient) -> None:
    callback = "a" * CALLBACK_MAX_LENGTH
    reply = client.post("/api.php", data={**UPDATE, "callback": callback})
    assert reply.content.startswith(b"/**/" + callback.encode() + b"(")


@pytest.mark.parametrize("callback", ["a" * (CALLBACK_MAX_LENGTH + 1), "alert(document.cookie)//", "1x", "a b"])
def test_an_invalid_callback_gets_400_in_plain_json(client: TestClient, callback: str) -> None:
    reply = client.post("/api.php", data={**UPDATE, "callback": callback, "output": "XML"})
    assert reply.status_code == 400
    assert reply.headers["content-type"] == JSON_TYPE
    assert json.loads(reply.content) == {
        "status": "error",
        "error": "The callback must be a JavaScript identifier path of at most 128 characters.",
        "error_code": "invalid_callback",
    }
    assert callback.encode() not in reply.content


def test_an_invalid_callback_is_checked_before_credentials(client: TestClient) -> None:
    reply = client.post("/api.php", data={**UPDATE, "user_password": "wrong", "callback": "no good"})
    assert reply.status_code == 400
    assert json.loads(reply.content)["error_code"] == "invalid_callback"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"user_password": "wrong"}, "no_valid_session"),
        ({"campaign_id": "0000000000000000"}, "campaign_not_found"),
        ({"type": "nope"}, "unsupported_call"),
    ],
)
def test_call_errors_go_through_the_callback(client: TestClient, fields: dict[str, str], code: str) -> None:
    reply = client.post("/api.php", data={**UPDATE, **fields, "callback": "show", "condensed": "yes"})
    assert reply.status_code == 200
    assert reply.headers["content-type"] == JSONP_TYPE
    match = re.fullmatch(rb"/\*\*/show\((.*)\);", reply.content, re.DOTALL)
    assert match is not None
    body = json.loads(match.group(1))
    assert body["status"] == "error"
    assert body["error_code"] == code


def test_jsonp_escapes_line_separators(client: TestClient) -> None:
    # An invalid ratio is quoted in the message, so its text reaches the JSONP body.
    fields = {**UPDATE, "campaign_id": POINTS, "new_points_ratio": "1\u20282\u20293"}
    reply = client.post("/api.php", data={**fields, "callback": "cb"})
    assert b"\\u2028" in reply.content and b"\\u2029" in reply.content
    assert "\u2028".encode() not in reply.content and "\u2029".encode() not in reply.content
