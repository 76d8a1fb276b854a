"""Runner: a Plan + Query → RunResult (merged records, warnings, failures).

File origins are scanned in worker processes (the search is CPU-bound and holds
the GIL); network-bound origins (containers) are read in threads.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field

from tracerun.merge import merge
from tracerun.plan import Plan, Scanner
from tracerun.query import Query
from tracerun.record import Record
from tracerun.sources import get_source
from tracerun.sources.base import OriginResult, SourceFailure

PARALLEL_MIN_BYTES = 32 * 1024 * 1024
"""Below this much file data, a process pool costs more than it saves."""


@dataclass(slots=True)
class RunResult:
    """The outcome of a run: the timeline plus everything that went wrong on the way."""

    records: list[Record]
    warnings: list[str] = field(default_factory=list)
    failures: list[SourceFailure] = field(default_factory=list)
    bytes_read: int = 0


def read_one(scanner: Scanner, query: Query) -> OriginResult:
    """Read one origin with its source type's reader, turning surprises into failures."""
    return get_source(scanner.origin.kind).read(scanner, query)


def run(plan: Plan, query: Query, workers: int | None = None) -> RunResult:
    """Read every origin of `plan` and merge what matched.

    Args:
        plan: the scanners to read.
        query: what to match.
        workers: process count for file scanning (default: CPU count).
    """
    files = [s for s in plan.scanners if s.origin.kind == "file"]
    others = [s for s in plan.scanners if s.origin.kind != "file"]
    futures: list[Future[OriginResult]] = []
    with _file_executor(files, workers) as fx, ThreadPoolExecutor(16) as tx:
        futures += [fx.submit(read_one, s, query) for s in files]
        futures += [tx.submit(read_one, s, query) for s in others]
        results = [f.result() for f in futures]
    outcome = RunResult([], list(plan.warnings), list(plan.failures))
    for result in results:
        outcome.warnings.extend(result.warnings)
        if result.failure is not None:
            outcome.failures.append(result.failure)
        outcome.bytes_read += result.bytes_read
    outcome.records = merge((r.records for r in results), query.limit)
    return outcome


def _file_executor(files: list[Scanner], workers: int | None) -> Executor:
    total = sum(s.origin.size or 0 for s in files)
    count = min(workers or os.cpu_count() or 1, len(files))
    if count < 2 or total < PARALLEL_MIN_BYTES:
        return _InlineExecutor()
    # fork: workers inherit the imported modules instead of importing them again.
    context = multiprocessing.get_context("fork")
    return ProcessPoolExecutor(count, mp_context=context)


class _InlineExecutor(Executor):
    """Runs submitted work immediately in the calling thread (small inputs)."""

    def submit(  # type: ignore[override]
        self, fn: Callable[..., OriginResult], /, *args: object
    ) -> Future[OriginResult]:
        future: Future[OriginResult] = Future()
        future.set_result(fn(*args))
        return future
