"""Merge: per-origin sorted runs → one timeline in a total, deterministic order, streamed.

The key (time, source order, origin, line, offset) is unique per record, so the
result never depends on the order in which origins finished or on sort
stability. The runs are merged as a stream (heapq.merge), so memory holds what
can be printed, not what was read: each run keeps only the records that can
make the output (read/runs.py), large runs sit in unlinked temporary files,
and the runs held in memory are written out past MEMORY_ENTRIES (issue #12).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator

from tracerun.read.runs import (
    Entry,
    Run,
    RunBuilder,
    keep_of,
    kept,
    record_of,
    spilled_run,
)
from tracerun.record import Record

MAX_RECORDS_HINT = (
    "narrow the query (--since, --until, --source, --where) or raise --max-records"
)
RECORD_CAP_HINT = "records of up to 8 MiB are read; look at that one with another tool"
MEMORY_ENTRIES = 50_000
"""Kept records held in memory over all runs; beyond, runs go to files."""
OPEN_RUNS = 256
"""Runs in files merged at once; beyond, they are first merged into one."""


class Timeline:
    """Every origin's run, merged into the records to print, oldest first.

    Iterate it once; then `seen` is how many matched and `printed` how many came
    out. `capped` tells whether `max_records` kept some matched records out.
    """

    def __init__(
        self, limit: int | None = None, max_records: int | None = None
    ) -> None:
        self.limit = limit
        self.max_records = max_records
        self.keep = keep_of(limit, max_records)
        self.runs: list[Run] = []
        self.seen = 0
        self.printed = 0
        self._in_memory = 0

    def add(self, run: Run | None) -> None:
        """Take one run (from any process); bound what is held in memory."""
        if run is None:
            return
        self.seen += run.seen
        run.claim()
        if not run.spilled:
            self._in_memory += run.count
        self.runs.append(run)
        if self._in_memory > MEMORY_ENTRIES:
            self._spill_memory()
        if sum(r.spilled for r in self.runs) > OPEN_RUNS:
            self.runs = [self._merged(self.runs)]
            self._in_memory = 0

    def absorb(self, other: Timeline) -> None:
        """Take over another timeline's runs (it must not be read any more)."""
        for run in other.runs:
            self.add(run)
        other.runs = []

    def add_records(self, records: Iterable[Record]) -> None:
        """Take records in any order, of any origins (a type that builds no runs)."""
        builders: dict[tuple[int, str], RunBuilder] = {}
        for record in records:
            key = (record.source_index, record.origin)
            builder = builders.get(key)
            if builder is None:
                builder = builders[key] = RunBuilder(self.keep)
            builder.add(record)
        for builder in builders.values():
            self.add(builder.finish())

    def __iter__(self) -> Iterator[Record]:
        """Yield the records to print, in order (each run read once)."""
        try:
            for entry in self._entries():
                self.printed += 1
                yield record_of(entry)
        finally:
            self.close()

    def matched(self) -> bool:
        """Tell whether any record matched."""
        return self.seen > 0

    @property
    def capped(self) -> int:
        """How many matched records --max-records kept out (0: none)."""
        cap = self.max_records
        if cap is None:
            return 0
        wanted = self.seen if self.limit is None else min(self.seen, self.limit)
        return max(0, wanted - cap)

    def close(self) -> None:
        """Release the runs' files."""
        for run in self.runs:
            run.close()
        self.runs = []

    def _entries(self) -> Iterator[Entry]:
        return self._kept(self.runs)

    def _kept(self, runs: list[Run]) -> Iterator[Entry]:
        total = sum(run.count for run in runs)
        return kept(heapq.merge(*runs), self.keep, total)

    def _spill_memory(self) -> None:
        held = [run for run in self.runs if not run.spilled]
        self.runs = [run for run in self.runs if run.spilled]
        self.runs.append(self._merged(held))
        self._in_memory = 0

    def _merged(self, runs: list[Run]) -> Run:
        """Merge runs into one in a file, keeping what `keep` allows."""
        seen = sum(run.seen for run in runs)
        merged = spilled_run(self._kept(runs), seen)
        for run in runs:
            run.close()
        return merged


def cap_message(timeline: Timeline) -> str:
    """Say what --max-records kept out of a timeline (when `timeline.capped`)."""
    cap = timeline.max_records or 0
    if timeline.limit is None:
        return (
            f"stopped after the first {cap:,} records (--max-records {cap:,}); "
            f"{timeline.capped:,} more matched and were not printed"
        )
    return (
        f"printed the newest {cap:,} records (--max-records {cap:,}); "
        f"{timeline.capped:,} more of the --limit {timeline.limit:,} were not printed"
    )


def merge(batches: Iterable[list[Record]], limit: int | None = None) -> list[Record]:
    """Merge record batches by `Record.sort_key`; with `limit`, keep the newest N.

    Args:
        batches: records per origin, in any order.
        limit: keep only the last `limit` records of the timeline (still oldest first).
    """
    timeline = Timeline(limit)
    for batch in batches:
        timeline.add_records(batch)
    return list(timeline)
