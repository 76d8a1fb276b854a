"""Hops: the profile's `expect:` sources → which of them the printed timeline never reached.

Each entry is a source name, or `{source, where}`: a record of that source for
which the JMESPath `where` is truthy. After a trace, every entry without such a
record is reported on stderr with the window that was searched, so that "the
request never reached payments" is said, not inferred from an absence.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracerun.config.spec import ExpectConfig
from tracerun.read.match import RecordFilter
from tracerun.read.tally import Tally
from tracerun.record import Record
from tracerun.timeparse import format_utc_ms
from tracerun.trace.runner import RunResult


class HopCheck:
    """Watches the printed records for each expected hop."""

    def __init__(self, expect: Sequence[str | ExpectConfig], result: RunResult) -> None:
        self._result = result
        self._hops: list[tuple[str, RecordFilter | None, str]] = []
        for entry in expect:
            if isinstance(entry, str):
                self._hops.append((entry, None, entry))
                continue
            where = entry.where
            subject = f"expect {entry.source} where"
            check = None if where is None else RecordFilter(where, subject)
            shown = entry.source if where is None else f"{entry.source} ({where})"
            self._hops.append((entry.source, check, shown))
        self._seen = [False] * len(self._hops)
        self.warnings: list[str] = []
        """One per `where` that failed on a record (the first), as --where says it."""
        self._tally = Tally()

    def see(self, record: Record) -> None:
        """Note a printed record."""
        for index, (source, check, _) in enumerate(self._hops):
            if self._seen[index] or record.source != source:
                continue
            if check is None or check.test(record):
                self._seen[index] = True
            elif check.error is not None and check.subject not in self._tally.failures:
                effect = "records where it fails do not count as the hop"
                self._tally.fail(check.subject, check.error, record.line, effect)
                self.warnings += self._tally.failure_warnings(record.origin)[-1:]

    def missing(self) -> list[str]:
        """Say, one line each, which expected hops have no record."""
        if not self._result.timeline.matched():
            return []  # nothing matched at all: exit 1 says it
        since, until = self._result.window
        if since is not None and until is not None:
            span = f"in {format_utc_ms(since)} → {format_utc_ms(until)} UTC"
        elif since is None and until is None:
            span = "in any of its logs"
        else:
            start = "…" if since is None else format_utc_ms(since)
            end = "…" if until is None else format_utc_ms(until)
            span = f"in {start} → {end} UTC"
        return [
            f"{shown}: no record for this request {span}"
            for (_, _, shown), seen in zip(self._hops, self._seen, strict=True)
            if not seen
        ]
