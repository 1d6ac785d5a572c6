"""Log lines: their two formats, and the ids of requests (kept when valid, else made)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from loyalty_api import logs
from loyalty_api.cli import cli
from loyalty_api.logs import REQUEST_ID, request_id_of

GENERATED = re.compile(r"[0-9a-f]{12}-[0-9a-f]+")
TEXT_LINE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (\w+) ([\w.]+) \[([^\]]+)\] (.*)")


@pytest.mark.parametrize(
    "header", [b"a", b"abc-123", b"A.b_c:d-9", b"x" * 128, b"550e8400-e29b-41d4-a716-446655440000"]
)
def test_a_valid_incoming_id_is_kept(header: bytes) -> None:
    assert request_id_of(header) == header.decode()


@pytest.mark.parametrize(
    "header", [None, b"", b"x" * 129, b"has space", b"semi;colon", b"new\nline", "caf\u00e9".encode(), b"a/b", b"<x>"]
)
def test_anything_else_is_replaced_by_a_new_id(header: bytes | None) -> None:
    first, second = request_id_of(header), request_id_of(header)
    assert GENERATED.fullmatch(first) and GENERATED.fullmatch(second)
    assert first != second


@pytest.fixture
def configured() -> Iterator[None]:
    root = logging.getLogger()
    level = root.level
    yield
    for handler in list(root.handlers):
        if isinstance(handler, logs.StderrHandler):
            root.removeHandler(handler)
    root.setLevel(level)


def test_text_lines_have_time_level_logger_request_id_and_message(
    configured: None, capsys: pytest.CaptureFixture[str]
) -> None:
    logs.configure("info", "text")
    logging.getLogger("loyalty_api.example").info("outside %s", "a request")
    token = REQUEST_ID.set("req-1")
    try:
        logging.getLogger("uvicorn.error").warning("inside")
        logging.getLogger("loyalty_api.example").debug("below the level")
    finally:
        REQUEST_ID.reset(token)
    lines = capsys.readouterr().err.splitlines()
    parsed = [TEXT_LINE.fullmatch(line) for line in lines]
    assert [m.groups() if m else line for m, line in zip(parsed, lines, strict=True)] == [
        ("INFO", "loyalty_api.example", "-", "outside a request"),
        ("WARNING", "uvicorn.error", "req-1", "inside"),
    ]


def test_json_lines_are_one_object_each_traceback_included(
    configured: None, capsys: pytest.CaptureFixture[str]
) -> None:
    logs.configure("debug", "json")
    token = REQUEST_ID.set("req-2")
    try:
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logging.getLogger("loyalty_api.example").exception("failed")
    finally:
        REQUEST_ID.reset(token)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert {k: line[k] for k in ("level", "logger", "message", "request_id")} == {
        "level": "ERROR",
        "logger": "loyalty_api.example",
        "message": "failed",
        "request_id": "req-2",
    }
    assert "RuntimeError: boom" in line["exc_info"] and line["time"].endswith("Z")


def test_configuring_again_replaces_the_handler(configured: None, capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure("info", "json")
    logs.configure("warning", "text")
    logging.getLogger("loyalty_api.example").info("dropped")
    logging.getLogger("loyalty_api.example").warning("once")
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].endswith(" WARNING loyalty_api.example [-] once")
    assert sum(isinstance(h, logs.StderrHandler) for h in logging.getLogger().handlers) == 1


def test_uvicorn_gets_the_same_configuration() -> None:
    config = logs.uvicorn_config("warning", "json")
    assert config["root"]["level"] == "WARNING"
    assert config["formatters"]["loyalty"]["()"] == "loyalty_api.logs.JsonFormatter"
    assert all(not config["loggers"][name]["handlers"] for name in ("uvicorn", "uvicorn.error", "uvicorn.access"))


def test_the_cli_refuses_a_log_variable_out_of_its_choices_by_name(configured: None) -> None:
    result = CliRunner().invoke(cli, ["db", "--help"], env={"LOYALTY_LOG_FORMAT": "xml"})
    assert result.exit_code == 0  # help needs no configuration
    result = CliRunner().invoke(cli, ["db", "upgrade"], env={"LOYALTY_LOG_FORMAT": "xml"})
    assert result.exit_code == 1
    assert result.stderr == "Error: LOYALTY_LOG_FORMAT must be one of text, json, not 'xml'\n"


def test_the_cli_options_win_over_the_variables(configured: None, tmp_path: Path) -> None:
    env = {"LOYALTY_LOG_FORMAT": "xml", "LOYALTY_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    result = CliRunner().invoke(cli, ["--log-format", "json", "--log-level", "DEBUG", "db", "upgrade"], env=env)
    assert "LOYALTY_LOG_FORMAT" in result.stderr  # the variable is still read with the others, and still refused
    result = CliRunner().invoke(cli, ["--log-level", "loud", "db", "upgrade"])
    assert result.exit_code == 2 and "'loud' is not one of" in result.stderr
