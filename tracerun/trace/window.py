"""Automatic window: find a query's hits newest first, then bound everything else to them.

Why: a user who does not know when a request happened would otherwise search a
week of logs. Each origin's time coverage (a file's head and tail, a container's
first and last line as the engine tells: what `tracerun sources` shows) orders
the origins newest first; they are read in batches that reach back twice as far
each time (1 h, 2 h, 4 h …) until one batch holds a hit. The window is then
[first hit - margin, last hit + margin]: the origins not read yet are read only
when their coverage meets it (an origin whose coverage is unknown always is),
and with the window as --since/--until.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import NamedTuple

from tracerun.query import Query
from tracerun.read.target import Target
from tracerun.record import NO_TIME, Record
from tracerun.sources import get_source
from tracerun.sources.base import ReadError
from tracerun.trace.plan import Plan
from tracerun.trace.runner import RunResult

HOUR_US = 3_600_000_000
FIRST_STEP_US = HOUR_US
"""How far back from the newest origin's end the first batch reaches."""

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


def batches(coverages: Sequence[Coverage]) -> list[list[int]]:
    """Cut target indexes into batches, newest first, each reaching twice as far back.

    An origin whose end is unknown goes into the first batch: it may hold the
    newest records.
    """
    ends = [last for _, last in coverages if last is not None]
    if not ends:
        return [list(range(len(coverages)))] if coverages else []
    newest = max(ends)
    left = sorted(
        (i for i, (_, last) in enumerate(coverages) if last is not None),
        key=lambda i: -(coverages[i][1] or 0),
    )
    first = [i for i, (_, last) in enumerate(coverages) if last is None]
    cut: list[list[int]] = []
    step = FIRST_STEP_US
    while left:
        cutoff = newest - step
        batch = [i for i in left if (coverages[i][1] or 0) >= cutoff]
        left = left[len(batch) :]
        if first:
            batch, first = sorted(first + batch), []
        if batch:
            cut.append(sorted(batch))
        step *= 2
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
    for batch in batches(coverages):
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
        bounded = dataclasses.replace(query, since=since, until=until)
        result, found = run_pass(_subplan(plan, [targets[i] for i in rest]), bounded)
        results.append(result)
        records += found
    inside = tuple(
        t for t, c in zip(targets, coverages, strict=True) if meets(c, window)
    )
    return Probe(results, records, window, inside)


def _subplan(plan: Plan, targets: list[Target]) -> Plan:
    """Narrow the plan to these targets (its discovery notes are told once, elsewhere)."""
    return dataclasses.replace(plan, targets=tuple(targets), warnings=(), failures=())
