"""Request-field parsing with PHP ``$_REQUEST`` semantics.

Legacy ``api.php`` clients send their fields as a GET query string, a POST ``application/x-www-form-urlencoded``
body or a POST ``multipart/form-data`` body (PHP curl given an array).  :func:`parse_fields` merges the query string
and the body into one flat ``dict[str, str]``:

* the body wins over the query string, and within one source the last repeated key wins;
* ``a&b=1`` gives ``a == ""``; blank values are kept (absent and blank differ), empty keys are dropped;
* only ``&`` separates fields (never ``;``), ``+`` is a space and ``%XX`` is decoded to bytes;
* every key and value is decoded as UTF-8, or, when it is not valid UTF-8, as Windows-1252 (old ISO-8859-1 pages),
  with latin-1 for the five bytes Windows-1252 leaves undefined, so decoding never fails;
* multipart parts with a ``filename`` are file uploads (PHP's ``$_FILES``), not fields: they are skipped but still
  count towards the field limit.

Keys are kept verbatim: PHP's mangling of ``.`` and spaces into ``_`` and of ``a[]`` into arrays is not applied.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar
from urllib.parse import unquote_to_bytes

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, MultipartState, parse_options_header

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks
    from starlette.types import Receive

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_FIELDS",
    "ClientDisconnected",
    "FormError",
    "MalformedBody",
    "RequestTooLarge",
    "TooManyFields",
    "UnsupportedMediaType",
    "parse_fields",
    "parse_multipart",
    "parse_urlencoded",
    "read_body",
]

MAX_BODY_BYTES = 1024 * 1024
MAX_FIELDS = 1000

_URLENCODED = b"application/x-www-form-urlencoded"
_MULTIPART = b"multipart/form-data"

# Windows-1252 characters for bytes 0x80-0x9F; the undefined ones (0x81, 0x8D, 0x8F, 0x90, 0x9D) stay latin-1.
_CP1252_FIXUP: dict[int, str] = {
    byte: char for byte in range(0x80, 0xA0) if (char := bytes([byte]).decode("cp1252", "replace")) != "\ufffd"
}


class FormError(Exception):
    """The request's fields cannot be read; ``str(error)`` is a message for the client.

    ``code`` and ``status_code`` are the matching entry of ``loyalty_api.errors.CATALOGUE``.
    """

    code: ClassVar[str] = "malformed_request"
    status_code: ClassVar[int] = 400


class RequestTooLarge(FormError):
    code = "request_too_large"
    status_code = 413

    def __init__(self, limit: int = MAX_BODY_BYTES) -> None:
        super().__init__(f"The request body is larger than {limit} bytes.")
        self.limit = limit


class TooManyFields(FormError):
    code = "request_too_large"
    status_code = 413

    def __init__(self, limit: int = MAX_FIELDS) -> None:
        super().__init__(f"The request has more than {limit} fields.")
        self.limit = limit


class ClientDisconnected(Exception):
    """The request's body did not arrive whole; nothing of it may be acted upon, and nobody is there to answer."""

    def __init__(self, received: int, expected: int | None) -> None:
        of = "" if expected is None else f" of {expected}"
        super().__init__(f"the client went away after {received}{of} bytes of the body")
        self.received = received
        self.expected = expected


class UnsupportedMediaType(FormError):
    code = "unsupported_media_type"
    status_code = 415

    def __init__(self, content_type: str) -> None:
        super().__init__(
            f"Unsupported content type {content_type!r}: send application/x-www-form-urlencoded or multipart/form-data."
        )
        self.content_type = content_type


class MalformedBody(FormError):
    def __init__(self, reason: str) -> None:
        super().__init__(f"Malformed multipart/form-data body: {reason}.")
        self.reason = reason


def _decode_text(raw: bytes) -> str:
    """UTF-8, or Windows-1252 (latin-1 for its undefined bytes) when ``raw`` is not valid UTF-8."""
    try:
        return raw.decode()
    except UnicodeDecodeError:
        return raw.decode("latin-1").translate(_CP1252_FIXUP)


def _unquote(component: str) -> str:
    """``%XX`` decoded to bytes (an invalid escape stays literal), then the bytes decoded as text."""
    return _decode_text(unquote_to_bytes(component))


def _unquote_latin1(component: str) -> str:
    """A component of a body decoded as latin-1 (so one character per byte), decoded again as text."""
    raw = component.encode("latin-1")
    return _decode_text(unquote_to_bytes(raw) if b"%" in raw else raw)


def parse_urlencoded(data: bytes, into: dict[str, str], *, max_fields: int = MAX_FIELDS, seen: int = 0) -> int:
    """Add the fields of a query string or urlencoded body to ``into`` (the last repeated key wins).

    ``seen`` is the number of fields already counted (e.g. in the query string); returns the new count and raises
    :class:`TooManyFields` (before adding anything) if it exceeds ``max_fields``.  Empty segments (``a=1&&b=2``) are
    not fields.
    """
    if not data:
        return seen
    if b"+" in data:
        data = data.replace(b"+", b" ")
    try:
        text = data.decode()
    except UnicodeDecodeError:
        # Raw bytes that are not UTF-8 (a Windows-1252 page): decode each non-ASCII key and value on its own.
        raw_parts = data.decode("latin-1").split("&")
        count = seen + len(raw_parts) - raw_parts.count("")
        if count > max_fields:
            raise TooManyFields(max_fields) from None
        for part in raw_parts:
            key, _, value = part.partition("=")
            if "%" in key or not key.isascii():
                key = _unquote_latin1(key)
            if "%" in value or not value.isascii():
                value = _unquote_latin1(value)
            into[key] = value
        into.pop("", None)
        return count
    # The usual request: valid UTF-8, so only the components with a %XX escape are left to decode.
    parts = text.split("&")
    count = seen + len(parts) - parts.count("")
    if count > max_fields:
        raise TooManyFields(max_fields)
    if "%" in text:
        for part in parts:
            key, _, value = part.partition("=")
            if "%" in key:
                key = _unquote(key)
            if "%" in value:
                value = _unquote(value)
            into[key] = value
    else:
        for part in parts:
            key, _, value = part.partition("=")
            into[key] = value
    into.pop("", None)  # empty keys (and empty segments) are not fields
    return count


class _MultipartFields:
    """``MultipartParser`` callbacks collecting the non-file parts into a dict."""

    def __init__(self, into: dict[str, str], max_fields: int, seen: int) -> None:
        self.into = into
        self.max_fields = max_fields
        self.count = seen
        self.header_field = bytearray()
        self.header_value = bytearray()
        self.name: bytes | None = None
        self.is_file = False
        self.data: list[bytes] = []

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
        }

    def on_part_begin(self) -> None:
        self.count += 1
        if self.count > self.max_fields:
            raise TooManyFields(self.max_fields)
        self.name = None
        self.is_file = False
        self.data = []

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        if self.header_field.lower() == b"content-disposition":
            _, params = parse_options_header(bytes(self.header_value))
            self.name = params.get(b"name")
            self.is_file = b"filename" in params
        self.header_field.clear()
        self.header_value.clear()

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if not self.is_file:
            self.data.append(data[start:end])

    def on_part_end(self) -> None:
        if self.name and not self.is_file:
            self.into[_decode_text(self.name)] = _decode_text(b"".join(self.data))


def parse_multipart(
    data: bytes, boundary: bytes, into: dict[str, str], *, max_fields: int = MAX_FIELDS, seen: int = 0
) -> int:
    """Add the non-file parts of a ``multipart/form-data`` body to ``into``; returns the field count so far.

    Every part, file or not, counts towards ``max_fields``.  Raises :class:`MalformedBody` for an invalid boundary or
    body (including one that ends before the closing boundary) and :class:`TooManyFields`.
    """
    if not boundary:
        raise MalformedBody("the Content-Type has no boundary")
    fields = _MultipartFields(into, max_fields, seen)
    try:
        parser = MultipartParser(boundary, fields.callbacks())
        parser.write(data)
    except FormParserError as exc:
        raise MalformedBody(str(exc) or type(exc).__name__) from exc
    if parser.state != MultipartState.END:
        raise MalformedBody("the body ends before the closing boundary")
    return fields.count


def parse_fields(
    query_string: bytes, content_type: bytes | None, body: bytes, *, max_fields: int = MAX_FIELDS
) -> dict[str, str]:
    """The request's fields, like PHP's ``$_REQUEST``: query string and body merged, the body winning.

    A body with no content type is read as urlencoded; an empty body has no fields whatever its content type.
    Raises a :class:`FormError` subclass (and nothing else) when the request cannot be read.
    """
    if len(body) > MAX_BODY_BYTES:
        raise RequestTooLarge(MAX_BODY_BYTES)
    fields: dict[str, str] = {}
    seen = parse_urlencoded(query_string, fields, max_fields=max_fields)
    if not body:
        return fields
    media_type = content_type.partition(b";")[0].strip(b" \t").lower() if content_type else b""
    if not media_type or media_type == _URLENCODED:
        parse_urlencoded(body, fields, max_fields=max_fields, seen=seen)
    elif media_type == _MULTIPART:
        boundary = parse_options_header(content_type)[1].get(b"boundary", b"")
        parse_multipart(body, boundary, fields, max_fields=max_fields, seen=seen)
    else:
        raise UnsupportedMediaType(media_type[:100].decode("latin-1"))
    return fields


async def read_body(receive: Receive, limit: int = MAX_BODY_BYTES, expected: int | None = None) -> bytes:
    """Read an ASGI HTTP request body, raising :class:`RequestTooLarge` as soon as it exceeds ``limit`` bytes.

    A body that does not arrive whole raises :class:`ClientDisconnected`: the client went away before the end
    (``http.disconnect``), or fewer bytes came than ``expected`` (its ``Content-Length``).  Such a request must never
    reach a handler: a sale cut after ``amount=10.00`` of ``amount=1000.00`` is not a sale of 10.00.
    """
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            if message["type"] == "http.disconnect":
                raise ClientDisconnected(size, expected)
            continue
        chunk: bytes = message.get("body", b"")
        if chunk:
            size += len(chunk)
            if size > limit:
                raise RequestTooLarge(limit)
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    if expected is not None and size != expected:
        raise ClientDisconnected(size, expected)
    return b"".join(chunks)
