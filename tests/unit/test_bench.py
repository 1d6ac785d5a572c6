"""The benchmark suite's pure parts: bodies, wrk output, planning, tables, stack classification, the big store.

Nothing here measures time; the suite itself runs with ``python -m bench`` (docs/performance.md).
"""

from __future__ import annotations

import asyncio
import http.server
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from starlette.testclient import TestClient

from bench.bigstore import fill_store
from bench.bodies import (
    CALLS,
    COUNTER_MARKER,
    FIND_WORD_PREFIX,
    REFERENCE_EXPECTED,
    SEARCH_BODY,
    SEARCH_EXPECTED,
    SEARCH_STOPPED,
    fill_counter,
    largest_find_text,
)
from bench.plan import SEARCH_LOAD, VARIANTS, parse_args, select
from bench.reference_app import REFERENCE_BODY, app
from bench.report import (
    evaluate_targets,
    markdown_table,
    reference_table,
    results_table,
    search_load_intro,
    search_load_table,
    targets_table,
)
from bench.results import LoadPair, Pair, ScenarioResult, SearchLoadResult, SearchRun, Variant
from bench.search_load import Searcher, fill_customers
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
from loyalty_api.config import Settings
from loyalty_api.customers.customer_search import (
    FIND_MAX_CHARACTERS,
    FIND_MAX_GROUPS,
    FIND_MAX_WORDS,
    find_groups,
)
from loyalty_api.demo import load_demo
from loyalty_api.store import create_store
from loyalty_api.store.ledger_models import BalanceMismatch
from loyalty_api.store.models import CustomerPage, CustomerQuery
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


def test_search_load_is_in_the_full_plan_not_the_quick_one() -> None:
    full = select([], quick=False, big=False)
    searched = [variant for call, variant in full if call == SEARCH_LOAD]
    assert searched == ["sqlite-full", "sqlite-normal", "postgres-1", "postgres-2"]
    assert full[-len(searched) :] == tuple((SEARCH_LOAD, v) for v in searched)  # after the calls: it adds customers
    assert all(call != SEARCH_LOAD for call, _ in select([], quick=True, big=False))
    assert select([SEARCH_LOAD, "xml", "sqlite-normal"], quick=True, big=False) == (
        ("xml", "sqlite-normal"),
        (SEARCH_LOAD, "sqlite-normal"),
    )
    assert select([f"{SEARCH_LOAD}@postgres-2"], quick=False, big=False) == ((SEARCH_LOAD, "postgres-2"),)
    assert (SEARCH_LOAD, "sqlite-big") not in select([SEARCH_LOAD], quick=False, big=True)


def test_search_load_runs_are_longer_and_counted_in_the_estimate() -> None:
    plan = parse_args(["--scenarios", SEARCH_LOAD, "sqlite-full"])
    assert (plan.duration_s, plan.search_duration_s, plan.rounds) == (3, 6, 3)
    assert plan.calls == [SEARCH_LOAD] and plan.variants == [VARIANTS["sqlite-full"]]
    assert plan.estimated_seconds() == plan.warmup_s + 7 * 6  # alone, then (searched, alone) per round
    assert parse_args(["--scenarios", SEARCH_LOAD, "--search-duration", "4"]).search_duration_s == 4


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


# --- search under load ----------------------------------------------------------------------------


def _searched(
    key: str, ratio: float, *, searches: int = 4, bad: int = 0, label: str = "", kind: str = "sqlite"
) -> SearchLoadResult:
    variant = Variant(key, label or key, kind, workers=2 if key.endswith("-2") else 1)
    result = SearchLoadResult(variant, customers=10_000)
    run = SearchRun(
        searches, tuple(100.0 * (n + 1) for n in range(searches)), ran=max(searches, 1) + 1, stopped=1, bad=bad
    )
    result.pairs.append(LoadPair(_wrk(5_000), _wrk(5_000 * ratio), run, _wrk(5_000), 3.0, 4.0))
    return result


def test_the_search_is_the_largest_allowed_and_finds_no_customer() -> None:
    text = largest_find_text()
    groups = find_groups(text)  # the server's own check: it would answer parameter_invalid past a limit
    assert len(text) == FIND_MAX_CHARACTERS
    assert len(groups) == FIND_MAX_GROUPS and sum(len(g) for g in groups) == FIND_MAX_WORDS
    words = [word for group in groups for word in group]
    assert len(set(words)) == len(words) and all(word.startswith(FIND_WORD_PREFIX) for word in words)
    fields = dict(parse_qsl(SEARCH_BODY, strict_parsing=True))
    assert fields["type"] == "customer_find" and fields["find_customer"] == text
    assert (fields["user_id"], fields["account_id"]) == ("john1970", "greatwidgets")


def test_filled_customers_never_match_the_search(settings: Settings) -> None:
    fill_customers(settings.database_url, count=300)

    async def search(words: tuple[tuple[str, ...], ...]) -> CustomerPage:
        store = create_store(settings)
        await store.open()
        try:
            return await store.search_customers(1, CustomerQuery(any_words=words, limit=5))
        finally:
            await store.close()

    assert asyncio.run(search(find_groups(largest_find_text()))).total == 0
    assert asyncio.run(search((("searched29",),))).total == 11  # Searched29 and Searched290..299: the rows are there


def test_search_load_table_and_targets() -> None:
    results = [
        _searched("sqlite-full", 0.85, label="SQLite FULL"),
        _searched("sqlite-normal", 0.60, label="SQLite NORMAL"),
        _searched("postgres-1", 0.95, bad=1, label="PostgreSQL", kind="postgres"),
        SearchLoadResult(Variant("postgres-2", "PostgreSQL", "postgres", workers=2), unavailable="not available yet"),
    ]
    assert results[0].ratio == pytest.approx(0.85) and results[0].searches == 4 and results[0].searches_stopped == 1
    assert results[0].search_p50_ms == pytest.approx(250.0) and results[0].search_max_ms == pytest.approx(400.0)
    table = search_load_table(results)
    assert "0.850" in table and "4,250" in table and "250.0" in table and "PostgreSQL, 2 workers" in table
    assert "**INVALID** (searches: 1 unexpected answers" in table
    assert "| stopped |" in table.splitlines()[0]
    assert "10,000 customers" in search_load_intro(results, 6) and "Runs of 6 s" in search_load_intro(results, 6)
    target = "campaign_update keeps ≥ 80% of its throughput while the largest search allowed runs"
    verdicts = {line.target: line.verdict for line in evaluate_targets([], search_results=results)}
    assert verdicts[f"{target} (SQLite FULL)"] == "met"
    assert verdicts[f"{target} (SQLite NORMAL)"] == "missed"
    assert verdicts[f"{target} (PostgreSQL, 1 worker)"] == "invalid run"
    assert verdicts[f"{target} (PostgreSQL, 2 workers)"] == "not available yet"
    assert {line.target: line.verdict for line in evaluate_targets([])}[target] == "not measured"


def test_a_loaded_run_without_any_search_is_invalid() -> None:
    result = _searched("sqlite-normal", 0.9, searches=0)
    result.pairs[0] = LoadPair(_wrk(5_000), _wrk(4_500), SearchRun(0), _wrk(5_000))
    assert not result.valid and result.invalid_reason() == "no search ran during a loaded run"
    # A search longer than the run is still a search that ran: valid, though none completed within it.
    result.pairs[0] = LoadPair(_wrk(5_000), _wrk(4_500), SearchRun(0, ran=1), _wrk(5_000))
    assert result.valid and result.searches == 0


class _SearchServer(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    answer = b'<response status="no_match"/>'

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(0.01)
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.answer)))
        self.end_headers()
        self.wfile.write(self.answer)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def search_server() -> Iterator[http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SearchServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_searcher_sends_back_to_back_and_checks_every_answer(search_server: http.server.ThreadingHTTPServer) -> None:
    url = f"http://127.0.0.1:{search_server.server_address[1]}/api.php"
    searcher = Searcher(url, SEARCH_BODY, SEARCH_EXPECTED, SEARCH_STOPPED)
    searcher.start()
    start = time.monotonic()
    time.sleep(0.3)
    end = time.monotonic()
    searcher.stop()
    run = searcher.run_between(start, end)
    assert run.valid and run.completed >= 3 and run.ran >= run.completed and run.stopped == 0
    assert all(ms >= 10 for ms in run.latencies_ms) and len(run.latencies_ms) == run.completed

    def answers(expected: str, stopped: str) -> SearchRun:
        searcher = Searcher(url, SEARCH_BODY, expected, stopped)
        searcher.start()
        time.sleep(0.1)
        searcher.stop()
        return searcher.run_between(0, time.monotonic())

    # A search the server stopped at its statement timeout ran all the same: counted apart, not as completed.
    stopped = answers('status="success"', 'status="no_match"')
    assert stopped.valid and stopped.stopped == stopped.ran > 0 and stopped.completed == 0
    wrong = answers('status="success"', SEARCH_STOPPED)
    assert not wrong.valid and wrong.bad == wrong.ran > 0 and "no_match" in wrong.bad_sample


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
