"""What one scenario measured, and its summary over the rounds (medians; ratios paired per round)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Final

from bench.wrk import WrkResult

__all__ = ["P99_LIMIT", "LoadPair", "Pair", "ScenarioResult", "SearchLoadResult", "SearchRun", "Variant"]

# p99 may be at most this many times p50 (the tail-latency target).
P99_LIMIT: Final = 10.0


@dataclass(frozen=True, slots=True)
class Variant:
    """A server configuration: a store, its durability setting, its worker count."""

    key: str
    label: str
    kind: str  # "sqlite" or "postgres"
    synchronous: str = "FULL"
    workers: int = 1
    big: bool = False


@dataclass(frozen=True, slots=True)
class Pair:
    """An app run and the reference runs right before and after it (same body, same settings)."""

    reference: WrkResult
    app: WrkResult
    app_cpu_s: float = 0.0
    reference_cpu_s: float = 0.0
    reference_after: WrkResult | None = None
    reference_after_cpu_s: float = 0.0

    @property
    def references(self) -> list[WrkResult]:
        return [self.reference] if self.reference_after is None else [self.reference, self.reference_after]

    @property
    def reference_rps(self) -> float:
        """The mean of the reference runs that bracket the app run (drift within the round cancels)."""
        return statistics.fmean(run.rps for run in self.references)

    @property
    def ratio(self) -> float:
        return self.app.rps / self.reference_rps if self.reference_rps else 0.0


@dataclass
class ScenarioResult:
    call: str
    title: str
    variant: Variant
    pairs: list[Pair] = field(default_factory=list)
    unavailable: str = ""  # why the scenario could not run ("not available yet: ...")
    failure: str = ""  # an error while running it
    warmup_problem: str = ""  # unexpected answers in the warm-up make the scenario invalid too

    @property
    def ran(self) -> bool:
        return bool(self.pairs) and not self.unavailable and not self.failure

    @property
    def rps(self) -> float:
        return statistics.median(p.app.rps for p in self.pairs) if self.pairs else 0.0

    @property
    def reference_rps(self) -> float:
        return statistics.median(p.reference_rps for p in self.pairs) if self.pairs else 0.0

    @property
    def ratio(self) -> float:
        return statistics.median(p.ratio for p in self.pairs) if self.pairs else 0.0

    @property
    def p50_ms(self) -> float:
        return statistics.median(p.app.p50_ms for p in self.pairs) if self.pairs else 0.0

    @property
    def p99_ms(self) -> float:
        return statistics.median(p.app.p99_ms for p in self.pairs) if self.pairs else 0.0

    @property
    def tail_ratio(self) -> float:
        """The worst p99/p50 of the rounds."""
        return max((p.app.p99_ms / p.app.p50_ms for p in self.pairs if p.app.p50_ms > 0), default=0.0)

    @property
    def tail_ok(self) -> bool:
        return self.ran and self.tail_ratio <= P99_LIMIT

    @property
    def bad_answers(self) -> int:
        return sum(p.app.bad for p in self.pairs)

    @property
    def valid(self) -> bool:
        """Every run of the app and of the reference answered every request rightly."""
        return (
            self.ran
            and not self.warmup_problem
            and all(p.app.valid and all(r.valid for r in p.references) for p in self.pairs)
        )

    @property
    def server_cpu_share(self) -> float:
        """The app's CPU time over the measured wall time (1.0 = one core busy), median over rounds."""
        shares = [p.app_cpu_s / p.app.duration_s for p in self.pairs if p.app.duration_s > 0]
        return statistics.median(shares) if shares else 0.0

    @property
    def wrk_cpu_share(self) -> float:
        """wrk's CPU time over the measured wall time in the app runs (per wrk process, all its threads)."""
        shares = [p.app.wrk_cpu_s / p.app.duration_s for p in self.pairs if p.app.duration_s > 0]
        return statistics.median(shares) if shares else 0.0

    def invalid_reason(self) -> str:
        if self.warmup_problem:
            return self.warmup_problem
        for pair in self.pairs:
            for who, run in (("app", pair.app), *(("reference", ref) for ref in pair.references)):
                if not run.valid:
                    detail = f"{run.bad} unexpected answers, {run.socket_errors} socket errors/non-2xx"
                    sample = f"; first: {run.bad_sample[:160]}" if run.bad_sample else ""
                    return f"{who}: {detail}{sample}"
        return ""


# --- search_load: campaign_update alone and while the largest search runs --------------------------------------


@dataclass(frozen=True, slots=True)
class SearchRun:
    """The searches of one loaded run: how many completed within it and how long each of those took; and whether
    every search that ran during it (also the one under way at its end) was answered rightly."""

    completed: int  # answered no_match within the run
    latencies_ms: tuple[float, ...] = ()  # of the completed ones
    ran: int = 0  # searches under way at some time during the run (completed ones included)
    stopped: int = 0  # answered query_timeout within the run: the server stopped them at its statement timeout
    bad: int = 0  # of those that ran: other answers, HTTP errors, broken connections
    bad_sample: str = ""

    @property
    def valid(self) -> bool:
        """A search was under way during the run, and every one was answered rightly."""
        return self.ran > 0 and self.bad == 0


@dataclass(frozen=True, slots=True)
class LoadPair:
    """A wrk run while the searches ran, and the runs without them right before and after it (same server)."""

    alone: WrkResult
    loaded: WrkResult
    searches: SearchRun
    alone_after: WrkResult | None = None
    alone_cpu_s: float = 0.0
    loaded_cpu_s: float = 0.0

    @property
    def alones(self) -> list[WrkResult]:
        return [self.alone] if self.alone_after is None else [self.alone, self.alone_after]

    @property
    def alone_rps(self) -> float:
        return statistics.fmean(run.rps for run in self.alones)

    @property
    def ratio(self) -> float:
        """Throughput while searched ÷ the mean of the runs alone around it."""
        return self.loaded.rps / self.alone_rps if self.alone_rps else 0.0


@dataclass
class SearchLoadResult:
    variant: Variant
    pairs: list[LoadPair] = field(default_factory=list)
    customers: int = 0  # how many customers the searched account had
    unavailable: str = ""
    failure: str = ""
    warmup_problem: str = ""

    @property
    def ran(self) -> bool:
        return bool(self.pairs) and not self.unavailable and not self.failure

    @property
    def ratio(self) -> float:
        return statistics.median(p.ratio for p in self.pairs) if self.pairs else 0.0

    @property
    def alone_rps(self) -> float:
        return statistics.median(p.alone_rps for p in self.pairs) if self.pairs else 0.0

    @property
    def loaded_rps(self) -> float:
        return statistics.median(p.loaded.rps for p in self.pairs) if self.pairs else 0.0

    def _median(self, values: list[float]) -> float:
        return statistics.median(values) if values else 0.0

    @property
    def alone_p50_ms(self) -> float:
        return self._median([p.alone.p50_ms for p in self.pairs])

    @property
    def loaded_p50_ms(self) -> float:
        return self._median([p.loaded.p50_ms for p in self.pairs])

    @property
    def loaded_p99_ms(self) -> float:
        return self._median([p.loaded.p99_ms for p in self.pairs])

    @property
    def alone_cpu_share(self) -> float:
        return self._median([p.alone_cpu_s / p.alone.duration_s for p in self.pairs if p.alone.duration_s > 0])

    @property
    def loaded_cpu_share(self) -> float:
        return self._median([p.loaded_cpu_s / p.loaded.duration_s for p in self.pairs if p.loaded.duration_s > 0])

    @property
    def searches(self) -> int:
        """Searches completed during the loaded runs, all rounds."""
        return sum(p.searches.completed for p in self.pairs)

    @property
    def searches_stopped(self) -> int:
        """Searches the server stopped at its statement timeout during the loaded runs (they ran, but found nothing)."""
        return sum(p.searches.stopped for p in self.pairs)

    @property
    def search_seconds(self) -> float:
        return sum(p.loaded.duration_s for p in self.pairs)

    @property
    def search_latencies_ms(self) -> list[float]:
        return sorted(ms for p in self.pairs for ms in p.searches.latencies_ms)

    @property
    def search_p50_ms(self) -> float:
        return self._median(self.search_latencies_ms)

    @property
    def search_max_ms(self) -> float:
        return max(self.search_latencies_ms, default=0.0)

    @property
    def valid(self) -> bool:
        """Every wrk run answered every request rightly, and in every loaded run searches completed, all rightly."""
        return (
            self.ran
            and not self.warmup_problem
            and all(p.searches.valid and p.loaded.valid and all(r.valid for r in p.alones) for p in self.pairs)
        )

    def invalid_reason(self) -> str:
        if self.warmup_problem:
            return self.warmup_problem
        for pair in self.pairs:
            for who, run in (("with search", pair.loaded), *(("alone", r) for r in pair.alones)):
                if not run.valid:
                    sample = f"; first: {run.bad_sample[:160]}" if run.bad_sample else ""
                    return f"{who}: {run.bad} unexpected answers, {run.socket_errors} socket errors/non-2xx{sample}"
            if pair.searches.ran == 0:
                return "no search ran during a loaded run"
            if pair.searches.bad:
                sample = f"; first: {pair.searches.bad_sample[:160]}" if pair.searches.bad_sample else ""
                return f"searches: {pair.searches.bad} unexpected answers{sample}"
        return ""
