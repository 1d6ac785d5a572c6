"""Logging of the server and the CLI: one format for every line, and the id of the request a line belongs to.

:func:`configure` sends every logger's lines (uvicorn's included) to standard error, each with its time, level,
logger and message, as text or as one JSON object a line; :func:`uvicorn_config` is the same for uvicorn's worker
processes.  While an API request runs, :data:`REQUEST_ID` holds its id (``X-Request-ID``): a filter on the handler
adds it to every line the request causes, tracebacks included.
"""

from __future__ import annotations

import json
import logging
import logging.config
import os
import re
import sys
import time
from contextvars import ContextVar
from itertools import count
from typing import Any, Final

from loyalty_api.config import LOG_FORMATS, LOG_LEVELS

__all__ = [
    "ACCESS_LOGGER",
    "REQUEST_ID",
    "JsonFormatter",
    "RequestIdFilter",
    "StderrHandler",
    "TextFormatter",
    "configure",
    "new_request_id",
    "request_id_of",
    "uvicorn_config",
]

#: The logger of the access log (``--access-log``): one line per API request.
ACCESS_LOGGER: Final = "loyalty_api.access"
#: The id of the request being answered (None outside a request).
REQUEST_ID: Final[ContextVar[str | None]] = ContextVar("loyalty_request_id", default=None)

# An incoming X-Request-ID is kept when it is 1 to 128 of these characters; else a new one is made.
_VALID_ID: Final = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
# Generated ids: random per process, then a counter (cheaper than a UUID per request, unique across processes).
_PREFIX: Final = os.urandom(6).hex()
_COUNTER: Final = count(1)
_TEXT_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
# The logger names uvicorn logs under; their own handlers are replaced by ours.
_UVICORN_LOGGERS: Final = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")


def new_request_id() -> str:
    return f"{_PREFIX}-{next(_COUNTER):x}"


def request_id_of(header: bytes | None) -> str:
    """The id of a request: its ``X-Request-ID`` when valid, else a new one."""
    if header is not None and _VALID_ID.fullmatch(header):
        return header.decode("ascii")
    return new_request_id()


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (``-`` outside a request) to every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get() or "-"
        return True


class TextFormatter(logging.Formatter):
    """``2026-12-07T15:50:37.123+0000 INFO loyalty_api.access [id] message`` (times in UTC)."""

    def __init__(self) -> None:
        super().__init__(_TEXT_FORMAT)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _utc(record)

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get() or "-"
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id, the access log's fields, and the
    traceback (``exc_info``) when there is one."""

    _FIELDS: Final = ("type", "action", "outcome", "duration_ms", "status")

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": _utc(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or REQUEST_ID.get(),
        }
        for name in self._FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc_info"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


def _utc(record: logging.LogRecord) -> str:
    seconds = int(record.created)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return f"{stamp}.{int(record.msecs):03d}Z"


def uvicorn_config(level: str, log_format: str) -> dict[str, Any]:
    """The ``logging.config.dictConfig`` of :func:`configure`: uvicorn applies it in each worker process."""
    if level not in LOG_LEVELS:
        raise ValueError(f"the log level must be one of {', '.join(LOG_LEVELS)}, not {level!r}")
    if log_format not in LOG_FORMATS:
        raise ValueError(f"the log format must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
    formatter = f"{__name__}.{'JsonFormatter' if log_format == 'json' else 'TextFormatter'}"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": f"{__name__}.RequestIdFilter"}},
        "formatters": {"loyalty": {"()": formatter}},
        "handlers": {
            "stderr": {
                "class": f"{__name__}.StderrHandler",
                "formatter": "loyalty",
                "filters": ["request_id"],
            }
        },
        "loggers": {name: {"handlers": [], "propagate": True} for name in _UVICORN_LOGGERS},
        "root": {"handlers": ["stderr"], "level": level.upper()},
    }


def configure(level: str = "info", log_format: str = "text") -> None:
    """Send every logger's lines to standard error in ``log_format`` from ``level`` on (this process).  Called
    again, it replaces what it set before and leaves other handlers alone."""
    config = uvicorn_config(level, log_format)  # checks both
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, StderrHandler):
            root.removeHandler(handler)
    ours = StderrHandler()
    ours.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    ours.addFilter(RequestIdFilter())
    root.addHandler(ours)
    root.setLevel(config["root"]["level"])
    for name in _UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A handler writing to whatever ``sys.stderr`` is when a line is written (it may be replaced after start)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass
