"""The benchmark suite's pure parts: bodies, wrk output, planning, tables, stack classification, the big store.

Nothing here measures time; the suite itself runs with ``python -m bench`` (docs/performance.md).
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from starlette.testclient import TestClient

from bench.bigstore import fill_store
from bench.bodies import CALLS, COUNTER_MARKER, REFERENCE_EXPECTED, fill_counter
from bench.plan import parse_args, select
from bench.reference_app import REFERENCE_BODY, app
from bench.report import evaluate_targets, markdown_table, reference_table, results_table, targets_table
from bench.results import Pair, ScenarioResult, Variant
from bench.stacks import (
    AUTH,
    FSYNC,
    HANDOFF,
    HTTP,
    LOGIN,
    PG,
    SOCKET,
    SQL,
    WAIT_DISK,
    WAIT_IDLE,
    WAIT_LOCK,
    Sample,
    classify,
    is_waiting,
    summarize,
    waiting_kind,
)
from bench.wrk import LUA_SCRIPT, WrkError, WrkResult, parse_wrk_output
from loyalty_api.demo import load_demo
from loyalty_api.store.ledger_models import BalanceMismatch
from loyalty_api.store.sqlite.store import SqliteStore
from renderers import Element, el, get_renderer, response

FORM = "application/x-www-form-urlencoded"
WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:1234/api.php
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     6.80ms    2.10ms  24.49ms   80.00%
BENCH requests=8000 duration_us=2000000 answers=8000 bad=0 answer_bytes=984000 p50_us=6500 p90_us=9000 \
p99_us=19500 max_us=24490 mean_us=6800.5 err_connect=0 err_read=0 err_write=0 err_status=0 err_timeout=0
Requests/sec:   4000.00
"""


def _wrk(rps: float, p50: float = 5.0, p99: float = 20.0, bad: int = 0) -> WrkResult:
    return WrkResult(int(rps * 2), 2.0, int(rps * 2), bad, p50, p50, p99, p99, p50, 0, 0)


def _result(call: str, key: str, ratio: float, *, p50: float = 5.0, p99: float = 20.0) -> ScenarioResult:
    variant = Variant(key, key, "sqlite", workers=2 if key.endswith("-2") else 1, big=key == "sqlite-big")
    result = ScenarioResult(call, CALLS[call].title, variant)
    result.pairs.append(Pair(_wrk(10_000), _wrk(10_000 * ratio, p50, p99), 1.0))
    return result


# --- bodies and the reference app ----------------------------------------------------------------


def test_writing_bodies_vary_on_every_request_and_carry_the_demo_credentials() -> None:
    for call in CALLS.values():
        for body in call.bodies:
            fields = dict(parse_qsl(fill_counter(body, "r1t1n7"), keep_blank_values=True, strict_parsing=True))
            assert fields["user_id"] == "john1970"
            assert fields["account_id"] == "greatwidgets"
            assert body.count(COUNTER_MARKER) == (1 if call.writes else 0)
            if call.writes:
                # The counter lands in a text the call stores: a campaign's description or a sale's authorization.
                changing = fields.get("description") or fields["authorization"]
                assert changing.endswith("r1t1n7")
                assert fields["type"] in ("campaign_update", "record_activity")
    spread = [dict(parse_qsl(body))["campaign_id"] for body in CALLS["xml_spread"].bodies]
    assert len(set(spread)) == len(spread) == 6
    assert dict(parse_qsl(CALLS["json"].body))["condensed"] == "yes"
    assert "callback" in dict(parse_qsl(CALLS["jsonp"].body))
    assert dict(parse_qsl(CALLS["wrong_key"].body))["user_password"] != "1959caadac9b13dcb3"


def test_reference_body_is_the_apps_campaign_update_answer() -> None:
    doc = response("updated", [Element("campaign", children=[el("id", "1234567890123451")])])
    renderer = get_renderer("xml")
    assert renderer is not None
    assert renderer.render(doc, condensed=False) == REFERENCE_BODY
    assert REFERENCE_EXPECTED in REFERENCE_BODY.decode()


def test_expected_answers_match_the_renderers() -> None:
    doc = response("updated", [Element("campaign", children=[el("id", "1234567890123451")])])
    json_renderer = get_renderer("json")
    assert json_renderer is not None
    assert CALLS["json"].expected in json_renderer.render(doc, condensed=True).decode()
    assert CALLS["jsonp"].expected in json_renderer.render(doc, condensed=False).decode()


def test_reference_app_reads_the_form_and_answers_the_fixed_document() -> None:
    with TestClient(app) as client:
        answer = client.post("/api.php", content=fill_counter(CALLS["xml"].body, "x"), headers={"content-type": FORM})
    assert answer.status_code == 200
    assert answer.content == REFERENCE_BODY
    assert answer.headers["content-type"] == "text/xml; charset=utf-8"


def test_lua_script_reports_what_the_parser_reads() -> None:
    script = LUA_SCRIPT.read_text()
    for key in ("requests=", "bad=", "p50_us=", "p99_us=", "err_status=", "BENCH_BAD_SAMPLE", COUNTER_MARKER):
        assert key in script


# --- wrk output ------------------------------------------------------------------------------------


def test_parse_wrk_output() -> None:
    result = parse_wrk_output(WRK_OUTPUT)
    assert result.requests == 8000
    assert result.rps == pytest.approx(4000.0)
    assert (result.p50_ms, result.p99_ms, result.max_ms) == (6.5, 19.5, 24.49)
    assert result.valid and result.bad_sample == ""


def test_parse_wrk_output_counts_bad_answers_and_errors() -> None:
    text = WRK_OUTPUT.replace("bad=0", "bad=3").replace("err_timeout=0", "err_timeout=2")
    text += 'BENCH_BAD_SAMPLE 200 <response status="error">\n'
    result = parse_wrk_output(text)
    assert (result.bad, result.socket_errors, result.valid) == (3, 2, False)
    assert result.bad_sample.startswith("200 <response")


def test_parse_wrk_output_without_result_line() -> None:
    with pytest.raises(WrkError):
        parse_wrk_output("Running 2s test\n")
    with pytest.raises(WrkError, match="lacks"):
        parse_wrk_output("BENCH requests=1\n")


# --- planning ----------------------------------------------------------------------------------------


def test_select_defaults_filters_and_pairs() -> None:
    quick = select([], quick=True, big=False)
    assert ("xml", "sqlite-full") in quick and all(not v.startswith("postgres") for _, v in quick)
    full = select([], quick=False, big=False)
    assert ("jsonp", "postgres-2") in full
    assert select(["xml", "sqlite-normal"], quick=False, big=False) == (("xml", "sqlite-normal"),)
    assert select(["json@postgres-1"], quick=True, big=False) == (("json", "postgres-1"),)
    big = select(["json"], quick=True, big=True)
    assert ("xml", "sqlite-big") in big and ("xml", "sqlite-normal") in big
    with pytest.raises(ValueError, match="unknown scenario"):
        select(["nope"], quick=True, big=False)


def test_parse_args_quick_is_short() -> None:
    plan = parse_args(["--quick"])
    assert plan.mode == "quick" and plan.rounds == 1 and not plan.profile
    assert plan.estimated_seconds() < 50
    assert parse_args([]).rounds >= 3


# --- tables and targets -----------------------------------------------------------------------------


def test_markdown_table_aligns_columns() -> None:
    table = markdown_table(["a", "number"], [["x", "1"], ["long text", "12,345"]], "lr")
    lines = table.splitlines()
    assert lines[0] == "| a         | number |"
    assert lines[1] == "|-----------|-------:|"
    assert lines[3] == "| long text | 12,345 |"
    with pytest.raises(ValueError):
        markdown_table(["a"], [["1", "2"]])


def test_results_table_and_targets() -> None:
    results = [
        _result("xml", "sqlite-full", 0.30),
        _result("xml", "sqlite-normal", 0.30),
        _result("json", "sqlite-full", 0.31),
        _result("json", "sqlite-normal", 0.20, p99=80.0),
        _result("xml", "sqlite-big", 0.28),
    ]
    unavailable = ScenarioResult("xml", "x", Variant("postgres-1", "PostgreSQL", "postgres"))
    unavailable.unavailable = "not available yet: no store"
    results.append(unavailable)
    table = results_table(results)
    assert "0.300" in table and "**no**" in table and "not available yet: no store" in table
    verdicts = {line.target: line.verdict for line in evaluate_targets(results, auth_cpu_share=0.04)}
    assert verdicts["campaign_update XML, SQLite FULL: ratio ≥ 0.25"] == "met"
    assert verdicts["campaign_update XML, SQLite NORMAL: ratio ≥ 0.35"] == "missed"
    assert verdicts["JSON condensed ≥ XML (FULL)"] == "met"
    assert verdicts["JSON condensed ≥ XML (NORMAL)"] == "missed"
    assert verdicts["p99 ≤ 10× p50 everywhere"] == "missed"
    assert verdicts["credential check ≤ 5% of CPU"] == "met"
    assert verdicts["1M campaigns + 1M ledger rows within 10% of demo-sized"] == "met"
    assert verdicts["PostgreSQL, 1 worker: ratio ≥ 0.15"] == "not available yet"
    assert "**missed**" in targets_table(evaluate_targets(results))


def test_ratio_uses_the_reference_runs_around_the_app_run() -> None:
    pair = Pair(_wrk(10_000), _wrk(3_000), 1.0, 1.0, _wrk(20_000), 1.0)
    assert pair.ratio == pytest.approx(0.2)
    result = ScenarioResult("xml", "x", Variant("sqlite-full", "SQLite FULL", "sqlite"))
    result.pairs.append(pair)
    assert result.reference_rps == pytest.approx(15_000)
    assert "| campaign_update XML" not in reference_table([]) and "20,000" in reference_table([result])


def test_a_bad_answer_makes_the_scenario_invalid() -> None:
    result = _result("xml", "sqlite-full", 0.5)
    result.pairs.append(Pair(_wrk(10_000), _wrk(5_000, bad=1), 1.0))
    assert not result.valid
    assert "1 unexpected answers" in result.invalid_reason()
    assert "INVALID" in results_table([result])
    assert evaluate_targets([result])[0].verdict == "invalid run"


# --- profiles -----------------------------------------------------------------------------------------


def _sample(*frames: str, thread: str = "thread (1): MainThread", count: int = 1) -> Sample:
    return Sample(thread, ("run (asyncio/runners.py:118)", *frames), count)


def test_classify_stacks() -> None:
    auth = "authenticate (loyalty_api/accounts/auth.py:41)"
    login = "SqliteStore.find_login (loyalty_api/store/sqlite/store.py:131)"
    send = "RequestResponseCycle.send (uvicorn/protocols/http/httptools_impl.py:524)"
    assert classify(_sample(auth, "key_digest (loyalty_api/accounts/auth.py:32)")) == AUTH
    assert classify(_sample(auth, login, "sqlite3VdbeExec (libsqlite3.so.0)")) == LOGIN
    assert classify(_sample("SqliteWriteTx.update_campaign (loyalty_api/store/sqlite/_tx.py:57)")) == SQL
    assert classify(_sample(send)) == HTTP
    assert classify(_sample(send, "write (libc.so.6)")) == SOCKET
    pg_send = "Connection._do_execute (asyncpg/connection.py:1900)"
    assert classify(_sample(login, pg_send, "write (libc.so.6)")) == PG
    assert classify(_sample(auth, login, pg_send)) == PG
    assert classify(_sample("x (loyalty_api/store/sqlite/_writer.py:87)", "fdatasync (libc.so.6)")) == FSYNC
    assert waiting_kind(_sample("x (loyalty_api/store/sqlite/_writer.py:87)", "fdatasync (libc.so.6)")) == WAIT_DISK
    assert classify(_sample("ThreadPoolExecutor.submit (concurrent/futures/thread.py:175)")) == HANDOFF


def test_waiting_samples_are_not_cpu() -> None:
    parked = _sample("_worker (concurrent/futures/thread.py:81)", thread="thread (2): sqlite-writer_0")
    polling = _sample("epoll_pwait (libc.so.6)", "0x7f0000 (libc.so.6)")
    assert is_waiting(parked) and is_waiting(polling)
    assert (waiting_kind(parked), waiting_kind(polling)) == (WAIT_LOCK, WAIT_IDLE)
    busy = _sample("authenticate (loyalty_api/accounts/auth.py:41)", count=3)
    assert not is_waiting(busy)
    profile = summarize([parked, polling, busy, _sample("RequestResponseCycle.send (uvicorn/x.py:1)")])
    assert (profile.cpu_samples, profile.waiting_samples) == (4, 2)
    assert profile.auth_share == pytest.approx(0.75)
    assert "authenticate (loyalty_api/accounts/auth.py)" in profile.inclusive_functions
    assert not any("asyncio" in name for name in profile.inclusive_functions)


# --- the big store ---------------------------------------------------------------------------------------


def test_fill_store_matches_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "big.db"

    async def prepare() -> None:
        async with SqliteStore(f"sqlite:///{path}") as store:
            await store.migrate()
            await load_demo(store)

    asyncio.run(prepare())
    fill_store(path, campaigns=500, ledger_rows=800)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT count(*) FROM campaigns WHERE campaign_id LIKE '7%'").fetchone()[0] == 500
        assert conn.execute("SELECT count(*) FROM ledger WHERE user_name = 'benchAPI'").fetchone()[0] == 800
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        demo = conn.execute("SELECT name FROM campaigns WHERE campaign_id = '1234567890123451'").fetchone()
        assert demo == ("Widget Rewards",)
    finally:
        conn.close()

    async def mismatches() -> list[BalanceMismatch]:
        async with SqliteStore(f"sqlite:///{path}") as store:
            return await store.balance_mismatches()

    assert asyncio.run(mismatches()) == []  # the bulk entries have their running balances
