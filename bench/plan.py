"""Which scenarios a run measures and for how long (``--quick``, full, ``--big``, ``--scenarios``)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bench.bodies import CALLS
from bench.results import Variant

__all__ = ["SCENARIO_NAMES", "SEARCH_LOAD", "VARIANTS", "Plan", "parse_args", "select"]

VARIANTS: Final = {
    v.key: v
    for v in (
        Variant("sqlite-full", "SQLite FULL", "sqlite", "FULL"),
        Variant("sqlite-normal", "SQLite NORMAL", "sqlite", "NORMAL"),
        Variant("postgres-1", "PostgreSQL", "postgres", workers=1),
        Variant("postgres-2", "PostgreSQL", "postgres", workers=2),
        Variant("sqlite-big", "SQLite NORMAL, 1M rows", "sqlite", "NORMAL", big=True),
    )
}
# Not a call of its own: campaign_update XML with and without the largest customer search running beside it
# (bench/search_load.py). Measured after the calls, so that only it sees the customers it adds to the demo account.
SEARCH_LOAD: Final = "search_load"
SCENARIO_NAMES: Final = (*CALLS, SEARCH_LOAD)
_QUICK_CALLS: Final = ("xml", "json", "wrong_key")
_FULL_CALLS: Final = (
    "xml",
    "xml_spread",
    "json",
    "jsonp",
    "wrong_key",
    "campaigns_list",
    "record_activity",
    "customer_balance",
    SEARCH_LOAD,
)
_QUICK_VARIANTS: Final = ("sqlite-full", "sqlite-normal")
_FULL_VARIANTS: Final = ("sqlite-full", "sqlite-normal", "postgres-1", "postgres-2")
DEFAULT_OUTPUT: Final = Path(__file__).resolve().parent / "results" / "latest.md"


@dataclass(frozen=True, slots=True)
class Plan:
    mode: str
    scenarios: tuple[tuple[str, str], ...]  # (call, variant key), in the order they are measured
    warmup_s: int
    duration_s: int
    rounds: int
    search_duration_s: int  # search_load's runs: long enough for several of the largest searches to complete
    connections: int
    threads: int
    profile: bool
    profile_s: int
    postgres_url: str
    output: Path
    keep: bool

    @property
    def variants(self) -> list[Variant]:
        keys = dict.fromkeys(key for _, key in self.scenarios)
        return [VARIANTS[key] for key in keys]

    @property
    def calls(self) -> list[str]:
        return list(dict.fromkeys(call for call, _ in self.scenarios))

    def variants_of(self, call: str) -> list[Variant]:
        return [VARIANTS[key] for c, key in self.scenarios if c == call]

    def estimated_seconds(self) -> int:
        runs = 0
        for call in self.calls:
            apps = len(self.variants_of(call))
            if call == SEARCH_LOAD:
                # per store: a warm-up, then alone, (searched, alone) per round
                runs += apps * (self.warmup_s + (2 * self.rounds + 1) * self.search_duration_s)
                continue
            runs += (1 + apps) * self.warmup_s + self.rounds * (2 * apps + 1) * self.duration_s
        return runs


def select(tokens: Sequence[str], *, quick: bool, big: bool) -> tuple[tuple[str, str], ...]:
    """The scenarios named by ``tokens`` (call names or ``search_load``, variant keys, or ``call@variant``), else
    the mode's default.

    Call names filter the calls and variant keys the variants (each defaulting to the mode's set);
    ``call@variant`` adds that one scenario.
    """
    calls = [t for t in tokens if t in SCENARIO_NAMES]
    variants = [t for t in tokens if t in VARIANTS]
    pairs = []
    for token in tokens:
        if token in SCENARIO_NAMES or token in VARIANTS:
            continue
        call, _, variant = token.partition("@")
        if call not in SCENARIO_NAMES or variant not in VARIANTS:
            known = ", ".join([*SCENARIO_NAMES, *VARIANTS])
            raise ValueError(f"unknown scenario {token!r}: use call names, store variants or call@variant ({known})")
        pairs.append((call, variant))
    chosen: list[tuple[str, str]] = []
    if calls or variants or not pairs:
        for call in calls or (_QUICK_CALLS if quick else _FULL_CALLS):
            for variant in variants or (_QUICK_VARIANTS if quick else _FULL_VARIANTS):
                if variant == "sqlite-big" and call != "xml":
                    continue
                chosen.append((call, variant))
    if big and ("xml", "sqlite-big") not in chosen:
        if ("xml", "sqlite-normal") not in chosen:
            chosen.append(("xml", "sqlite-normal"))
        chosen.append(("xml", "sqlite-big"))
    for pair in pairs:
        if pair not in chosen:
            chosen.append(pair)
    order = {call: n for n, call in enumerate(SCENARIO_NAMES)}
    return tuple(sorted(chosen, key=lambda p: (order[p[0]], list(VARIANTS).index(p[1]))))


def parse_args(argv: Sequence[str]) -> Plan:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Measure loyalty-api against a bare Starlette reference app, side by side, on loopback.",
    )
    parser.add_argument("--quick", action="store_true", help="short runs and fewer scenarios (under a minute)")
    parser.add_argument("--big", action="store_true", help="also measure a store of 1M campaigns + 1M ledger rows")
    parser.add_argument("--profile", action="store_true", help="also sample the servers with py-spy under load")
    parser.add_argument(
        "--scenarios",
        nargs="+",
        default=[],
        metavar="NAME",
        help=f"calls ({', '.join(SCENARIO_NAMES)}), stores ({', '.join(VARIANTS)}) or call@store",
    )
    parser.add_argument("--warmup", type=int, help="warm-up seconds per server and call")
    parser.add_argument("--duration", type=int, help="seconds per measured run")
    parser.add_argument("--rounds", type=int, help="alternating reference/app rounds per scenario")
    parser.add_argument("--search-duration", type=int, help="seconds per run of search_load (twice --duration)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (see docs/performance.md)")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--keep", action="store_true", help="keep the temporary databases and server logs")
    args = parser.parse_args(list(argv))
    try:
        scenarios = select(args.scenarios, quick=args.quick, big=args.big)
    except ValueError as exc:
        parser.error(str(exc))
    quick = bool(args.quick)
    duration = args.duration if args.duration is not None else (2 if quick else 3)
    return Plan(
        mode="quick" if quick else "full",
        scenarios=scenarios,
        warmup_s=args.warmup if args.warmup is not None else (1 if quick else 2),
        duration_s=duration,
        rounds=args.rounds if args.rounds is not None else (1 if quick else 3),
        search_duration_s=args.search_duration if args.search_duration is not None else 2 * duration,
        connections=args.connections,
        threads=args.threads,
        profile=bool(args.profile),
        profile_s=4 if quick else 8,
        postgres_url=args.postgres_url,
        output=args.output,
        keep=bool(args.keep),
    )
