"""Talking to the API in tests: requests carrying a user's credentials, reading the answers."""

from __future__ import annotations

import json
from typing import Any, Final

from lxml import etree
from starlette.testclient import TestClient

from tests.support.users import ADMIN, User

__all__ = [
    "CONDENSED_FALSE_WORDS",
    "CONDENSED_TRUE_WORDS",
    "call",
    "call_json",
    "credentials",
    "error_code",
    "error_of",
    "outcome",
    "status_of",
    "text_of",
    "warnings_of",
    "xml_of",
]

# Words of the ``condensed`` field that ask for condensed JSON, and some that do not.
CONDENSED_TRUE_WORDS: Final = ("yes", "YES", "Yes", "y", "Y", "true", "TRUE", "True", "1", " yes ")
CONDENSED_FALSE_WORDS: Final = ("no", "n", "false", "0", "", "on", "yess", "2", "condensed", "t")


def credentials(user: User = ADMIN, key_field: str = "user_password") -> dict[str, str]:
    """The fields that name ``user`` and carry its key (in ``key_field``)."""
    account_id, user_id, key = user
    return {"account_id": account_id, "user_id": user_id, key_field: key}


def call(client: TestClient, fields: dict[str, str], user: User = ADMIN) -> etree._Element:
    """POST ``fields`` (urlencoded) with ``user``'s credentials and return the parsed XML root."""
    reply = client.post("/api.php", data={**credentials(user), **fields})
    assert reply.status_code == 200, reply.text
    return xml_of(reply.content)


def call_json(client: TestClient, fields: dict[str, str], user: User = ADMIN) -> dict[str, Any]:
    """POST ``fields`` with ``user``'s credentials asking for JSON; the parsed object."""
    body = json.loads(client.post("/api.php", data={**credentials(user), "output": "JSON", **fields}).content)
    assert isinstance(body, dict)
    return body


def xml_of(body: bytes) -> etree._Element:
    return etree.fromstring(body)


def status_of(root: etree._Element) -> str:
    return str(root.get("status"))


def error_of(root: etree._Element) -> tuple[str, str]:
    """``(code, message)`` of an error document (fails on a success)."""
    assert root.get("status") == "error", etree.tostring(root)
    error = root.find("error")
    assert error is not None
    return str(error.get("code")), str(error.text)


def error_code(root: etree._Element) -> str:
    """The code of an error document (fails on a success)."""
    return error_of(root)[0]


def outcome(root: etree._Element) -> str:
    """``success`` for a success, else the error's code."""
    return status_of(root) if status_of(root) == "success" else error_code(root)


def warnings_of(root: etree._Element) -> list[str]:
    return [str(w.text) for w in root.findall("warnings/warning")]


def text_of(root: etree._Element, path: str) -> str | None:
    """The text at ``path`` (``""`` for an empty element), None when there is no such element."""
    found = root.find(path)
    return None if found is None else (found.text or "")
