"""The ``api.php`` endpoint: transport in, one call dispatched, one document rendered out.

Raw ASGI on purpose: it is on every request's path and skips the framework's request and response
objects (see ``docs/performance.md``).  A GET with no query string (a browser opening the address) gets a short
HTML page.  Order of checks, the first failure answering: transport
(method, size, body, callback, output), credentials, known call, the idempotency key (idempotent calls only),
then the handler's own checks.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import partial
from time import perf_counter
from typing import Final, NamedTuple

from prometheus_client import Counter, Histogram
from starlette.types import Receive, Scope, Send

from loyalty_api.accounts.auth import LoginCache, authenticate
from loyalty_api.accounts.throttle import LoginThrottle
from loyalty_api.calls import call_labels, is_idempotent, resolve_call
from loyalty_api.errors import ApiError
from loyalty_api.handler.context import NO_TOKEN_KEYS, Answer, CallContext, TokenKeys
from loyalty_api.handler.fields import Fields
from loyalty_api.handler.idempotency import (
    KEY_HEADER,
    MIN_KEEP_HOURS,
    IdempotencyKeeper,
    IdempotentRequest,
    RenderedAnswer,
    fingerprint,
    read_key,
)
from loyalty_api.logs import ACCESS_LOGGER, REQUEST_ID, request_id_of
from loyalty_api.metrics import IDEMPOTENT_REPLAYS, REQUEST_SECONDS, REQUESTS, STORE_UNAVAILABLE
from loyalty_api.protocol.forms import (
    MAX_BODY_BYTES,
    ClientDisconnected,
    FormError,
    MalformedBody,
    UnsupportedMediaType,
    parse_fields,
    read_body,
)
from loyalty_api.protocol.output import (
    InvalidCallback,
    OutputChoice,
    choose_output,
    default_output,
    render_document,
)
from loyalty_api.store.interface import BalanceLimit, QueryTimeout, ReadsBusy, Store, StoreUnavailable
from loyalty_api.store.models import Principal
from loyalty_api.web._page import PAGE, PAGE_CONTENT_TYPE, PAGE_HEADERS
from loyalty_api.web._send import send_body
from renderers import Element, el, get_renderer, response

__all__ = ["ApiEndpoint", "error_document"]

_log = logging.getLogger(__name__)
_ALLOWED: Final = frozenset({"GET", "POST"})
_KEY_HEADER: Final = b"api_access_key"
_KEY_HEADER_DASHED: Final = b"api-access-key"
_REPLAYED: Final = ((b"idempotent-replayed", b"true"),)
_REQUEST_ID_HEADER: Final = b"x-request-id"
_access = logging.getLogger(ACCESS_LOGGER)
#: The call that names no account: its user id is looked up in every account (``docs/accounts.md``).
USER_LOGIN: Final = "user_login"


class _Headers(NamedTuple):
    """What the endpoint reads of a request's headers, and the ``X-Request-ID`` header of its answer."""

    request_id: tuple[bytes, bytes]
    content_type: bytes | None
    length: bytes | None
    key: bytes | None


def error_document(error: ApiError) -> Element:
    return response("error", [el("error", error.message, code=error.code)])


class ApiEndpoint:
    def __init__(
        self,
        store: Store,
        login_cache_seconds: float = 0,
        idempotency_hours: int = MIN_KEEP_HOURS,
        throttle: LoginThrottle | None = None,
        token_keys: TokenKeys = NO_TOKEN_KEYS,
        access_log: bool = False,
    ) -> None:
        self.store = store
        self.access_log = access_log
        # Replaced by tests that set the clock of time tokens.
        self.token_keys = token_keys
        self.logins = LoginCache(login_cache_seconds)
        self.idempotency = IdempotencyKeeper(idempotency_hours)
        self.throttle = throttle or LoginThrottle()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        content_type: bytes | None = None
        length: bytes | None = None
        header_key: bytes | None = None
        idempotency_header: bytes | None = None
        incoming_id: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"content-type":
                content_type = value
            elif name == b"content-length":
                length = value
            elif name in (_KEY_HEADER, _KEY_HEADER_DASHED):
                header_key = value
            elif name == KEY_HEADER:
                idempotency_header = value
            elif name == _REQUEST_ID_HEADER:
                incoming_id = value
        request_id = request_id_of(incoming_id)
        token = REQUEST_ID.set(request_id)
        headers = _Headers((_REQUEST_ID_HEADER, request_id.encode("ascii")), content_type, length, header_key)
        try:
            started = perf_counter()
            fields, status, outcome = await self._serve(scope, receive, send, headers, idempotency_header)
            seconds = perf_counter() - started
            code = _error_code(outcome)
            said = code if code is not None else ("dropped" if status == 0 else str(status))
            _count(fields, said, seconds)
            if self.access_log:
                _log_access(fields, said, status, seconds)
        finally:
            REQUEST_ID.reset(token)

    async def _serve(
        self, scope: Scope, receive: Receive, send: Send, headers: _Headers, idempotency_header: bytes | None
    ) -> tuple[Fields | None, int, Element | ApiError | None]:
        """Answer the request; what the access log says of it: its fields (None: unread), HTTP status and answer."""
        echo = headers.request_id
        method = scope["method"]
        if method not in _ALLOWED:
            error = ApiError("method_not_allowed")
            await _send_doc(send, default_output(), error, echo, [(b"allow", b"GET, POST")])
            return None, error.http_status, error
        if method == "GET" and not scope["query_string"]:  # a browser opening the address: no fields at all
            await send_body(send, 200, PAGE_CONTENT_TYPE, PAGE, [echo, *PAGE_HEADERS])
            return None, 200, None
        length = headers.length
        try:
            expected = int(length) if length is not None and length.isdigit() else None
            if expected is not None and expected > MAX_BODY_BYTES:
                raise ApiError("request_too_large", detail=f"The request body is larger than {MAX_BODY_BYTES} bytes.")
            body = await read_body(receive, expected=expected) if method == "POST" else b""
            data = parse_fields(scope["query_string"], headers.content_type if method == "POST" else None, body)
        except ClientDisconnected as exc:
            _log.info("request dropped, its body incomplete: %s", exc)
            return None, 0, None  # nobody to answer; nothing of it was run or kept
        except FormError as exc:
            error = _form_error(exc)
            await _send_doc(send, default_output(), error, echo)
            return None, error.http_status, error
        except ApiError as exc:
            await _send_doc(send, default_output(), exc, echo)
            return None, exc.http_status, exc
        fields = Fields(data)
        try:
            output = choose_output(fields)
        except InvalidCallback as exc:
            json_renderer = get_renderer("json")
            assert json_renderer is not None
            await _send_doc(send, OutputChoice(json_renderer), exc, echo)
            return fields, exc.http_status, exc
        except ApiError as exc:
            await _send_doc(send, default_output(), exc, echo)
            return fields, exc.http_status, exc
        header_key = headers.key
        key = header_key.decode("utf-8", "replace") if header_key else None
        client = scope.get("client")
        address = None if client is None else str(client[0])
        answer, status, output = await self._answer(fields, key, idempotency_header, output, address)
        if isinstance(answer, RenderedAnswer):
            if answer.replayed:
                IDEMPOTENT_REPLAYS.inc()
            await send_body(
                send,
                answer.status,
                answer.content_type,
                answer.body,
                [echo, *_REPLAYED] if answer.replayed else [echo],
            )
            return fields, answer.status, None
        await _send(send, output, answer, status, [echo])
        return fields, status, answer

    async def _answer(
        self,
        fields: Fields,
        header_key: str | None,
        idempotency_header: bytes | None,
        output: OutputChoice,
        address: str | None,
    ) -> tuple[Answer, int, OutputChoice]:
        """The call's answer, its HTTP status, and the output it is rendered in (the account may ask for the legacy
        form of XML: its setting applies from the login on, errors included)."""
        try:
            principal = await self._login(fields, header_key, address)
        except Exception as exc:
            return (*_failure(exc, fields), output)
        if principal.account.legacy_ampersand:
            output = replace(output, legacy_ampersand=True)
        try:
            handler = resolve_call(fields)
            idempotency = None
            if is_idempotent(handler):
                idempotency_key = read_key(idempotency_header, fields)
                if idempotency_key is not None:
                    render = partial(render_document, output=output)
                    idempotency = IdempotentRequest(idempotency_key, fingerprint(fields), render, self.idempotency)
            context = CallContext(principal, fields, self.store, idempotency, self.token_keys)
            return await handler(context), 200, output
        except Exception as exc:
            return (*_failure(exc, fields), output)

    async def _login(self, fields: Fields, header_key: str | None, address: str | None) -> Principal:
        with_nul = fields.first_with_nul()
        if with_nul is not None:
            raise ApiError("parameter_invalid", detail=f"The field {with_nul} contains a NUL character.")
        account_id = fields.value("account_id")
        if account_id is None and fields.value("type") != USER_LOGIN:
            raise ApiError("parameter_missing", field="account_id")
        user_name = fields.required("user_id")
        if account_id is None:
            account_id = await self._account_of(user_name)
        key = header_key or fields.value("user_api_key") or fields.value("user_password")
        if key is None:
            raise ApiError("parameter_missing", field="user_password")
        throttle = self.throttle
        if not throttle.allows(account_id, user_name, address):
            raise ApiError("too_many_attempts", subject="user")
        try:
            return await authenticate(self.store, account_id, user_name, key, self.logins)
        except ApiError:
            throttle.failed(account_id, user_name, address)
            raise

    async def _account_of(self, user_name: str) -> str:
        """``user_login`` names no account: the one account with a user of that id, else an id no account has (the
        login then fails as a wrong key does, after the same work)."""
        found = await self.store.accounts_with_user(user_name)
        return found[0] if len(found) == 1 else ""


def _failure(exc: Exception, fields: Fields) -> tuple[Element, int]:
    """The error document (and HTTP status) of what a call raised: its own error, the store's, or a fault."""
    if isinstance(exc, ApiError):
        return error_document(exc), exc.http_status
    if isinstance(exc, StoreUnavailable):
        _log.warning("store unavailable: %s", exc)
        STORE_UNAVAILABLE.inc()
        error = ApiError("store_unavailable")
    elif isinstance(exc, BalanceLimit):
        _log.warning("refused past the balance limit while answering %s: %s", fields.value("type"), exc)
        error = ApiError("balance_limit")
    elif isinstance(exc, QueryTimeout):
        _log.warning("statement stopped by its time limit while answering %s: %s", fields.value("type"), exc)
        error = ApiError("query_timeout")
    elif isinstance(exc, ReadsBusy):
        _log.info("a heavy read refused while answering %s: %s", fields.value("type"), exc)
        error = ApiError("reads_busy")
    else:
        _log.error("unexpected error while answering %s", fields.value("type"), exc_info=exc)
        error = ApiError("internal_error")
    return error_document(error), error.http_status


def _form_error(exc: FormError) -> ApiError:
    if isinstance(exc, UnsupportedMediaType):
        return ApiError("unsupported_media_type")
    if isinstance(exc, MalformedBody):
        return ApiError("malformed_request", detail=str(exc))
    return ApiError("request_too_large", detail=str(exc))


async def _send_doc(
    send: Send,
    output: OutputChoice,
    error: ApiError,
    echo: tuple[bytes, bytes],
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    await _send(send, output, error_document(error), error.http_status, [echo, *extra] if extra else [echo])


#: The metrics' children by (type, action, outcome): each label value is one of a known few (call_labels, the error
#: codes, the HTTP statuses), so this stays small, and a request skips prometheus-client's own label lookup.
_children: dict[tuple[str, str, str], tuple[Counter, Histogram]] = {}


def _count(fields: Fields | None, outcome: str, seconds: float) -> None:
    """Count the request in ``loyalty_requests_total`` and its time in ``loyalty_request_duration_seconds``."""
    kind, action = call_labels(fields)
    key = (kind, action, outcome)
    children = _children.get(key)
    if children is None:
        children = _children[key] = (REQUESTS.labels(kind, action, outcome), REQUEST_SECONDS.labels(kind))
    children[0].inc()
    children[1].observe(seconds)


def _log_access(fields: Fields | None, said: str, status: int, seconds: float) -> None:
    """The access log's line: the call, its outcome (the error code, else the HTTP status), how long it took.  Never
    a field's value beyond type and action: keys, passwords and PINs stay out of logs."""
    kind = action = "-"
    if fields is not None:
        kind = _loggable(fields.value("type"))
        action = _loggable(fields.value("action"))
    duration_ms = round(seconds * 1000, 3)
    _access.info(
        "type=%s action=%s outcome=%s duration_ms=%s",
        kind,
        action,
        said,
        duration_ms,
        extra={"type": kind, "action": action, "outcome": said, "status": status, "duration_ms": duration_ms},
    )


def _error_code(outcome: Element | ApiError | None) -> str | None:
    if isinstance(outcome, ApiError):
        return outcome.code
    if outcome is not None and outcome.attrs.get("status") == "error" and outcome.children:
        return outcome.children[0].attrs.get("code")
    return None


def _loggable(value: str | None) -> str:
    """A call's type or action as logged: the known ones are short words; anything else is cut and escaped."""
    if value is None:
        return "-"
    return value[:40].encode("ascii", "backslashreplace").decode("ascii").replace(" ", "_")


async def _send(send: Send, output: OutputChoice, doc: Element, status: int, extra: list[tuple[bytes, bytes]]) -> None:
    content_type, body = render_document(doc, output)
    await send_body(send, status, content_type, body, extra)
