"""Running a plan: start the servers, measure reference and app in alternation, write the report."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench.bigstore import build_big_store
from bench.bodies import (
    CALLS,
    REFERENCE_EXPECTED,
    SEARCH_BODY,
    SEARCH_EXPECTED,
    SEARCH_STOPPED,
    balance_seed_bodies,
    fill_counter,
)
from bench.machine import machine_lines
from bench.plan import SEARCH_LOAD, Plan, parse_args
from bench.profiling import ProfileRun, ensure_py_spy, profile_markdown, profile_server, server_writer_lines
from bench.reference_app import REFERENCE_BODY
from bench.report import (
    evaluate_targets,
    reference_table,
    results_table,
    search_load_intro,
    search_load_table,
    targets_table,
)
from bench.results import LoadPair, Pair, ScenarioResult, SearchLoadResult, Variant
from bench.search_load import SEARCH_CUSTOMERS, Searcher, fill_customers
from bench.servers import Server, ServerFailed, post, start_app, start_reference
from bench.wrk import WrkError, WrkResult, ensure_wrk, run_wrk

__all__ = ["main", "run_plan"]


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class _Run:
    """The state of one run: its servers, its work directory and the PostgreSQL databases it made."""

    def __init__(self, plan: Plan, work_dir: Path) -> None:
        self.plan = plan
        self.work_dir = work_dir
        self.wrk = ensure_wrk(say)
        self.servers: dict[str, Server] = {}
        self.unavailable: dict[str, str] = {}
        self.databases: list[str] = []
        self.database_urls: dict[str, str] = {}  # variant key -> the URL its server uses
        self.notes: list[str] = []
        self.writer_lines = server_writer_lines()

    # --- servers ------------------------------------------------------------------------------

    def start_servers(self) -> None:
        self.writer_lines = server_writer_lines()
        self.servers["reference"] = start_reference(self.work_dir)
        for variant in self.plan.variants:
            try:
                self.servers[variant.key] = self._start(variant)
            except (RuntimeError, OSError) as exc:
                self.unavailable[variant.key] = f"not available yet: {exc}"
        for key, server in list(self.servers.items()):
            try:
                server.wait_ready()
            except ServerFailed as exc:
                if key == "reference" or not key.startswith("postgres"):
                    raise
                self.unavailable[key] = "not available yet: " + _last_line(str(exc))
                server.stop()
                del self.servers[key]

    def _start(self, variant: Variant) -> Server:
        if variant.kind == "postgres":
            url = self.database_urls[variant.key] = self._create_database(variant.key)
            return start_app(variant.key, self.work_dir, url, workers=variant.workers)
        path = self.work_dir / f"{variant.key}.db"
        if variant.big:
            say("building the big store (1,000,000 campaigns, 1,000,000 ledger rows)")
            big = build_big_store(path)
            self.notes.append(
                f"Big store: {big.campaigns:,} campaigns and {big.ledger_rows:,} ledger rows of filler accounts "
                f"added to the demo world in {big.seconds:.0f} s ({path.stat().st_size / 2**20:,.0f} MiB)."
            )
        url = self.database_urls[variant.key] = f"sqlite:///{path}"
        return start_app(variant.key, self.work_dir, url, synchronous=variant.synchronous, workers=variant.workers)

    def _create_database(self, key: str) -> str:
        psql = shutil.which("psql")
        if psql is None:
            raise RuntimeError("psql is not installed (PostgreSQL client)")
        name = f"loyalty_bench_{os.getpid()}_{key.replace('-', '_')}"
        done = subprocess.run(
            [psql, self.plan.postgres_url, "-v", "ON_ERROR_STOP=1", "-qc", f'CREATE DATABASE "{name}"'],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"cannot create a PostgreSQL database: {_last_line(done.stderr)}")
        self.databases.append(name)
        base, _, _ = self.plan.postgres_url.rpartition("/")
        return f"{base}/{name}"

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()
        psql = shutil.which("psql")
        for name in self.databases:
            if psql:
                subprocess.run(
                    [psql, self.plan.postgres_url, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
                    capture_output=True,
                    timeout=60,
                    check=False,
                )

    # --- measuring ----------------------------------------------------------------------------

    def _wrk(self, server: Server, body: str, expected: str, seconds: int, tag: str) -> tuple[WrkResult, float]:
        before = server.cpu_seconds()
        result = run_wrk(
            self.wrk,
            server.url,
            body,
            expected,
            seconds=seconds,
            connections=self.plan.connections,
            threads=self.plan.threads,
            tag=tag,
        )
        return result, server.cpu_seconds() - before

    def _record_sales(self, results: dict[str, ScenarioResult]) -> None:
        """Give customer_balance's customer its sales on each server (once: a second run finds it enrolled)."""
        for key, result in results.items():
            if not result.unavailable:
                for body in balance_seed_bodies():
                    post(self.servers[key].url, body)

    def measure_call(self, call_name: str) -> list[ScenarioResult]:
        call = CALLS[call_name]
        results = {
            v.key: ScenarioResult(call_name, call.title, v, unavailable=self.unavailable.get(v.key, ""))
            for v in self.plan.variants_of(call_name)
        }
        reference = self.servers["reference"]
        if call_name == "customer_balance":
            self._record_sales(results)
        probe = fill_counter(call.bodies[0], "probe")
        live = []
        for key, result in results.items():
            if result.unavailable:
                continue
            status, text = post(self.servers[key].url, probe)
            if call.expected not in text:
                message = f"the probe answered HTTP {status} {_answer_gist(text)}"
                if call_name == "campaigns_list":
                    result.unavailable = f"not available yet ({message})"
                else:
                    result.failure = message
                continue
            if call_name == "xml" and len(text.encode()) != len(REFERENCE_BODY):
                self.notes.append(
                    f"{key}: the XML answer has {len(text.encode())} bytes, the reference's {len(REFERENCE_BODY)}."
                )
            live.append(key)
        if not live:
            return list(results.values())
        say(f"{call.title}: warming up the reference and {', '.join(live)}")
        for key in ["reference", *live]:
            server = self.servers[key]
            expected = REFERENCE_EXPECTED if key == "reference" else call.expected
            warm, _ = self._wrk(server, call.body, expected, self.plan.warmup_s, f"w{key[:3]}")
            if not warm.valid and key != "reference":
                results[key].warmup_problem = _problem(warm)
        for round_no in range(self.plan.rounds):
            # reference, app A, reference, app B, ..., reference: every app run is bracketed by two reference runs.
            order = live if round_no % 2 == 0 else list(reversed(live))
            tag = f"r{round_no}"
            ref, ref_cpu = self._wrk(reference, call.body, REFERENCE_EXPECTED, self.plan.duration_s, tag + "ref")
            line = [f"ref {ref.rps:,.0f}"]
            for n, key in enumerate(order):
                server = self.servers[key]
                app, cpu = self._wrk(server, call.body, call.expected, self.plan.duration_s, f"{tag}{n}{key[:3]}")
                after, after_cpu = self._wrk(
                    reference, call.body, REFERENCE_EXPECTED, self.plan.duration_s, f"{tag}{n}ref"
                )
                pair = Pair(ref, app, cpu, ref_cpu, after, after_cpu)
                results[key].pairs.append(pair)
                line.append(f"{key} {app.rps:,.0f} ({pair.ratio:.3f}){'' if app.valid else ' INVALID'}")
                line.append(f"ref {after.rps:,.0f}")
                ref, ref_cpu = after, after_cpu
            say(f"{call.title} round {round_no + 1}/{self.plan.rounds}: " + ", ".join(line))
        return list(results.values())

    def measure_search_load(self) -> list[SearchLoadResult]:
        """campaign_update XML alone and while one client sends the largest search back to back, per store.

        Per store: the customers, a probe of both requests, a warm-up, then alone, (searched, alone) per round;
        each searched run is compared with the mean of the runs alone right before and after it.
        """
        call = CALLS["xml"]
        results = {
            v.key: SearchLoadResult(v, unavailable=self.unavailable.get(v.key, ""))
            for v in self.plan.variants_of(SEARCH_LOAD)
        }
        live = [key for key, result in results.items() if not result.unavailable and self._prepare_search(result)]
        for key in live:
            server, result = self.servers[key], results[key]
            say(f"search under load, {key}: warming up")
            warm, _ = self._wrk(server, call.body, call.expected, self.plan.warmup_s, f"sw{key[:3]}")
            if not warm.valid:
                result.warmup_problem = _problem(warm)
            seconds = self.plan.search_duration_s
            alone, alone_cpu = self._wrk(server, call.body, call.expected, seconds, f"s0a{key[:3]}")
            for round_no in range(self.plan.rounds):
                searcher = Searcher(server.url, SEARCH_BODY, SEARCH_EXPECTED, SEARCH_STOPPED)
                searcher.start()
                try:
                    start = time.monotonic()
                    tag = f"s{round_no}l{key[:3]}"
                    loaded, loaded_cpu = self._wrk(server, call.body, call.expected, seconds, tag)
                    end = time.monotonic()
                finally:
                    searcher.stop()
                searches = searcher.run_between(start, end)
                tag = f"s{round_no + 1}a{key[:3]}"
                after, after_cpu = self._wrk(server, call.body, call.expected, seconds, tag)
                pair = LoadPair(alone, loaded, searches, after, alone_cpu, loaded_cpu)
                result.pairs.append(pair)
                median = f"{statistics.median(searches.latencies_ms):.0f} ms" if searches.completed else "–"
                stopped = f", {searches.stopped} stopped" if searches.stopped else ""
                say(
                    f"search under load round {round_no + 1}/{self.plan.rounds}, {key}: alone {alone.rps:,.0f}, "
                    f"with search {loaded.rps:,.0f} ({pair.ratio:.3f}; {searches.completed} searches, "
                    f"median {median}{stopped}{'' if searches.valid else ', INVALID'}), alone {after.rps:,.0f}"
                )
                alone, alone_cpu = after, after_cpu
        return list(results.values())

    def _prepare_search(self, result: SearchLoadResult) -> bool:
        """Give the store its customers and probe both requests; False (and why, in ``result``) if it cannot run."""
        key = result.variant.key
        url = self.servers[key].url
        say(f"search under load, {key}: adding {SEARCH_CUSTOMERS:,} customers to the demo account")
        try:
            seconds = fill_customers(self.database_urls[key], SEARCH_CUSTOMERS)
        except Exception as exc:  # any store error: this scenario fails, the run goes on
            result.failure = f"adding the customers failed: {_last_line(str(exc)) or type(exc).__name__}"
            return False
        result.customers = SEARCH_CUSTOMERS
        status, text = post(url, fill_counter(CALLS["xml"].bodies[0], "probe"))
        if CALLS["xml"].expected not in text:
            result.failure = f"the campaign_update probe answered HTTP {status} {_answer_gist(text)}"
            return False
        started = time.monotonic()
        status, text = post(url, SEARCH_BODY, timeout_s=30.0)
        if SEARCH_EXPECTED not in text:
            result.failure = f"the search probe answered HTTP {status} {_answer_gist(text)}"
            return False
        alone_ms = (time.monotonic() - started) * 1000
        say(f"search under load, {key}: one search alone took {alone_ms:.0f} ms")
        self.notes.append(
            f"search_load, {key}: {SEARCH_CUSTOMERS:,} customers added in {seconds:.1f} s; "
            f"one search alone (the probe, before the warm-up) took {alone_ms:,.0f} ms."
        )
        return True

    def profile(self) -> list[ProfileRun]:
        py_spy = ensure_py_spy(say)
        runs = []
        targets = [("reference", "reference", "xml"), ("sqlite-full", "FULL xml", "xml")]
        targets += [("sqlite-normal", "NORMAL xml", "xml"), ("sqlite-normal", "NORMAL wrong key", "wrong_key")]
        targets += [("postgres-1", "PostgreSQL xml", "xml")]
        # The ledger's writing call, when the run measures it: what its cost is made of next to campaign_update's.
        if "record_activity" in self.plan.calls:
            targets += [("sqlite-normal", "NORMAL record_activity", "record_activity")]
        for key, label, call_name in targets:
            server = self.servers.get(key)
            if server is None:
                continue
            call = CALLS[call_name]
            expected = REFERENCE_EXPECTED if key == "reference" else call.expected
            say(f"profiling {label} for {self.plan.profile_s} s")
            try:
                runs.append(
                    profile_server(
                        py_spy,
                        self.wrk,
                        server,
                        label,
                        call.body,
                        expected,
                        seconds=self.plan.profile_s,
                        connections=self.plan.connections,
                        threads=self.plan.threads,
                        writer=self.writer_lines,
                    )
                )
            except (RuntimeError, WrkError) as exc:
                self.notes.append(f"profile of {label} failed: {exc}")
        return runs


def _problem(result: WrkResult) -> str:
    sample = f" (first: {result.bad_sample[:160]})" if result.bad_sample else ""
    return f"{result.bad} unexpected answers, {result.socket_errors} socket errors in the warm-up{sample}"


def _answer_gist(text: str) -> str:
    code = re.search(r'code="([^"]+)"|"error_code":\s*"([^"]+)"', text)
    if code:
        return code.group(1) or code.group(2)
    return " ".join(text.split())[:160]


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "(no output)"


@contextlib.contextmanager
def _work_dir(keep: bool) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="loyalty-bench-"))
    try:
        yield path
    finally:
        if keep:
            say(f"kept {path}")
        else:
            shutil.rmtree(path, ignore_errors=True)


def run_plan(plan: Plan) -> str:
    """Run ``plan`` and return the Markdown report."""
    started = time.monotonic()
    say(f"{plan.mode} run: {len(plan.scenarios)} scenarios, about {plan.estimated_seconds()} s of load")
    results: list[ScenarioResult] = []
    search_results: list[SearchLoadResult] = []
    profiles: list[ProfileRun] = []
    with _work_dir(plan.keep) as work_dir:
        run = _Run(plan, work_dir)
        try:
            run.start_servers()
            for call in plan.calls:
                if call == SEARCH_LOAD:
                    search_results.extend(run.measure_search_load())
                else:
                    results.extend(run.measure_call(call))
            if plan.profile:
                profiles = run.profile()
        finally:
            run.stop()
    elapsed = time.monotonic() - started
    return _document(plan, results, profiles, run.notes, elapsed, search_results)


def _document(
    plan: Plan,
    results: Sequence[ScenarioResult],
    profiles: Sequence[ProfileRun],
    notes: Sequence[str],
    elapsed: float,
    search_results: Sequence[SearchLoadResult] = (),
) -> str:
    # The credential target is judged on the worse of the two campaign_update profiles.
    auth_shares = [p.profile.auth_share for p in profiles if p.label in {"FULL xml", "NORMAL xml"}]
    auth = max(auth_shares) if auth_shares else None
    settings = (
        f"wrk -t{plan.threads} -c{plan.connections}, warm-up {plan.warmup_s} s per server and call, "
        f"{plan.rounds} round(s) of {plan.duration_s} s runs: reference, app, reference, app, ..., reference"
    )
    lines = [
        f"# loyalty-api benchmark, {plan.mode} run, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        *machine_lines(),
        f"- load: {settings}; the whole run took {elapsed:.0f} s",
        "",
    ]
    if results or not search_results:
        lines += [
            "## Results",
            "",
            "ratio = loyalty-api's req/s ÷ the mean of the two reference runs (bare Starlette, same uvicorn settings, "
            "same body) right before and after it; medians over the rounds. server CPU, wrk CPU = CPU time ÷ wall "
            "time (100% = one core).",
            "",
            results_table(results),
            "",
            "The reference's runs (bare Starlette reading the same body, answering a fixed document of the same size):",
            "",
            reference_table(results),
            "",
        ]
    if search_results:
        lines += [
            "## Search under load",
            "",
            search_load_intro(search_results, plan.search_duration_s),
            "",
            search_load_table(search_results),
            "",
        ]
    lines += [
        "## Targets",
        "",
        targets_table(evaluate_targets(results, auth, search_results)),
    ]
    if profiles:
        lines += ["", "## Profile (py-spy under wrk load)", "", profile_markdown(profiles)]
    if notes:
        lines += ["", "## Notes", "", *(f"- {note}" for note in notes)]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    plan = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        report = run_plan(plan)
    except (WrkError, ServerFailed, RuntimeError) as exc:
        say(f"failed: {exc}")
        return 2
    plan.output.parent.mkdir(parents=True, exist_ok=True)
    plan.output.write_text(report)
    print(report)
    say(f"written to {plan.output}")
    return 0
