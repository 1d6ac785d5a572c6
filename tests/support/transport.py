"""Test helpers for the transport: the three ways a client sends fields (a urlencoded POST, a multipart POST as
PHP curl sends it, a GET query string), and reading a stored campaign back."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Final

import httpx2 as httpx
from starlette.testclient import TestClient

from loyalty_api.cli._campaigns import campaign_json
from loyalty_api.config import Settings
from loyalty_api.store import create_store

__all__ = ["CURL_BOUNDARY", "TRANSPORTS", "multipart_body", "send", "stored_campaign"]

# curl's boundaries are 24 dashes and 16 hex digits.
CURL_BOUNDARY: Final = "------------------------d74496d66958873e"
TRANSPORTS: Final = ("urlencoded", "multipart", "get")


def multipart_body(
    fields: dict[str, str] | Iterable[tuple[str, str | bytes]], boundary: str = CURL_BOUNDARY
) -> tuple[str, bytes]:
    """``(content_type, body)`` for ``fields``; values given as ``bytes`` are sent as they are (raw bytes)."""
    pairs = fields.items() if isinstance(fields, dict) else fields
    parts: list[bytes] = []
    for name, value in pairs:
        raw = value if isinstance(value, bytes) else value.encode()
        parts.append(
            b"--"
            + boundary.encode()
            + b'\r\nContent-Disposition: form-data; name="'
            + name.encode()
            + b'"\r\n\r\n'
            + raw
            + b"\r\n"
        )
    parts.append(b"--" + boundary.encode() + b"--\r\n")
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def send(client: TestClient, transport: str, fields: dict[str, str], path: str = "/api.php") -> httpx.Response:
    """Send ``fields`` as a urlencoded POST, a multipart POST (as PHP curl does) or a GET query string."""
    if transport == "urlencoded":
        return client.post(path, data=fields)
    if transport == "multipart":
        content_type, body = multipart_body(fields)
        return client.post(path, content=body, headers={"content-type": content_type})
    assert transport == "get"
    return client.get(path, params=fields)


def stored_campaign(settings: Settings, account_id: str, campaign_id: str) -> dict[str, object]:
    """The campaign as ``loyalty-api campaign show`` prints it, read straight from the store."""

    async def read() -> dict[str, object]:
        store = create_store(settings)
        await store.open()
        try:
            account = await store.get_account(account_id)
            assert account is not None, account_id
            campaign = await store.get_campaign(account.pk, campaign_id)
            assert campaign is not None, campaign_id
            return campaign_json(campaign, account_id)
        finally:
            await store.close()

    return asyncio.run(read())
