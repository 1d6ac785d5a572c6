"""A browser opening ``/api.php`` (a GET with no query string) gets a short HTML page saying what the address is and
where the documentation is; any request with fields, and every POST, answers as the protocol says."""

from __future__ import annotations

from typing import Final

import pytest
from starlette.testclient import TestClient

from tests.support.api import credentials, xml_of

XML: Final = "text/xml; charset=utf-8"
HTML: Final = "text/html; charset=utf-8"


def _error_code(content: bytes) -> str | None:
    root = xml_of(content)
    assert root.get("status") == "error"
    error = root.find("error")
    assert error is not None
    return error.get("code")


@pytest.mark.parametrize("path", ["/api.php", "/api.php/", "/"])
def test_a_get_without_fields_gets_the_page(client: TestClient, path: str) -> None:
    reply = client.get(path, headers={"X-Request-ID": "browser-1"})
    assert reply.status_code == 200
    assert reply.headers["content-type"] == HTML
    assert reply.headers["content-security-policy"] == "default-src 'none'"
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["x-request-id"] == "browser-1"
    page = reply.text
    assert page.startswith("<!DOCTYPE html>\n") and page.endswith("</html>\n")
    assert "<title>loyalty-api</title>" in page
    assert "<code>api.php</code> endpoint of a loyalty-program server" in page
    assert "<code>README.md</code>" in page and "<code>docs/</code>" in page
    assert "<script" not in page and "http" not in page  # nothing to run, no link anywhere


def test_a_get_with_fields_answers_xml_as_before(client: TestClient) -> None:
    reply = client.get("/api.php", params={"type": "campaigns_list"})
    assert (reply.status_code, reply.headers["content-type"]) == (200, XML)
    assert _error_code(reply.content) == "parameter_missing"


def test_a_get_with_credentials_answers_the_call(client: TestClient) -> None:
    reply = client.get("/api.php", params={**credentials(), "type": "account_info"})
    assert reply.headers["content-type"] == XML
    assert xml_of(reply.content).get("status") == "success"


def test_a_get_with_only_an_output_field_answers_in_that_output(client: TestClient) -> None:
    reply = client.get("/api.php", params={"output": "JSON"})
    assert reply.headers["content-type"].startswith("application/json")
    assert reply.json()["status"] == "error"


@pytest.mark.parametrize("content_type", [None, "application/x-www-form-urlencoded"])
def test_a_post_without_fields_answers_an_error_document_as_before(
    client: TestClient, content_type: str | None
) -> None:
    headers = {} if content_type is None else {"content-type": content_type}
    reply = client.post("/api.php", content=b"", headers=headers)
    assert (reply.status_code, reply.headers["content-type"]) == (200, XML)
    assert _error_code(reply.content) == "parameter_missing"


def test_head_still_gets_405(client: TestClient) -> None:
    assert client.head("/api.php").status_code == 405
