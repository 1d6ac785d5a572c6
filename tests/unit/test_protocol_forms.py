"""Request-field parsing: PHP ``$_REQUEST`` semantics for query strings, urlencoded and multipart bodies."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote_to_bytes, urlencode

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.types import Receive

from loyalty_api.protocol.forms import (
    MAX_BODY_BYTES,
    MAX_FIELDS,
    ClientDisconnected,
    FormError,
    MalformedBody,
    RequestTooLarge,
    TooManyFields,
    UnsupportedMediaType,
    parse_fields,
    parse_urlencoded,
    read_body,
)

FORM = b"application/x-www-form-urlencoded"
BOUNDARY = "9a0b3f5e2c7d41e8b6a1c0d2e4f60718"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}".encode()


def _quote_name(name: str) -> str:
    return name.replace("\\", "\\\\").replace('"', '\\"')


def multipart_body(
    fields: Iterable[tuple[str, str | bytes]],
    files: Iterable[tuple[str, str, bytes]] = (),
    boundary: str = BOUNDARY,
) -> bytes:
    """A multipart/form-data body as PHP curl sends it (names backslash-escaped in quotes)."""
    out = bytearray()
    for name, value in fields:
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{_quote_name(name)}"\r\n\r\n'.encode()
        out += value.encode() if isinstance(value, str) else value
        out += b"\r\n"
    for name, filename, content in files:
        disposition = f'form-data; name="{_quote_name(name)}"; filename="{filename}"'
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        out += b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out)


def form(body: bytes, query: bytes = b"", content_type: bytes | None = FORM) -> dict[str, str]:
    return parse_fields(query, content_type, body)


# --- urlencoded ------------------------------------------------------------------------------------------------------


def test_simple_fields_and_decoding() -> None:
    assert form(b"type=user&action=get&email=john%40example.com&name=John+Smith&plus=%2B") == {
        "type": "user",
        "action": "get",
        "email": "john@example.com",
        "name": "John Smith",
        "plus": "+",
    }


def test_key_without_equals_is_blank_and_blank_is_kept() -> None:
    assert form(b"a&b=1&c=&d==x") == {"a": "", "b": "1", "c": "", "d": "=x"}
    assert "e" not in form(b"a&b=1")


def test_empty_keys_and_segments_dropped() -> None:
    assert form(b"=x&&a=1&=&&") == {"a": "1"}
    assert form(b"=%C3%A9&%41=b") == {"A": "b"}


def test_semicolon_is_not_a_separator() -> None:
    assert form(b"a=1;b=2") == {"a": "1;b=2"}


def test_last_value_wins() -> None:
    assert form(b"a=1&a=2&a=3") == {"a": "3"}
    assert form(b"", query=b"a=1&a=%32") == {"a": "2"}


def test_body_wins_over_query() -> None:
    assert form(b"a=body&b=", query=b"a=query&b=q&c=3") == {"a": "body", "b": "", "c": "3"}
    assert parse_fields(b"a=query", MULTIPART, multipart_body([("a", "body")])) == {"a": "body"}


def test_raw_utf8_body() -> None:
    assert form("name=Café&city=Zürich+Nord".encode()) == {"name": "Café", "city": "Zürich Nord"}
    assert form("name=Café&email=a%40b".encode()) == {"name": "Café", "email": "a@b"}
    assert form("ключ=значение".encode()) == {"ключ": "значение"}


def test_percent_encoded_utf8() -> None:
    assert form(b"name=Caf%C3%A9") == {"name": "Café"}
    assert form(b"Caf%C3%A9=1") == {"Café": "1"}


def test_cp1252_fallback() -> None:
    assert form(b"name=Caf\xe9") == {"name": "Café"}
    assert form(b"name=Caf%E9") == {"name": "Café"}
    assert form(b"price=%8010&quote=%93hi%94") == {"price": "€10", "quote": "\u201chi\u201d"}
    assert form(b"Stra%DFe=1") == {"Straße": "1"}


def test_cp1252_undefined_bytes_fall_back_to_latin1() -> None:
    assert form(b"a=%81%8D%8F%90%9D&b=\x81") == {"a": "\x81\x8d\x8f\x90\x9d", "b": "\x81"}


def test_each_value_decoded_on_its_own() -> None:
    body = b"a=Caf\xe9&b=Caf\xc3\xa9&c=Caf%E9&d=Caf%C3%A9&e=%C3%A9\xe9&f=\xc3"
    assert form(body) == {"a": "Café", "b": "Café", "c": "Café", "d": "Café", "e": "Ã©é", "f": "Ã"}


def test_invalid_percent_escapes_stay_literal() -> None:
    assert form(b"a=%zz&b=%4&c=100%&d=%%41") == {"a": "%zz", "b": "%4", "c": "100%", "d": "%A"}


def test_parse_urlencoded_counts_and_merges() -> None:
    into = {"a": "old"}
    assert parse_urlencoded(b"a=new&&b", into, seen=2) == 4
    assert into == {"a": "new", "b": ""}
    with pytest.raises(TooManyFields):
        parse_urlencoded(b"x=1&y=2", {}, max_fields=3, seen=2)


# --- content types ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        b"",
        FORM,
        b"Application/X-WWW-Form-URLEncoded",
        b"application/x-www-form-urlencoded; charset=UTF-8",
        b"application/x-www-form-urlencoded;charset=ISO-8859-1",
    ],
)
def test_urlencoded_content_types(content_type: bytes | None) -> None:
    assert parse_fields(b"", content_type, b"a=1&b=%C3%A9") == {"a": "1", "b": "é"}


@pytest.mark.parametrize("content_type", [b"text/plain", b"application/json", b"application/xml; charset=utf-8"])
def test_unsupported_content_type(content_type: bytes) -> None:
    with pytest.raises(UnsupportedMediaType, match="multipart/form-data") as info:
        parse_fields(b"", content_type, b"a=1")
    assert info.value.status_code == 415
    assert parse_fields(b"q=1", content_type, b"") == {"q": "1"}


def test_empty_body_has_no_fields_whatever_the_content_type() -> None:
    assert parse_fields(b"q=1", b"multipart/form-data", b"") == {"q": "1"}
    assert parse_fields(b"", None, b"") == {}


# --- multipart -------------------------------------------------------------------------------------------------------


def test_multipart_fields() -> None:
    body = multipart_body([("name", "Café"), ("blank", ""), ("a", "1"), ("a", "2"), ("multi", "line\r\none")])
    assert parse_fields(b"", MULTIPART, body) == {"name": "Café", "blank": "", "a": "2", "multi": "line\r\none"}


def test_multipart_cp1252_fallback_and_quoted_name() -> None:
    body = multipart_body([("name", b"Caf\xe9"), ('we"ird\\', "x"), ("Stra\xdfe", b"1")])
    assert parse_fields(b"", MULTIPART, body) == {"name": "Café", 'we"ird\\': "x", "Straße": "1"}


def test_multipart_quoted_boundary_and_case() -> None:
    body = multipart_body([("a", "1")], boundary="----WebKitFormBoundary7MA4YWxkTrZu0gW")
    ctype = b'Multipart/Form-Data; boundary="----WebKitFormBoundary7MA4YWxkTrZu0gW"'
    assert parse_fields(b"", ctype, body) == {"a": "1"}


def test_multipart_files_are_skipped() -> None:
    body = multipart_body([("a", "1")], files=[("upload", "card.png", b"\x89PNG\r\n"), ("empty", "", b"")])
    assert parse_fields(b"", MULTIPART, body) == {"a": "1"}


def test_multipart_part_without_name_is_skipped() -> None:
    body = (
        f"--{BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nnobody\r\n"
        f'--{BOUNDARY}\r\ncontent-disposition: form-data; name=""\r\n\r\nblank name\r\n'
        f"--{BOUNDARY}\r\nCONTENT-DISPOSITION: form-data; NAME=b\r\n\r\nok\r\n"
        f"--{BOUNDARY}--"
    ).encode()
    assert parse_fields(b"", MULTIPART, body) == {"b": "ok"}


def test_multipart_preamble_newlines_and_epilogue() -> None:
    body = b"\r\n" + multipart_body([("a", "1")]) + b"epilogue"
    assert parse_fields(b"", MULTIPART, body) == {"a": "1"}


def test_multipart_from_httpx_encoder() -> None:
    request = httpx.Request(
        "POST",
        "http://example.test/api.php",
        data={"type": "user", "name": "Zoë", "blank": ""},
        files={"photo": ("me.jpg", b"\xff\xd8\xff", "image/jpeg")},
    )
    body = request.read()
    assert parse_fields(b"", request.headers["content-type"].encode(), body) == {
        "type": "user",
        "name": "Zoë",
        "blank": "",
    }


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (b"multipart/form-data", multipart_body([("a", "1")])),
        (b"multipart/form-data; boundary=", multipart_body([("a", "1")])),
        (b"multipart/form-data; boundary=" + b"x" * 300, multipart_body([("a", "1")], boundary="x" * 300)),
        (MULTIPART, b"a=1&b=2"),
        (MULTIPART, multipart_body([("a", "1")], boundary="other")),
        (MULTIPART, multipart_body([("a", "1")])[:-10]),
        (MULTIPART, f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=a\r\n".encode()),
        (MULTIPART, f"--{BOUNDARY}\r\nBad Header: x\r\n\r\n1\r\n--{BOUNDARY}--".encode()),
        (MULTIPART, f"--{BOUNDARY}X".encode()),
    ],
)
def test_malformed_multipart(content_type: bytes, body: bytes) -> None:
    with pytest.raises(MalformedBody, match="Malformed multipart") as info:
        parse_fields(b"", content_type, body)
    assert info.value.status_code == 400


# --- limits ----------------------------------------------------------------------------------------------------------


def test_field_limit_counts_query_body_and_repeats() -> None:
    assert len(form(b"&".join(b"f%d=1" % i for i in range(MAX_FIELDS)))) == MAX_FIELDS
    with pytest.raises(TooManyFields, match="more than 1000 fields") as info:
        form(b"a=1&" * (MAX_FIELDS + 1))
    assert info.value.status_code == 413
    assert form(b"a=1&" * 500, query=b"b&" * 500) == {"a": "1", "b": ""}
    with pytest.raises(TooManyFields):
        form(b"a=1&" * 500, query=b"b&" * 501)
    with pytest.raises(TooManyFields, match="more than 3 fields"):
        parse_fields(b"a=1&b=2", FORM, b"c=%C3%A9&d=4", max_fields=3)


def _latin1_fields(count: int, first: int = 0) -> bytes:
    """``count`` fields ``f<n>=\xe9``: a raw byte that is not UTF-8, so the body takes the Windows-1252 path."""
    return b"&".join(b"f%d=\xe9" % n for n in range(first, first + count))


def test_field_limit_of_a_body_that_is_not_utf8() -> None:
    fields = form(_latin1_fields(MAX_FIELDS))
    assert len(fields) == MAX_FIELDS
    assert fields["f0"] == fields[f"f{MAX_FIELDS - 1}"] == "é"
    with pytest.raises(TooManyFields, match=f"more than {MAX_FIELDS} fields") as info:
        form(_latin1_fields(MAX_FIELDS + 1))
    assert info.value.status_code == 413


def test_field_limit_of_a_body_that_is_not_utf8_counts_the_query_and_not_empty_segments() -> None:
    query = b"&".join(b"q%d=1" % n for n in range(10))
    assert len(form(_latin1_fields(MAX_FIELDS - 10), query=query)) == MAX_FIELDS
    with pytest.raises(TooManyFields):
        form(_latin1_fields(MAX_FIELDS - 9), query=query)
    assert len(form(b"&&" + _latin1_fields(MAX_FIELDS) + b"&")) == MAX_FIELDS  # empty segments are no fields
    with pytest.raises(TooManyFields):
        parse_fields(b"", FORM, _latin1_fields(4), max_fields=3)
    assert parse_fields(b"", FORM, _latin1_fields(3), max_fields=3) == {"f0": "é", "f1": "é", "f2": "é"}


def test_field_limit_multipart_counts_files() -> None:
    files = [("f", "f.txt", b"x")] * 2
    assert parse_fields(b"q=1", MULTIPART, multipart_body([("a", "1")], files=files), max_fields=4) == {
        "q": "1",
        "a": "1",
    }
    with pytest.raises(TooManyFields, match="more than 3 fields"):
        parse_fields(b"q=1", MULTIPART, multipart_body([("a", "1")], files=files), max_fields=3)


def test_body_size_limit() -> None:
    body = b"a=" + b"x" * (MAX_BODY_BYTES - 2)
    assert len(form(body)["a"]) == MAX_BODY_BYTES - 2
    with pytest.raises(RequestTooLarge, match=f"larger than {MAX_BODY_BYTES} bytes") as info:
        form(body + b"x")
    assert info.value.status_code == 413


def test_errors_are_form_errors_with_catalogue_codes() -> None:
    for cls, code in [
        (RequestTooLarge, "request_too_large"),
        (TooManyFields, "request_too_large"),
        (UnsupportedMediaType, "unsupported_media_type"),
        (MalformedBody, "malformed_request"),
    ]:
        assert issubclass(cls, FormError)
        assert cls.code == code


# --- read_body -------------------------------------------------------------------------------------------------------


def _receiver(messages: list[dict[str, Any]]) -> tuple[Receive, list[int]]:
    calls = [0]

    async def receive() -> dict[str, Any]:
        calls[0] += 1
        return messages.pop(0)

    return receive, calls


def test_read_body_chunks() -> None:
    receive, _ = _receiver(
        [
            {"type": "http.request", "body": b"a=1", "more_body": True},
            {"type": "http.request", "body": b"", "more_body": True},
            {"type": "http.request", "body": b"&b=2"},
        ]
    )
    assert asyncio.run(read_body(receive)) == b"a=1&b=2"


def test_read_body_empty() -> None:
    receive, _ = _receiver([{"type": "http.request"}])
    assert asyncio.run(read_body(receive)) == b""
    receive, _ = _receiver([{"type": "http.request"}])
    assert asyncio.run(read_body(receive, expected=0)) == b""


def test_a_body_cut_short_is_never_a_body() -> None:
    """The client went away mid-body: what came is not the request it meant (``amount=10.00`` of ``1000.00``)."""
    receive, _ = _receiver([{"type": "http.request", "body": b"a=", "more_body": True}, {"type": "http.disconnect"}])
    with pytest.raises(ClientDisconnected, match="after 2 bytes"):
        asyncio.run(read_body(receive))
    receive, _ = _receiver([{"type": "http.disconnect"}])
    with pytest.raises(ClientDisconnected, match="after 0 of 9 bytes"):
        asyncio.run(read_body(receive, expected=9))
    # A server that ended the body early without saying so: fewer bytes than Content-Length are not the body either.
    receive, _ = _receiver([{"type": "http.request", "body": b"amount=10"}])
    with pytest.raises(ClientDisconnected, match="after 9 of 14 bytes"):
        asyncio.run(read_body(receive, expected=14))
    receive, _ = _receiver([{"type": "http.request", "body": b"amount=10.00", "more_body": False}])
    assert asyncio.run(read_body(receive, expected=12)) == b"amount=10.00"


def test_read_body_over_limit_stops_reading() -> None:
    messages: list[dict[str, Any]] = [{"type": "http.request", "body": b"x" * 400, "more_body": True}] * 10
    receive, calls = _receiver(list(messages))
    with pytest.raises(RequestTooLarge, match="larger than 1000 bytes"):
        asyncio.run(read_body(receive, limit=1000))
    assert calls[0] == 3
    receive, _ = _receiver([{"type": "http.request", "body": b"x" * 1000}])
    assert asyncio.run(read_body(receive, limit=1000)) == b"x" * 1000


# --- properties ------------------------------------------------------------------------------------------------------

field_dicts = st.dictionaries(st.text(min_size=1), st.text(), max_size=12)


@given(field_dicts)
def test_urlencode_round_trip(fields: dict[str, str]) -> None:
    assert form(urlencode(fields).encode()) == fields
    assert parse_fields(urlencode(fields).encode(), None, b"") == fields


@given(field_dicts.filter(lambda d: not any("\r" in k or "\n" in k for k in d)))
def test_multipart_round_trip(fields: dict[str, str]) -> None:
    assert parse_fields(b"", MULTIPART, multipart_body(fields.items())) == fields


@given(st.dictionaries(st.text(min_size=1), st.text(), max_size=8))
def test_raw_utf8_round_trip(fields: dict[str, str]) -> None:
    """Unquoted UTF-8 text sent by sloppy clients: any text without separators comes back."""
    fields = {k: v for k, v in fields.items() if not set("&=+%") & set(k + v)}
    assert form("&".join(f"{k}={v}" for k, v in fields.items()).encode()) == fields


def _reference_decode(raw: bytes) -> str:
    raw = unquote_to_bytes(raw.replace(b"+", b" "))
    try:
        return raw.decode()
    except UnicodeDecodeError:
        return "".join(chr(b) if b in b"\x81\x8d\x8f\x90\x9d" else bytes([b]).decode("cp1252") for b in raw)


def _reference_parse(data: bytes) -> dict[str, str]:
    """The plain, slow model of PHP's parser that the fast paths must agree with."""
    fields = {}
    for part in data.split(b"&"):
        key, _, value = part.partition(b"=")
        if key:
            fields[_reference_decode(key)] = _reference_decode(value)
    return fields


_URLENCODED_PIECES = st.sampled_from(
    [b"&", b"=", b"+", b"%", b"%4", b"%41", b"%e9", b"%C3", b"%A9", b"a", b"\xe9", b"\xc3\xa9", b"\x81", b"\xc3", b";"]
)


@given(st.lists(_URLENCODED_PIECES | st.binary(max_size=3), max_size=40).map(b"".join))
def test_urlencoded_matches_reference_model(data: bytes) -> None:
    assert form(data) == _reference_parse(data)
    assert parse_fields(data, None, b"") == _reference_parse(data)


_MULTIPART_PIECES = st.sampled_from(
    [
        f"--{BOUNDARY}".encode(),
        f"\r\n--{BOUNDARY}".encode(),
        b"--",
        b"\r\n",
        b"Content-Disposition: form-data; ",
        b'name="a"',
        b"name=a; filename=f",
        b"\r\n\r\n",
        b"Content-Type: text/plain",
        b"x",
        b":",
        b"\xe9",
    ]
)
_BODIES = st.binary(max_size=300) | st.lists(_MULTIPART_PIECES | st.binary(max_size=5), max_size=30).map(b"".join)
_CONTENT_TYPES = st.sampled_from(
    [None, FORM, MULTIPART, b"multipart/form-data", b"multipart/form-data; boundary=", b"text/plain", b""]
) | st.binary(max_size=60)


@given(st.binary(max_size=100), _CONTENT_TYPES, _BODIES, st.integers(min_value=0, max_value=5))
def test_parse_fields_only_raises_form_errors(
    query: bytes, content_type: bytes | None, body: bytes, max_fields: int
) -> None:
    try:
        fields = parse_fields(query, content_type, body, max_fields=max_fields)
    except FormError as exc:
        assert str(exc)
    else:
        assert all(isinstance(k, str) and k and isinstance(v, str) for k, v in fields.items())
