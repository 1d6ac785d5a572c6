"""The ``api.php`` transport over HTTP: methods, encodings, field merging, size limits, status codes.

Everything goes through the real ASGI app on each store; the stored result is read back from
the store.  Output choice (``output``, ``condensed``, ``callback``) is in ``test_output.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Final
from urllib.parse import urlencode

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from loyalty_api.protocol.forms import MAX_BODY_BYTES, MAX_FIELDS
from tests.support.api import credentials, xml_of
from tests.support.demo import GIFTCARD, POINTS
from tests.support.transport import TRANSPORTS, multipart_body, send, stored_campaign
from tests.support.users import ADMIN

ACCOUNT, USER, KEY = ADMIN
CREDENTIALS: Final = credentials()
UPDATE: Final = {
    **CREDENTIALS,
    "type": "campaign_update",
    "action": "campaign",
    "campaign_id": POINTS,
    "new_campaign_name": "Transports Café",
    "description": "Sent three ways",
    "new_points_ratio": "120",
    "new_reward_ratio": "12,5",
}
UPDATED_POINTS: Final = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<response status="updated"><campaign><id>1234567890123451</id></campaign></response>'
)
XML: Final = "text/xml; charset=utf-8"


def post_raw(client: TestClient, body: bytes, query: str = "", content_type: str | None = None) -> httpx.Response:
    headers = {"content-type": content_type or "application/x-www-form-urlencoded"}
    return client.post("/api.php" + (f"?{query}" if query else ""), content=body, headers=headers)


def stored(settings: Settings, campaign_id: str) -> dict[str, object]:
    return stored_campaign(settings, ACCOUNT, campaign_id)


def error_code(reply: httpx.Response) -> str:
    root = xml_of(reply.content)
    assert root.get("status") == "error", reply.text
    error = root.find("error")
    assert error is not None, reply.text
    return str(error.get("code"))


def error_text(reply: httpx.Response) -> str:
    return str(xml_of(reply.content).findtext("error"))


# --- encodings and paths --------------------------------------------------------------------------


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_each_transport_gives_the_same_answer_and_stored_result(
    client: TestClient, settings: Settings, transport: str
) -> None:
    reply = send(client, transport, UPDATE)
    assert reply.status_code == 200
    assert reply.headers["content-type"] == XML
    assert reply.content == UPDATED_POINTS
    shown = stored(settings, POINTS)
    assert shown["name"] == "Transports Café"
    assert shown["description"] == "Sent three ways"
    assert shown["points_ratio"] == "120"
    assert shown["reward_ratio"] == "12.5"


def test_the_three_transports_answer_byte_identically(client: TestClient, settings: Settings) -> None:
    replies = [send(client, transport, {**UPDATE, "output": "JSON"}) for transport in TRANSPORTS]
    assert [r.status_code for r in replies] == [200, 200, 200]
    assert replies[0].content == replies[1].content == replies[2].content
    assert {r.headers["content-type"] for r in replies} == {"application/json"}
    assert stored(settings, POINTS)["name"] == "Transports Café"


@pytest.mark.parametrize("path", ["/api.php", "/"])
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_both_paths_answer(client: TestClient, path: str, transport: str) -> None:
    reply = send(client, transport, UPDATE, path=path)
    assert reply.status_code == 200
    assert reply.content == UPDATED_POINTS


def test_a_body_without_content_type_is_read_as_urlencoded(client: TestClient, settings: Settings) -> None:
    reply = client.post("/api.php", content=urlencode(UPDATE).encode())
    assert "content-type" not in reply.request.headers
    assert reply.content == UPDATED_POINTS
    assert stored(settings, POINTS)["name"] == "Transports Café"


# --- merging: query string and body, repeated keys --------------------------------------------------


def test_query_and_body_are_merged(client: TestClient, settings: Settings) -> None:
    query = urlencode({"type": "campaign_update", "action": "campaign", "description": "From the query"})
    body = {**CREDENTIALS, "campaign_id": GIFTCARD, "new_campaign_name": "From the body"}
    reply = client.post(f"/api.php?{query}", data=body)
    assert reply.content.endswith(b"<id>1234567890123450</id></campaign></response>")
    shown = stored(settings, GIFTCARD)
    assert (shown["name"], shown["description"]) == ("From the body", "From the query")


@pytest.mark.parametrize("transport", ["urlencoded", "multipart"])
def test_the_body_wins_over_the_query_string(client: TestClient, settings: Settings, transport: str) -> None:
    query = urlencode({"new_campaign_name": "Query name", "campaign_id": "9999999999999999"})
    fields = {**UPDATE, "new_campaign_name": "Body name"}
    if transport == "urlencoded":
        reply = client.post(f"/api.php?{query}", data=fields)
    else:
        content_type, body = multipart_body(fields)
        reply = client.post(f"/api.php?{query}", content=body, headers={"content-type": content_type})
    assert reply.content == UPDATED_POINTS
    assert stored(settings, POINTS)["name"] == "Body name"


def test_the_body_wins_for_credentials_too(client: TestClient) -> None:
    good_in_body = client.post(f"/api.php?{urlencode({'user_password': 'wrong-key-xxxxx'})}", data=UPDATE)
    assert good_in_body.content == UPDATED_POINTS
    wrong_in_body = client.post(f"/api.php?{urlencode({'user_password': KEY})}", data={**UPDATE, "user_password": "x"})
    assert error_code(wrong_in_body) == "no_valid_session"


def test_a_repeated_key_in_the_body_takes_its_last_value(client: TestClient, settings: Settings) -> None:
    body = urlencode(UPDATE) + "&new_campaign_name=First&new_campaign_name=Last"
    reply = post_raw(client, body.encode())
    assert reply.content == UPDATED_POINTS
    assert stored(settings, POINTS)["name"] == "Last"


def test_a_repeated_key_in_the_query_string_takes_its_last_value(client: TestClient, settings: Settings) -> None:
    reply = client.get("/api.php?" + urlencode(UPDATE) + "&description=one&description=two")
    assert reply.content == UPDATED_POINTS
    assert stored(settings, POINTS)["description"] == "two"


def test_a_repeated_key_in_a_multipart_body_takes_its_last_value(client: TestClient, settings: Settings) -> None:
    content_type, body = multipart_body(
        [*UPDATE.items(), ("new_campaign_name", "First"), ("new_campaign_name", "Last")]
    )
    reply = client.post("/api.php", content=body, headers={"content-type": content_type})
    assert reply.content == UPDATED_POINTS
    assert stored(settings, POINTS)["name"] == "Last"


# --- text: raw UTF-8 bytes, the legacy single-byte fallback ---------------------------------------


def _raw_body(fields: dict[str, str], extra: bytes) -> bytes:
    return urlencode(fields).encode() + b"&" + extra


def test_raw_utf8_in_a_urlencoded_body_is_stored_as_utf8(client: TestClient, settings: Settings) -> None:
    reply = post_raw(client, _raw_body({**UPDATE, "new_campaign_name": "x"}, "new_campaign_name=Café".encode()))
    assert reply.content == UPDATED_POINTS
    assert stored(settings, POINTS)["name"] == "Café"


@pytest.mark.parametrize("output", ["XML", "JSON"])
def test_raw_utf8_is_answered_as_utf8(client: TestClient, output: str) -> None:
    # campaign_update does not echo names, but an invalid value is quoted in the error message.
    fields = {k: v for k, v in UPDATE.items() if k != "new_points_ratio"}
    reply = post_raw(client, _raw_body({**fields, "output": output}, "new_points_ratio=Café".encode()))
    assert reply.status_code == 200
    if output == "XML":
        assert error_code(reply) == "parameter_invalid"
        assert error_text(reply) == 'The field new_points_ratio must be a positive number, not "Café".'
    else:
        body = json.loads(reply.content)
        assert body["error"] == 'The field new_points_ratio must be a positive number, not "Café".'
    assert "Café".encode() in reply.content


def test_raw_utf8_in_a_multipart_body_is_stored_as_utf8(client: TestClient, settings: Settings) -> None:
    content_type, body = multipart_body([*UPDATE.items(), ("new_campaign_name", "Crème brûlée ☕".encode())])
    reply = client.post("/api.php", content=body, headers={"content-type": content_type})
    assert reply.content == UPDATED_POINTS
    assert stored(settings, POINTS)["name"] == "Crème brûlée ☕"


def test_percent_encoded_and_raw_utf8_store_the_same_text(client: TestClient, settings: Settings) -> None:
    post_raw(client, _raw_body(UPDATE, b"description=Caf%C3%A9"))
    encoded = stored(settings, POINTS)["description"]
    post_raw(client, _raw_body(UPDATE, "description=Café".encode()))
    assert encoded == stored(settings, POINTS)["description"] == "Café"


def test_bytes_that_are_not_utf8_are_read_as_windows_1252(client: TestClient, settings: Settings) -> None:
    reply = post_raw(client, _raw_body(UPDATE, b"new_campaign_name=Caf\xe9 \x80 5"))
    assert reply.content == UPDATED_POINTS
    assert stored(settings, POINTS)["name"] == "Café € 5"


def test_a_utf8_campaign_id_is_answered_in_the_error(client: TestClient) -> None:
    reply = post_raw(client, _raw_body(UPDATE, "campaign_id=Café".encode()))
    assert error_code(reply) == "campaign_not_found"
    assert error_text(reply) == "No campaign Café in this account."


# --- methods ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS"])
@pytest.mark.parametrize("path", ["/api.php", "/"])
def test_other_methods_get_405_with_an_error_document(
    client: TestClient, settings: Settings, method: str, path: str
) -> None:
    reply = client.request(method, path, content=urlencode(UPDATE).encode())
    assert reply.status_code == 405
    assert reply.headers["allow"] == "GET, POST"
    assert reply.headers["content-type"] == XML
    assert error_code(reply) == "method_not_allowed"
    assert error_text(reply) == "Use GET or POST."
    assert stored(settings, POINTS)["name"] == "Widget Rewards"


def test_head_gets_405_without_a_body(client: TestClient) -> None:
    reply = client.request("HEAD", "/api.php")
    assert reply.status_code == 405
    assert reply.headers["allow"] == "GET, POST"
    assert reply.content == b""


def test_a_get_body_is_not_read(client: TestClient) -> None:
    # Only POST bodies carry fields; a GET's query string alone is the request.
    request = client.build_request("GET", "/api.php", params=UPDATE, content=b"new_campaign_name=&campaign_id=x")
    reply = client.send(request)
    assert reply.content == UPDATED_POINTS


# --- limits ----------------------------------------------------------------------------------------


def _padded(size: int) -> bytes:
    """``UPDATE`` urlencoded and padded with one extra field to exactly ``size`` bytes."""
    start = urlencode(UPDATE).encode() + b"&padding="
    assert size >= len(start)
    return start + b"x" * (size - len(start))


def test_a_body_of_exactly_one_mebibyte_is_accepted(client: TestClient) -> None:
    reply = post_raw(client, _padded(MAX_BODY_BYTES))
    assert reply.status_code == 200
    assert reply.content == UPDATED_POINTS


def test_a_body_over_one_mebibyte_gets_413(client: TestClient, settings: Settings) -> None:
    reply = post_raw(client, _padded(MAX_BODY_BYTES + 1))
    assert reply.status_code == 413
    assert reply.headers["content-type"] == XML
    assert error_code(reply) == "request_too_large"
    assert error_text(reply) == "The request body is larger than 1048576 bytes."
    assert stored(settings, POINTS)["name"] == "Widget Rewards"


def test_a_streamed_body_over_one_mebibyte_gets_413(client: TestClient, settings: Settings) -> None:
    def chunks() -> Iterator[bytes]:
        yield urlencode(UPDATE).encode() + b"&padding="
        for _ in range(11):
            yield b"x" * 100_000

    reply = client.post("/api.php", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"})
    assert reply.request.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in reply.request.headers
    assert reply.status_code == 413
    assert error_code(reply) == "request_too_large"
    assert stored(settings, POINTS)["name"] == "Widget Rewards"


def test_a_multipart_body_over_one_mebibyte_gets_413(client: TestClient) -> None:
    content_type, body = multipart_body({**UPDATE, "padding": "x" * MAX_BODY_BYTES})
    reply = client.post("/api.php", content=body, headers={"content-type": content_type})
    assert reply.status_code == 413
    assert error_code(reply) == "request_too_large"


def _with_extra_fields(count: int) -> dict[str, str]:
    return {**UPDATE, **{f"extra{i}": "" for i in range(count - len(UPDATE))}}


def test_one_thousand_fields_are_accepted(client: TestClient) -> None:
    fields = _with_extra_fields(MAX_FIELDS)
    assert len(fields) == 1000
    assert client.post("/api.php", data=fields).content == UPDATED_POINTS


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_more_than_one_thousand_fields_get_413(client: TestClient, settings: Settings, transport: str) -> None:
    reply = send(client, transport, _with_extra_fields(MAX_FIELDS + 1))
    assert reply.status_code == 413
    assert error_code(reply) == "request_too_large"
    assert error_text(reply) == "The request has more than 1000 fields."
    assert stored(settings, POINTS)["name"] == "Widget Rewards"


def test_the_field_limit_counts_query_and_body_together(client: TestClient) -> None:
    fields = _with_extra_fields(MAX_FIELDS + 1)
    items = list(fields.items())
    reply = client.post(f"/api.php?{urlencode(items[:600])}", data=dict(items[600:]))
    assert reply.status_code == 413
    assert error_code(reply) == "request_too_large"


# --- content types of the request ------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "application/xml"])
def test_an_unsupported_content_type_gets_415(client: TestClient, settings: Settings, content_type: str) -> None:
    reply = post_raw(client, urlencode(UPDATE).encode(), content_type=content_type)
    assert reply.status_code == 415
    assert reply.headers["content-type"] == XML
    assert error_code(reply) == "unsupported_media_type"
    assert stored(settings, POINTS)["name"] == "Widget Rewards"


def test_content_type_parameters_and_case_are_understood(client: TestClient) -> None:
    for content_type in ("application/x-www-form-urlencoded; charset=UTF-8", "Application/X-WWW-Form-Urlencoded"):
        assert post_raw(client, urlencode(UPDATE).encode(), content_type=content_type).content == UPDATED_POINTS


def test_an_empty_body_of_any_type_leaves_the_query_string(client: TestClient) -> None:
    reply = post_raw(client, b"", query=urlencode(UPDATE), content_type="application/json")
    assert reply.content == UPDATED_POINTS


def test_a_multipart_body_without_boundary_gets_400(client: TestClient) -> None:
    _, body = multipart_body(UPDATE)
    reply = post_raw(client, body, content_type="multipart/form-data")
    assert reply.status_code == 400
    assert error_code(reply) == "malformed_request"
    assert "boundary" in error_text(reply)


def test_a_truncated_multipart_body_gets_400(client: TestClient, settings: Settings) -> None:
    content_type, body = multipart_body(UPDATE)
    reply = post_raw(client, body[:-40], content_type=content_type)
    assert reply.status_code == 400
    assert error_code(reply) == "malformed_request"
    assert stored(settings, POINTS)["name"] == "Widget Rewards"


def test_multipart_file_parts_are_not_fields(client: TestClient, settings: Settings) -> None:
    files = {"new_campaign_name": ("name.txt", b"From a file", "text/plain")}
    reply = client.post("/api.php", data=UPDATE, files=files)
    assert reply.content == UPDATED_POINTS
    assert stored(settings, POINTS)["name"] == "Transports Café"


# --- status codes and content types of the answer --------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({**UPDATE, "user_password": "not-the-key"}, "no_valid_session"),
        ({**UPDATE, "account_id": "nosuchaccount"}, "no_valid_session"),
        ({k: v for k, v in UPDATE.items() if k != "campaign_id"}, "parameter_missing"),
        ({**UPDATE, "type": "no_such_call"}, "unsupported_call"),
        ({**UPDATE, "campaign_id": "0000000000000000"}, "campaign_not_found"),
        ({**UPDATE, "new_points_ratio": "-1"}, "parameter_invalid"),
    ],
)
def test_application_errors_answer_http_200(client: TestClient, fields: dict[str, str], code: str) -> None:
    reply = client.post("/api.php", data=fields)
    assert reply.status_code == 200
    assert reply.headers["content-type"] == XML
    assert error_code(reply) == code


@pytest.mark.parametrize(
    ("output", "content_type"),
    [
        ({}, XML),
        ({"output": "JSON"}, "application/json"),
        ({"callback": "cb"}, "application/javascript; charset=utf-8"),
    ],
)
def test_answer_content_types(client: TestClient, output: dict[str, str], content_type: str) -> None:
    reply = client.post("/api.php", data={**UPDATE, **output})
    assert reply.status_code == 200
    assert reply.headers["content-type"] == content_type
    assert reply.headers["cache-control"] == "no-store"
    assert int(reply.headers["content-length"]) == len(reply.content)


def test_every_answer_is_sent_with_nosniff(client: TestClient) -> None:
    reply = client.post("/api.php", data={**UPDATE, "callback": "jQuery123.done"})
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.content.startswith(b"/**/jQuery123.done(")
    assert client.post("/api.php", data=UPDATE).headers["x-content-type-options"] == "nosniff"
    assert (
        client.post("/api.php", data={**UPDATE, "callback": "no-good"}).headers["x-content-type-options"] == "nosniff"
    )
    assert client.put("/api.php").headers["x-content-type-options"] == "nosniff"


# --- the api_access_key header -----------------------------------------------------------------------


@pytest.mark.parametrize("header", ["api_access_key", "api-access-key"])
def test_the_key_header_wins_over_the_field(client: TestClient, header: str) -> None:
    right = client.post("/api.php", data={**UPDATE, "user_password": "not-the-key"}, headers={header: KEY})
    assert right.content == UPDATED_POINTS
    wrong = client.post("/api.php", data=UPDATE, headers={header: "not-the-key"})
    assert error_code(wrong) == "no_valid_session"


def test_the_key_may_be_sent_as_user_api_key(client: TestClient) -> None:
    fields = {k: v for k, v in UPDATE.items() if k != "user_password"}
    assert client.post("/api.php", data={**fields, "user_api_key": KEY}).content == UPDATED_POINTS
    missing = client.post("/api.php", data=fields)
    assert error_code(missing) == "parameter_missing"
    assert error_text(missing) == "The field user_password is required."
