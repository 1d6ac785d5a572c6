"""What one scenario measured, and its summary over the rounds (medians; ratios paired per round)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Final

from bench.wrk import WrkResult

__all__ = ["P99_LIMIT", "Pair", "ScenarioResult", "Variant"]

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
