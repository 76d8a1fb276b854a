"""Automatic window: find a query's hits newest first, then bound everything else to them.

Why: a user who does not know when a request happened would otherwise search a
week of logs. Each origin's time coverage (a file's head and tail, a container's
first and last line as the engine tells: what `tracerun sources` shows) orders
the origins newest first; they are read in batches of about a quarter of the
bytes (at least 128 MiB) until one batch holds a hit. The window is then
[first hit - margin, last hit + margin]: the origins not read yet are read only
when their coverage meets it (an origin whose coverage is unknown always is),
and with the window as --since/--until.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from tracerun.plain import replace
from tracerun.query import Query
from tracerun.read.target import Target
from tracerun.record import NO_TIME, Record
from tracerun.sources import get_source
from tracerun.sources.base import ReadError
from tracerun.trace.plan import Plan
from tracerun.trace.runner import RunResult

BATCH_SHARE = 4
"""A batch holds about 1/BATCH_SHARE of all the bytes (a quarter).

Why a quarter: each batch costs a run (a process pool, ~10 % of a pass over
the week of the bench), and the last batch overshoots the hit by up to a
batch: with c that cost, batches of about sqrt(c) of the bytes cost least.
"""
BATCH_MIN = 128 * 1024 * 1024
"""… and at least this many bytes."""
UNKNOWN_SIZE = 1024 * 1024
"""What an origin of unknown size (a container) counts as."""

Coverage = tuple[int | None, int | None]
Pass = Callable[[Plan, Query], tuple[RunResult, list[Record]]]
"""Runs one pass over a plan: its result and its records, in order."""


class Probe(NamedTuple):
    """What finding the window read: results, records, the window and what it covers.

    `in_window` is the plan's targets (in plan order) whose coverage meets the
    window: the only ones the expansion passes read.
    """

    results: list[RunResult]
    records: list[Record]
    window: tuple[int, int] | None
    in_window: tuple[Target, ...]


def coverage_of(target: Target) -> Coverage:
    """Read an origin's first and last timestamp cheaply ((None, None): unknown)."""
    try:
        found = get_source(target.origin.kind).coverage(target)
    except (ReadError, OSError):
        return None, None  # the read proper reports it
    return (None, None) if found is None else found


def batches(
    coverages: Sequence[Coverage], sizes: Sequence[int | None]
) -> list[list[int]]:
    """Cut target indexes into batches, newest end first, of 1/BATCH_SHARE of the bytes.

    An origin whose end is unknown goes into the first batch: it may hold the
    newest records. A batch is at least BATCH_MIN bytes, so that a week of
    small hourly files is not read one process pool at a time; an origin of
    unknown size (a container) counts as UNKNOWN_SIZE.
    """
    known = sorted(
        (i for i, (_, last) in enumerate(coverages) if last is not None),
        key=lambda i: -(coverages[i][1] or 0),
    )
    batch = [i for i, (_, last) in enumerate(coverages) if last is None]

    def size(i: int) -> int:
        found = sizes[i]
        return UNKNOWN_SIZE if found is None else found

    budget = max(BATCH_MIN, sum(size(i) for i in range(len(sizes))) // BATCH_SHARE)
    held = sum(size(i) for i in batch)
    cut: list[list[int]] = []
    for index in known:
        batch.append(index)
        held += size(index)
        if held >= budget:
            cut.append(sorted(batch))
            batch, held = [], 0
    if batch:
        cut.append(sorted(batch))
    return cut


def meets(coverage: Coverage, window: tuple[int, int]) -> bool:
    """Tell whether an origin's coverage may hold records inside the window."""
    first, last = coverage
    since, until = window
    return not (
        (first is not None and first > until) or (last is not None and last < since)
    )


def hit_window(records: Sequence[Record], margin: int) -> tuple[int, int] | None:
    """Bound [first hit - margin, last hit + margin] over the records with a time."""
    times = [r.time for r in records if r.time != NO_TIME]
    if not times:
        return None
    return min(times) - margin, max(times) + margin


def probe(plan: Plan, query: Query, margin: int, run_pass: Pass) -> Probe:
    """Read newest first until a batch has hits; read the rest within the window."""
    targets = plan.targets
    coverages = [coverage_of(t) for t in targets]
    results: list[RunResult] = []
    records: list[Record] = []
    read: set[int] = set()
    window = None
    sizes = [t.origin.size for t in targets]
    for batch in batches(coverages, sizes):
        sub = _subplan(plan, [targets[i] for i in batch])
        result, found = run_pass(sub, query)
        results.append(result)
        records += found
        read.update(batch)
        window = hit_window(found, margin)
        if window is not None:
            break
    if window is None:
        return Probe(results, records, None, targets)
    rest = [
        i for i in range(len(targets)) if i not in read and meets(coverages[i], window)
    ]
    if rest:
        since, until = window
        bounded = replace(query, since=since, until=until)
        result, found = run_pass(_subplan(plan, [targets[i] for i in rest]), bounded)
        results.append(result)
        records += found
    inside = tuple(
        t for t, c in zip(targets, coverages, strict=True) if meets(c, window)
    )
    return Probe(results, records, window, inside)


def _subplan(plan: Plan, targets: list[Target]) -> Plan:
    """Narrow the plan to these targets (its discovery notes are told once, elsewhere)."""
    return replace(plan, targets=tuple(targets), warnings=(), failures=())
