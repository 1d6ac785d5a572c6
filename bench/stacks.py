"""Reading py-spy's collapsed stacks (``--format raw --threads [--native]``) into where the CPU goes.

Each sample is attributed to one category by the frames nearest to its leaf: a native syscall that matters on its
own (fsync, socket read/write, the event loop's poll), else the innermost Python frame of a file this module knows
(uvicorn, the form parser, auth, the store, the renderers ...); stdlib helpers (``json``, ``datetime``, dataclass
``__init__``) count for the code that called them.  Samples where a thread only waits (the writer thread's queue,
a condition variable, the GIL, ``epoll_wait``) are not CPU and are counted apart: py-spy's own idle detection does
not work in this container.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

__all__ = [
    "CATEGORIES",
    "Profile",
    "Sample",
    "WriterLines",
    "classify",
    "parse_collapsed",
    "WAIT_KINDS",
    "is_waiting",
    "waiting_kind",
    "summarize",
    "top",
    "writer_lines",
]

_PY_FRAME: Final = re.compile(r"^(?P<func>.+) \((?P<file>[^():]+\.py|<[^>]+>):(?P<line>\d+)\)$")
_NATIVE_FRAME: Final = re.compile(r"^(?P<func>.+?) \((?P<where>[^()]*)\)$")
_WAITS: Final = frozenset(
    {
        "epoll_pwait",
        "epoll_wait",
        "pthread_cond_timedwait",
        "pthread_cond_wait",
        "sem_wait",
        "sem_timedwait",
        "sem_clockwait",
        "take_gil",
        "poll",
        "select",
        "nanosleep",
        "clock_nanosleep",
    }
)
_SOCKET_CALLS: Final = frozenset({"write", "writev", "read", "readv", "send", "sendmsg", "recv", "recvmsg", "sendto"})

HTTP: Final = "uvicorn + httptools (HTTP parsing, ASGI request cycle)"
SOCKET: Final = "socket syscalls (read/write)"
LOOP: Final = "event loop (uvloop/asyncio: scheduling, tasks, futures)"
FORM: Final = "form parsing, fields, output choice (protocol/)"
AUTH: Final = "credential check: digest + compare (accounts/auth.py)"
LOGIN: Final = "credential lookup: find_login SQL (store)"
HANDLER: Final = "call handler: rules, validation, audit building (feature packages)"
SQL: Final = "SQL statements + row mapping (store/, incl. sqlite3 C)"
BEGIN: Final = "BEGIN IMMEDIATE (group-commit writer)"
COMMIT: Final = "COMMIT: WAL write (group-commit writer)"
BATCH: Final = "group commit bookkeeping: SAVEPOINT/RELEASE, futures"
THREAD_SQL: Final = "executor thread: BEGIN/COMMIT CPU (sqlite3 C)"
FSYNC: Final = "fsync/fdatasync (CPU side of durability)"
HANDOFF: Final = "thread hand-off (run_in_executor, wake-ups)"
RENDER: Final = "rendering (renderers/, lxml)"
GLUE: Final = "endpoint glue (web/: raw ASGI, send)"
PG: Final = "PostgreSQL round trips (asyncpg protocol + its socket syscalls)"
GC: Final = "garbage collector"
REFERENCE: Final = "reference app handler (Starlette routing, Request, Response)"
OTHER: Final = "other"

WAIT_IDLE: Final = "event loop polling (epoll_wait: nothing to do)"
WAIT_LOCK: Final = "parked threads: executor queue, locks, the GIL"
WAIT_DISK: Final = "fsync/fdatasync: waiting for the disk (the durability of FULL)"
WAIT_KINDS: Final = (WAIT_IDLE, WAIT_LOCK, WAIT_DISK)

CATEGORIES: Final = (
    HTTP, SOCKET, LOOP, FORM, AUTH, LOGIN, HANDLER, SQL, BEGIN, COMMIT, BATCH, THREAD_SQL, FSYNC, HANDOFF, RENDER,
    GLUE, REFERENCE, PG, GC, OTHER,
)  # fmt: skip
# Inclusive top lists show only these (the frames above the request, click and runpy, are in every sample).
_INCLUSIVE_FILES: Final = ("loyalty_api/", "renderers/", "starlette/", "bench/")

# (path fragment, category): the first that a Python frame's file contains decides.
_PY_RULES: Final = (
    ("asyncpg/", PG),
    ("loyalty_api/accounts/auth.py", AUTH),
    ("loyalty_api/store/", SQL),
    ("loyalty_api/protocol/", FORM),
    ("python_multipart/", FORM),
    ("urllib/parse.py", FORM),
    ("renderers/", RENDER),
    ("loyalty_api/handler/fields.py", FORM),
    ("loyalty_api/calls/", HANDLER),
    ("loyalty_api/handler/", HANDLER),
    ("loyalty_api/campaigns/", HANDLER),
    ("loyalty_api/customers/", HANDLER),
    ("loyalty_api/ledger/", HANDLER),
    ("loyalty_api/values.py", HANDLER),
    ("loyalty_api/errors.py", HANDLER),
    ("loyalty_api/web/", GLUE),
    ("bench/reference_app.py", REFERENCE),
    ("starlette/", REFERENCE),
    ("uvicorn/", HTTP),
    ("httptools", HTTP),
    ("asyncio/", LOOP),
    ("uvloop", LOOP),
    ("concurrent/futures/", HANDOFF),
    ("threading.py", HANDOFF),
    ("queue.py", HANDOFF),
)


@dataclass(frozen=True, slots=True)
class Sample:
    thread: str
    frames: tuple[str, ...]  # root first, leaf last (the thread frame removed)
    count: int


@dataclass(frozen=True, slots=True)
class WriterLines:
    """Line numbers of the group-commit writer's BEGIN and COMMIT statements (from its source)."""

    path: str = "loyalty_api/store/sqlite/_writer.py"
    begin: frozenset[int] = frozenset()
    commit: frozenset[int] = frozenset()


def writer_lines(source: Path) -> WriterLines:
    begin, commit = set(), set()
    try:
        text = source.read_text()
    except OSError:
        return WriterLines()
    for number, line in enumerate(text.splitlines(), 1):
        if '"BEGIN IMMEDIATE"' in line:
            begin.add(number)
        if '"COMMIT"' in line:
            commit.add(number)
    return WriterLines(begin=frozenset(begin), commit=frozenset(commit))


def parse_collapsed(text: str) -> list[Sample]:
    """``thread (tid): name;frame;frame count`` lines into samples."""
    samples = []
    for line in text.splitlines():
        stack, _, count = line.rstrip().rpartition(" ")
        if not stack or not count.isdigit():
            continue
        parts = stack.split(";")
        thread = parts[0] if parts[0].startswith("thread ") else ""
        frames = tuple(parts[1:] if thread else parts)
        samples.append(Sample(thread, frames, int(count)))
    return samples


def _native_name(frame: str) -> str | None:
    if _PY_FRAME.match(frame):
        return None
    match = _NATIVE_FRAME.match(frame)
    return match.group("func") if match else frame


def waiting_kind(sample: Sample) -> str | None:
    """Why the thread was blocked rather than running (py-spy cannot tell here), or None when it ran."""
    names = [_native_name(frame) for frame in sample.frames]
    if any(n in {"fdatasync", "fsync"} for n in names if n):
        return WAIT_DISK
    if is_waiting(sample):
        return WAIT_IDLE if any(n in {"epoll_pwait", "epoll_wait"} for n in names if n) else WAIT_LOCK
    return None


def is_waiting(sample: Sample) -> bool:
    """The thread was parked: polling, a queue, a condition variable, a lock or the GIL."""
    for frame in reversed(sample.frames):
        native = _native_name(frame)
        if native is None:
            py = _PY_FRAME.match(frame)
            assert py is not None
            # Without native frames: the executor thread parked in its queue, or a threading wait.
            waiting_py = (py["file"].endswith("concurrent/futures/thread.py") and py["func"] == "_worker") or (
                py["file"].endswith("threading.py") and py["func"] in {"wait", "_wait_for_tstate_lock"}
            )
            return waiting_py
        if native.startswith("0x"):
            continue
        return (
            native in _WAITS
            or native.startswith("_queue_SimpleQueue_get")
            or "acquire_lock" in native
            or "futex_abstimed_wait" in native
        )
    return False


def classify(sample: Sample, writer: WriterLines = WriterLines()) -> str:
    names = [_native_name(frame) for frame in sample.frames]
    if any(n in {"fdatasync", "fsync"} for n in names if n):
        return FSYNC
    if any(n and "async_send" in n for n in names):
        return HANDOFF
    if any(n and n.startswith("gc_collect") for n in names):
        return GC
    in_thread_work = "MainThread" not in sample.thread and any("_WorkItem.run" in f for f in sample.frames)
    if in_thread_work:
        return THREAD_SQL
    for frame, native in zip(reversed(sample.frames), reversed(names), strict=True):
        if native is not None:
            if native in _SOCKET_CALLS:
                return PG if any("asyncpg/" in f for f in sample.frames) else SOCKET
            if "lxml" in frame:
                return RENDER
            continue
        py = _PY_FRAME.match(frame)
        assert py is not None
        file = py["file"]
        if file.endswith(writer.path):
            line = int(py["line"])
            if line in writer.begin:
                return BEGIN
            if line in writer.commit:
                return COMMIT
            return BATCH
        for fragment, category in _PY_RULES:
            if fragment in file:
                if category == SQL and any("find_login" in f for f in sample.frames):
                    return LOGIN
                return category
    return OTHER


def _function(frame: str) -> str | None:
    py = _PY_FRAME.match(frame)
    return None if py is None else f"{py['func']} ({py['file']})"


@dataclass
class Profile:
    """Where one server's CPU samples went."""

    cpu_samples: int = 0
    waiting_samples: int = 0
    waiting: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    auth_inclusive: int = 0
    self_functions: Counter[str] = field(default_factory=Counter)
    inclusive_functions: Counter[str] = field(default_factory=Counter)
    threads: Counter[str] = field(default_factory=Counter)

    def share(self, count: int) -> float:
        return count / self.cpu_samples if self.cpu_samples else 0.0

    @property
    def auth_share(self) -> float:
        return self.share(self.auth_inclusive)


def summarize(samples: Iterable[Sample], writer: WriterLines = WriterLines()) -> Profile:
    profile = Profile()
    for sample in samples:
        kind = waiting_kind(sample)
        if kind is not None:
            profile.waiting_samples += sample.count
            profile.waiting[kind] += sample.count
            continue
        profile.cpu_samples += sample.count
        profile.threads[sample.thread.split(": ", 1)[-1] or "?"] += sample.count
        profile.categories[classify(sample, writer)] += sample.count
        if any("loyalty_api/accounts/auth.py" in f for f in sample.frames):
            profile.auth_inclusive += sample.count
        leaf = next((name for f in reversed(sample.frames) if (name := _function(f))), None)
        if leaf:
            profile.self_functions[leaf] += sample.count
        for name in {n for f in sample.frames if (n := _function(f))}:
            if any(fragment in name for fragment in _INCLUSIVE_FILES) and "loyalty_api/cli/" not in name:
                profile.inclusive_functions[name] += sample.count
    return profile


def top(counter: Counter[str], total: int, n: int) -> Sequence[tuple[str, float]]:
    return [(name, count / total if total else 0.0) for name, count in counter.most_common(n)]
