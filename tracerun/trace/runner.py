"""Runner: a Plan + Query → RunResult (merged records, warnings, failures).

Each source type cuts the reading of its origins into jobs (a file into pieces:
whole files, byte ranges of large plain files, only the part a time window
needs; a container into one job). CPU-bound jobs (searching bytes) run in
worker processes when there are enough bytes to pay for them, network-bound
ones in threads; each origin's job results are joined back in order, so the
result is the same as a sequential read, byte for byte.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any, Protocol

from tracerun.errors import SourceFailure, TerminatedError
from tracerun.plain import field, plain
from tracerun.query import Query
from tracerun.read.assemble import Timeless, timeless_warnings, unparsed_warning
from tracerun.read.runs import share_spill_directory, spill_directory
from tracerun.read.tally import Tally
from tracerun.read.target import Target
from tracerun.record import Record
from tracerun.sources import SOURCES, get_source
from tracerun.sources.base import OriginResult, ReadJob, Source
from tracerun.trace.merge import Timeline
from tracerun.trace.plan import Plan

PARALLEL_MIN_BYTES = 32 * 1024 * 1024
"""Below this much data, a process pool costs more than it saves.

Measured (issue #18, 2 cores): starting the pool costs ~25 ms (importing
multiprocessing + concurrent.futures + logging ~17 ms, forking 2 workers 7-10 ms)
and a one-process scan reads ~1.5-2 GB/s, so below ~32 MiB one process is done
before the pool would be; a run under it imports none of them (see
tests/helpers/probe.py LAZY_MODULES).
"""
THREADS = 16
"""Threads for network-bound reads (one per container at a time)."""


@plain(slots=True)
class RunResult:
    """The outcome of a run: the timeline plus everything that went wrong on the way.

    Attributes:
        timeline: the records to print, merged as they are read (once);
            `records` reads it into a list.
        capped: what a record size cap left out, `origin:line: …` (errors:
            exit 3).
        unparsed: one warning per origin with hit lines that did not parse
            (apart from `warnings`: when nothing matched, `why` says it instead).
        tallies: each origin read, with why its hits were dropped.
        skipped: origins not read at all, wholly outside the time window.
        why: why nothing matched, when something can be said (trace/explain.py).
        report: lines for stderr after the warnings (an expanded trace's
            window and id graph).
        timeless: each origin with records that got no time (their warnings
            are in `warnings`; an expansion tells them once over its passes).
    """

    timeline: Timeline
    warnings: list[str] = field(default_factory=list)
    failures: list[SourceFailure] = field(default_factory=list)
    bytes_read: int = 0
    capped: list[str] = field(default_factory=list)
    unparsed: list[str] = field(default_factory=list)
    tallies: list[tuple[Target, Tally]] = field(default_factory=list)
    skipped: int = 0
    why: list[str] = field(default_factory=list)
    report: list[str] = field(default_factory=list)
    window: tuple[int | None, int | None] = (None, None)
    """The time window searched (the automatic one, else --since/--until)."""
    timeless: list[tuple[str, Timeless]] = field(default_factory=list)
    _records: list[Record] | None = None

    @property
    def records(self) -> list[Record]:
        """The whole timeline as a list (tests, follow's history, small runs)."""
        if self._records is None:
            self._records = list(self.timeline)
        return self._records


@plain(slots=True)
class _Work:
    """One target's jobs and the source type that reads them."""

    target: Target
    source: Source
    jobs: list[ReadJob]
    futures: list[_Result] = field(default_factory=list)


class _Result(Protocol):
    """A submitted job's outcome (a concurrent.futures.Future, or _Done)."""

    def result(self) -> Any:
        """Return the job's value (or raise its exception)."""
        ...


class _Pool(Protocol):
    """What the runner needs of an executor (concurrent.futures' or _InlineExecutor)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> _Result:
        """Run `fn(*args)`, now or later."""
        ...

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Wait for (or cancel) what was submitted."""
        ...


def read_job(kind: str, job: ReadJob, query: Query) -> Any:
    """Read one job with its source type (a top-level function: workers pickle it)."""
    return get_source(kind).read_job(job, query)


class SharedWorkers:
    """One process pool for the runs of a session (see `shared_workers`)."""

    def __init__(self) -> None:
        self.pool: Any = None
        """The ProcessPool, made by the first run that reads in processes."""

    def executor(self, workers: int) -> _Pool:
        """Return the shared pool, made now if no run made it yet."""
        if self.pool is None:
            from tracerun.trace.workers import ProcessPool  # noqa: PLC0415 - start-up: ~8 ms, only when scanning in parallel

            share_spill_directory()  # before the workers fork: they spill there too
            self.pool = ProcessPool(workers)
        return _Kept(self)


class _Kept:
    """A run's view of the shared pool: its shutdown leaves the pool to the session."""

    def __init__(self, shared: SharedWorkers) -> None:
        self.shared = shared

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> _Result:
        result: _Result = self.shared.pool.submit(fn, *args)
        return result

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Leave the pool running: the session's next run uses it."""

    def terminate(self) -> None:
        """End the shared pool now (the run failed: the session ends)."""
        pool, self.shared.pool = self.shared.pool, None
        if pool is not None:
            pool.terminate()


@contextmanager
def shared_workers() -> Iterator[SharedWorkers]:
    """Yield one process pool for several runs; no worker outlives the session.

    Why: the automatic window's batches and each expansion pass are runs of
    their own; forking a pool for each cost ~0.2 s of CPU on the week of the
    bench when the request is on the oldest day (issue #16). The spill
    directory is the session's too: workers forked in one run spill in the
    next ones.
    """
    shared = SharedWorkers()
    with spill_directory():
        try:
            yield shared
        except BaseException:
            if shared.pool is not None:
                shared.pool.terminate()
            raise
        if shared.pool is not None:
            shared.pool.shutdown()


def run(
    plan: Plan,
    query: Query,
    workers: int | None = None,
    shared: SharedWorkers | None = None,
) -> RunResult:
    """Read every origin of `plan` and merge what matched.

    Args:
        plan: the targets to read.
        query: what to match.
        workers: process count for CPU-bound reading (default: CPU count).
        shared: the session's process pool (`shared_workers`), else the run's own.
    """
    count = workers or os.cpu_count() or 1
    work = _work(plan, query, count)
    heavy = [j for w in work if w.source.in_processes for j in w.jobs]
    light = [j for w in work if not w.source.in_processes for j in w.jobs]
    timeline = Timeline(query.limit, query.max_records)
    outcome = RunResult(timeline, list(plan.warnings), list(plan.failures))
    timeless: list[tuple[str, Timeless]] = []
    with (
        spill_directory(for_workers=_in_processes(heavy, count))
        if shared is None
        else nullcontext(),
        _executors(heavy, light, count, shared) as (px, tx),
    ):
        # Threads first: an inline executor runs its jobs as they are submitted.
        for item in sorted(work, key=lambda w: w.source.in_processes):
            pool = px if item.source.in_processes else tx
            kind = item.target.origin.kind
            item.futures = [pool.submit(read_job, kind, j, query) for j in item.jobs]
        for item in work:  # in plan order, each as soon as its jobs are done
            result = item.source.join(item.target, [f.result() for f in item.futures])
            item.futures = []  # the timeline holds what is kept of it
            for run in result.runs:
                timeline.add(run)
            timeline.add_records(result.records)
            _tell(outcome, item, result)
            if result.timeless:
                timeless.append((item.target.origin.name, result.timeless))
    outcome.warnings += timeless_warnings(timeless)
    outcome.timeless = timeless
    return outcome


def _tell(outcome: RunResult, item: _Work, result: OriginResult) -> None:
    outcome.warnings.extend(result.warnings)
    outcome.capped.extend(result.capped)
    if result.failure is not None:
        outcome.failures.append(result.failure)
    outcome.bytes_read += result.bytes_read
    if not item.jobs:
        outcome.skipped += 1
        return
    outcome.tallies.append((item.target, result.tally))
    unparsed = result.tally.unparsed
    if unparsed.count:
        warning = unparsed_warning(item.target, unparsed.line, unparsed.count)
        outcome.unparsed.append(warning)


def _work(plan: Plan, query: Query, workers: int) -> list[_Work]:
    """Every target with its jobs, in plan order; each source type cuts its own."""
    by_kind: dict[str, list[Target]] = {}
    for target in plan.targets:
        by_kind.setdefault(target.origin.kind, []).append(target)
    jobs: dict[int, list[ReadJob]] = {}
    for kind, targets in by_kind.items():
        cut = get_source(kind).jobs(targets, query, workers)
        jobs.update((id(t), j) for t, j in zip(targets, cut, strict=True))
    return [_Work(t, get_source(t.origin.kind), jobs[id(t)]) for t in plan.targets]


@contextmanager
def _executors(
    heavy: list[ReadJob],
    light: list[ReadJob],
    workers: int,
    shared: SharedWorkers | None = None,
) -> Iterator[tuple[_Pool, _Pool]]:
    """Yield the process and thread executors; no worker outlives the run.

    Why: a ProcessPoolExecutor left by an exception (Ctrl-C, a closed pipe, a
    bug) or killed parent leaves its workers blocked forever (issue #12), and
    a program a source runs (in its own process group) would outlive us.
    SIGTERM becomes TerminatedError here, so that it unwinds like Ctrl-C.
    """
    if shared is not None and _in_processes(heavy, workers):
        px = shared.executor(workers)
    else:
        px = _process_executor(heavy, workers)
    tx = _thread_executor(light)
    terminate: Callable[[], None] | None = getattr(px, "terminate", None)
    programs = any(SOURCES[job.target.origin.kind].runs for job in light)
    try:
        with _sigterm_raises(enabled=terminate is not None or programs):
            yield px, tx
    except BaseException:
        tx.shutdown(wait=False, cancel_futures=True)
        if terminate is not None:
            terminate()
        for kind in {job.target.origin.kind for job in light}:
            get_source(kind).abandon()  # a thread in a read must not hold the exit
        raise
    tx.shutdown()
    px.shutdown()


@contextmanager
def _sigterm_raises(*, enabled: bool) -> Iterator[None]:
    if not enabled:
        yield
        return
    import threading  # noqa: PLC0415 - start-up: only a run with workers or programs

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminated(_signum: int, _frame: object) -> None:
        raise TerminatedError

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _in_processes(jobs: list[ReadJob], workers: int) -> bool:
    """Tell whether these jobs are worth worker processes."""
    total = sum(job.size for job in jobs)
    return min(workers, len(jobs)) >= 2 and total >= PARALLEL_MIN_BYTES


def _process_executor(jobs: list[ReadJob], workers: int) -> _Pool:
    count = min(workers, len(jobs))
    if not _in_processes(jobs, workers):
        return _InlineExecutor()
    from tracerun.trace.workers import ProcessPool  # noqa: PLC0415 - start-up: ~8 ms, only when scanning in parallel

    return ProcessPool(count)


def _thread_executor(jobs: list[ReadJob]) -> _Pool:
    if len(jobs) < 2:
        return _InlineExecutor()
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415 - start-up: it imports logging

    return ThreadPoolExecutor(min(THREADS, len(jobs)))


class _InlineExecutor:
    """Runs submitted work immediately in the calling thread (small inputs).

    Why not concurrent.futures' Executor: importing it imports logging (~4 ms of
    a plain trace's start-up, issue #18).
    """

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> _Result:
        """Run `fn(*args)` now (its exception propagates from here)."""
        return _Done(fn(*args))

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Nothing to wait for."""


class _Done:
    """A job that already ran."""

    __slots__ = ("_value",)

    def __init__(self, value: Any) -> None:
        self._value = value

    def result(self) -> Any:
        """Return the job's value."""
        return self._value
