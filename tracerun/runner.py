"""Runner: a Plan + Query → RunResult (merged records, warnings, failures).

File origins are cut into pieces (whole files; byte ranges of large plain files;
only the part a time window needs) and scanned in worker processes (the search
is CPU-bound and holds the GIL); network-bound origins (containers) are read in
threads. Each file's pieces are joined back in order, so the result is the same
as a sequential read, byte for byte.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from tracerun.errors import SourceFailure
from tracerun.merge import merge
from tracerun.plan import Plan
from tracerun.query import Query
from tracerun.read.target import Target
from tracerun.record import Record
from tracerun.seek import head_time, rotation_skips
from tracerun.sources import get_source
from tracerun.sources.base import OriginResult
from tracerun.sources.files import (
    Piece,
    join_pieces,
    piece_bytes,
    read_piece,
    split_piece,
    window_piece,
)

PARALLEL_MIN_BYTES = 32 * 1024 * 1024
"""Below this much file data, a process pool costs more than it saves."""


@dataclass(slots=True)
class RunResult:
    """The outcome of a run: the timeline plus everything that went wrong on the way."""

    records: list[Record]
    warnings: list[str] = field(default_factory=list)
    failures: list[SourceFailure] = field(default_factory=list)
    bytes_read: int = 0


def read_one(target: Target, query: Query) -> OriginResult:
    """Read one origin with its source type's reader, turning surprises into failures."""
    return get_source(target.origin.kind).read(target, query)


def run(plan: Plan, query: Query, workers: int | None = None) -> RunResult:
    """Read every origin of `plan` and merge what matched.

    Args:
        plan: the targets to read.
        query: what to match.
        workers: process count for file scanning (default: CPU count).
    """
    count = workers or os.cpu_count() or 1
    files = [s for s in plan.targets if s.origin.kind == "file"]
    others = [s for s in plan.targets if s.origin.kind != "file"]
    pieces = _pieces(files, query, count)
    flat = [piece for group in pieces for piece in group]
    with _file_executor(flat, count) as fx, ThreadPoolExecutor(16) as tx:
        piece_futures = [fx.submit(read_piece, piece, query) for piece in flat]
        other_futures = [tx.submit(read_one, s, query) for s in others]
        done = iter([f.result() for f in piece_futures])
        results = [
            join_pieces(s, [next(done) for _ in g])
            for s, g in zip(files, pieces, strict=True)
        ]
        results += [f.result() for f in other_futures]
    outcome = RunResult([], list(plan.warnings), list(plan.failures))
    for result in results:
        outcome.warnings.extend(result.warnings)
        if result.failure is not None:
            outcome.failures.append(result.failure)
        outcome.bytes_read += result.bytes_read
    outcome.records = merge((r.records for r in results), query.limit)
    return outcome


def _pieces(files: list[Target], query: Query, workers: int) -> list[list[Piece]]:
    """Each file's pieces: its window's byte range, cut so that every worker gets work.

    A file wholly outside the window has no piece; so has a compressed rotation
    that ended before the window began (judged from its newer sibling's start).
    """
    skip: set[str] = set()
    if query.since is not None:
        heads = {s.origin.locator: head_time(s) for s in files}
        skip = rotation_skips(files, query.since, heads)
    windowed = [
        None if s.origin.locator in skip else window_piece(s, query) for s in files
    ]
    total = sum(piece_bytes(p) for p in windowed if p is not None)
    each = None if workers < 2 else max(1, -(-total // (2 * workers)))
    return [[] if p is None else split_piece(p, each) for p in windowed]


def _file_executor(pieces: list[Piece], workers: int) -> Executor:
    total = sum(piece_bytes(p) for p in pieces)
    count = min(workers, len(pieces))
    if count < 2 or total < PARALLEL_MIN_BYTES:
        return _InlineExecutor()
    import multiprocessing  # noqa: PLC0415 - ~8 ms, only when scanning in parallel
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415

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
