"""The Markdown report: the results table, the targets and where the run stands against each."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from bench.results import P99_LIMIT, Pair, ScenarioResult, SearchLoadResult, Variant
from bench.wrk import WrkResult
from loyalty_api.customers.customer_search import FIND_MAX_CHARACTERS, FIND_MAX_GROUPS, FIND_MAX_WORDS

__all__ = [
    "TargetLine",
    "evaluate_targets",
    "markdown_table",
    "reference_table",
    "results_table",
    "search_load_intro",
    "search_load_table",
    "search_load_targets",
    "targets_table",
]

# The targets (docs/performance.md, "The targets, and where we stand"): ratios to the reference measured in the
# same run.
FULL_TARGET: Final = 0.25
NORMAL_TARGET: Final = 0.35
POSTGRES_TARGET: Final = 0.15
BIG_TOLERANCE: Final = 0.10
AUTH_CPU_TARGET: Final = 0.05
# campaign_update's throughput while the largest search allowed runs, as a share of its throughput alone.
SEARCH_LOAD_TARGET: Final = 0.80


@dataclass(frozen=True, slots=True)
class TargetLine:
    target: str
    measured: str
    verdict: str  # "met", "missed", "not measured", "not available yet", "invalid run"


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]], align: Sequence[str] = ()) -> str:
    """A GitHub Markdown table; ``align`` holds "l" or "r" per column (left by default)."""
    rows = [list(row) for row in rows]
    widths = [len(h) for h in header]
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"row has {len(row)} cells, header has {len(header)}")
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    kinds = list(align) + ["l"] * (len(header) - len(align))

    def line(cells: Sequence[str]) -> str:
        padded = [
            cell.rjust(w) if kind == "r" else cell.ljust(w) for cell, w, kind in zip(cells, widths, kinds, strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(("-" * (w + 1) + ":") if k == "r" else ("-" * (w + 2)) for w, k in zip(widths, kinds, strict=True))
        + "|"
    )
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def results_table(results: Sequence[ScenarioResult]) -> str:
    header = [
        "scenario",
        "store",
        "workers",
        "req/s",
        "ref req/s",
        "ratio",
        "p50 ms",
        "p99 ms",
        "p99/p50",
        f"p99 ≤ {P99_LIMIT:g}×p50",
        "server CPU",
        "wrk CPU",
        "valid",
    ]
    rows: list[list[str]] = []
    for r in results:
        if not r.ran:
            note = r.unavailable or f"failed: {r.failure}"
            rows.append([r.title, r.variant.label, str(r.variant.workers), *["–"] * 9, note])
            continue
        rows.append(
            [
                r.title,
                r.variant.label,
                str(r.variant.workers),
                f"{r.rps:,.0f}",
                f"{r.reference_rps:,.0f}",
                f"{r.ratio:.3f}",
                f"{r.p50_ms:.2f}",
                f"{r.p99_ms:.2f}",
                f"{r.tail_ratio:.1f}",
                "yes" if r.tail_ok else "**no**",
                f"{r.server_cpu_share:.0%}",
                f"{r.wrk_cpu_share:.0%}",
                "yes" if r.valid else f"**INVALID** ({r.invalid_reason()})",
            ]
        )
    return markdown_table(header, rows, "lllrrrrrrlrrl")


def reference_table(results: Sequence[ScenarioResult]) -> str:
    """The reference app's own runs, once per call (the denominators of the ratios)."""
    header = ["reference, body of", "runs", "req/s (median)", "min", "max", "p50 ms", "p99 ms", "server CPU", "wrk CPU"]
    rows = []
    seen: set[str] = set()
    for r in results:
        if not r.ran or r.call in seen:
            continue
        seen.add(r.call)
        runs = list({id(ref): ref for p in _pairs_of_call(results, r.call) for ref in p.references}.values())
        cpu = {id(ref): cpu for p in _pairs_of_call(results, r.call) for ref, cpu in _ref_cpu(p)}
        rps = sorted(run.rps for run in runs)
        rows.append(
            [
                r.title,
                str(len(runs)),
                f"{statistics.median(rps):,.0f}",
                f"{rps[0]:,.0f}",
                f"{rps[-1]:,.0f}",
                f"{statistics.median(run.p50_ms for run in runs):.2f}",
                f"{statistics.median(run.p99_ms for run in runs):.2f}",
                f"{statistics.median(c / run.duration_s for run in runs if (c := cpu.get(id(run))) is not None):.0%}",
                f"{statistics.median(run.wrk_cpu_s / run.duration_s for run in runs):.0%}",
            ]
        )
    return markdown_table(header, rows, "lrrrrrrrr")


def _ref_cpu(pair: Pair) -> list[tuple[WrkResult, float]]:
    runs = [(pair.reference, pair.reference_cpu_s)]
    if pair.reference_after is not None:
        runs.append((pair.reference_after, pair.reference_after_cpu_s))
    return runs


def _pairs_of_call(results: Sequence[ScenarioResult], call: str) -> list[Pair]:
    return [pair for r in results if r.call == call and r.ran for pair in r.pairs]


def _find(results: Sequence[ScenarioResult], call: str, variant: str) -> ScenarioResult | None:
    return next((r for r in results if r.call == call and r.variant.key == variant), None)


def _ratio_target(results: Sequence[ScenarioResult], title: str, call: str, variant: str, floor: float) -> TargetLine:
    target = f"{title}: ratio ≥ {floor:.2f}"
    found = _find(results, call, variant)
    if found is None:
        return TargetLine(target, "not in this run", "not measured")
    if found.unavailable:
        return TargetLine(target, found.unavailable, "not available yet")
    if not found.ran:
        return TargetLine(target, f"failed: {found.failure}", "not measured")
    if not found.valid:
        return TargetLine(target, f"{found.ratio:.3f} (invalid run)", "invalid run")
    return TargetLine(target, f"{found.ratio:.3f}", "met" if found.ratio >= floor else "missed")


def evaluate_targets(
    results: Sequence[ScenarioResult],
    auth_cpu_share: float | None = None,
    search_results: Sequence[SearchLoadResult] = (),
) -> list[TargetLine]:
    lines = [
        _ratio_target(results, "campaign_update XML, SQLite FULL", "xml", "sqlite-full", FULL_TARGET),
        _ratio_target(results, "campaign_update XML, SQLite NORMAL", "xml", "sqlite-normal", NORMAL_TARGET),
    ]
    for variant, label in (("sqlite-full", "FULL"), ("sqlite-normal", "NORMAL")):
        xml, json = _find(results, "xml", variant), _find(results, "json", variant)
        target = f"JSON condensed ≥ XML ({label})"
        if xml is None or json is None or not (xml.ran and json.ran):
            lines.append(TargetLine(target, "not in this run", "not measured"))
            continue
        verdict = "met" if json.ratio >= xml.ratio * 0.97 else "missed"
        lines.append(TargetLine(target, f"JSON {json.ratio:.3f} vs XML {xml.ratio:.3f} (3% noise allowance)", verdict))
    ran = [r for r in results if r.ran]
    worst = max(ran, key=lambda r: r.tail_ratio, default=None)
    if worst is None:
        lines.append(TargetLine(f"p99 ≤ {P99_LIMIT:g}× p50 everywhere", "nothing ran", "not measured"))
    else:
        failing = [r for r in ran if not r.tail_ok]
        measured = f"worst {worst.tail_ratio:.1f}× ({worst.title}, {worst.variant.label})"
        if failing:
            measured += "; over: " + ", ".join(f"{r.title} {r.variant.label}" for r in failing)
        lines.append(TargetLine(f"p99 ≤ {P99_LIMIT:g}× p50 everywhere", measured, "missed" if failing else "met"))
    target = f"credential check ≤ {AUTH_CPU_TARGET:.0%} of CPU"
    if auth_cpu_share is None:
        lines.append(TargetLine(target, "run with --profile", "not measured"))
    else:
        verdict = "met" if auth_cpu_share <= AUTH_CPU_TARGET else "missed"
        lines.append(TargetLine(target, f"{auth_cpu_share:.1%} of the server's CPU samples", verdict))
    lines.append(_big_target(results))
    lines.append(_ratio_target(results, "PostgreSQL, 1 worker", "xml", "postgres-1", POSTGRES_TARGET))
    lines.append(_scaling_target(results))
    lines.extend(search_load_targets(search_results))
    return lines


def _big_target(results: Sequence[ScenarioResult]) -> TargetLine:
    target = f"1M campaigns + 1M ledger rows within {BIG_TOLERANCE:.0%} of demo-sized"
    big, small = _find(results, "xml", "sqlite-big"), _find(results, "xml", "sqlite-normal")
    if big is None or small is None:
        return TargetLine(target, "run with --big", "not measured")
    if not (big.ran and small.ran):
        return TargetLine(target, big.failure or small.failure or "did not run", "not measured")
    # Both were measured in every round: compare them round by round, then take the median.
    per_round = [b.ratio / d.ratio for b, d in zip(big.pairs, small.pairs, strict=False) if d.ratio]
    relative = statistics.median(per_round) if per_round else 0.0
    verdict = "met" if relative >= 1 - BIG_TOLERANCE else "missed"
    measured = f"big {big.ratio:.3f} vs demo {small.ratio:.3f}; big ÷ demo per round, median {relative:.2f}×"
    return TargetLine(target, measured, verdict)


def _scaling_target(results: Sequence[ScenarioResult]) -> TargetLine:
    target = "PostgreSQL, 2 workers faster than 1"
    one, two = _find(results, "xml", "postgres-1"), _find(results, "xml", "postgres-2")
    if one is None or two is None:
        return TargetLine(target, "not in this run", "not measured")
    if one.unavailable or two.unavailable:
        return TargetLine(target, one.unavailable or two.unavailable, "not available yet")
    if not (one.ran and two.ran):
        return TargetLine(target, one.failure or two.failure, "not measured")
    verdict = "met" if two.ratio > one.ratio else "missed"
    return TargetLine(target, f"2 workers {two.ratio:.3f} vs 1 worker {one.ratio:.3f}", verdict)


def _store_label(variant: Variant) -> str:
    if variant.kind == "postgres":
        return f"{variant.label}, {variant.workers} worker{'s' if variant.workers != 1 else ''}"
    return variant.label


def search_load_intro(results: Sequence[SearchLoadResult], seconds: int) -> str:
    customers = max((r.customers for r in results), default=0)
    return (
        f"campaign_update XML (the xml call's body and wrk settings) on each store, whose demo account was given "
        f"{customers:,} customers, alone and while another client (one connection) sends the largest customer_find "
        f"allowed back to back: `find_customer` of {FIND_MAX_WORDS} words in {FIND_MAX_GROUPS} alternatives, "
        f"{FIND_MAX_CHARACTERS} characters, of words no customer has (every search reads every customer and "
        f"answers no_match). Runs of {seconds} s: alone, with search, alone, ..., alone. with ÷ alone = req/s "
        "with the search ÷ the mean of the runs alone right before and after it, median over the rounds; req/s, "
        "p50, p99 and CPU are medians over the rounds (server CPU: the loyalty-api processes, not PostgreSQL's). "
        "searches = the searches that completed within the runs with search (all rounds), searches/s = that "
        "count ÷ those runs' time; search latency = the client's, request to answer, of those searches; stopped = "
        "searches the server stopped at its statement timeout (answered query_timeout), not counted in searches."
    )


def search_load_table(results: Sequence[SearchLoadResult]) -> str:
    header = [
        "store",
        "req/s alone",
        "req/s with search",
        "with ÷ alone",
        "p50 ms alone",
        "p50 ms with",
        "p99 ms with",
        "server CPU alone",
        "server CPU with",
        "searches",
        "stopped",
        "searches/s",
        "search p50 ms",
        "search max ms",
        "valid",
    ]
    rows: list[list[str]] = []
    for r in results:
        if not r.ran:
            rows.append([_store_label(r.variant), *["–"] * 13, r.unavailable or f"failed: {r.failure}"])
            continue
        rows.append(
            [
                _store_label(r.variant),
                f"{r.alone_rps:,.0f}",
                f"{r.loaded_rps:,.0f}",
                f"{r.ratio:.3f}",
                f"{r.alone_p50_ms:.2f}",
                f"{r.loaded_p50_ms:.2f}",
                f"{r.loaded_p99_ms:.2f}",
                f"{r.alone_cpu_share:.0%}",
                f"{r.loaded_cpu_share:.0%}",
                f"{r.searches:,}",
                f"{r.searches_stopped:,}",
                f"{r.searches / r.search_seconds:.1f}" if r.search_seconds else "–",
                f"{r.search_p50_ms:.1f}" if r.searches else "–",
                f"{r.search_max_ms:.1f}" if r.searches else "–",
                "yes" if r.valid else f"**INVALID** ({r.invalid_reason()})",
            ]
        )
    return markdown_table(header, rows, "lrrrrrrrrrrrrrl")


def search_load_targets(results: Sequence[SearchLoadResult]) -> list[TargetLine]:
    """One line per store measured: campaign_update keeps SEARCH_LOAD_TARGET of its throughput while searched."""
    target = f"campaign_update keeps ≥ {SEARCH_LOAD_TARGET:.0%} of its throughput while the largest search allowed runs"
    if not results:
        return [TargetLine(target, "not in this run", "not measured")]
    lines = []
    for r in results:
        name = f"{target} ({_store_label(r.variant)})"
        if r.unavailable:
            lines.append(TargetLine(name, r.unavailable, "not available yet"))
        elif not r.ran:
            lines.append(TargetLine(name, f"failed: {r.failure}", "not measured"))
        else:
            median = f"median {r.search_p50_ms:,.0f} ms" if r.searches else "none completed within the runs"
            measured = (
                f"{r.ratio:.3f} ({r.loaded_rps:,.0f} vs {r.alone_rps:,.0f} req/s; {r.searches:,} searches, {median})"
            )
            if not r.valid:
                lines.append(TargetLine(name, f"{measured} (invalid run)", "invalid run"))
            else:
                lines.append(TargetLine(name, measured, "met" if r.ratio >= SEARCH_LOAD_TARGET else "missed"))
    return lines


def targets_table(lines: Sequence[TargetLine]) -> str:
    rows = [
        [line.target, line.measured, f"**{line.verdict}**" if line.verdict == "missed" else line.verdict]
        for line in lines
    ]
    return markdown_table(["target", "this run", "verdict"], rows)
