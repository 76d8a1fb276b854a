"""Assemble: a scanned Hit (raw bytes) → a matched Record, or nothing.

Decodes only the framed record, parses its first line, applies the exact match,
the time window and --where, and fills in a missing time from the lines before it.
Why a hit was dropped is counted in a Tally (read/tally.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tracerun.extract import Parsed
from tracerun.read.match import Matcher
from tracerun.read.scan import Hit
from tracerun.read.tally import Tally, excerpt, where
from tracerun.read.target import Target
from tracerun.record import NO_TIME, Context, ContextLine, Record

if TYPE_CHECKING:
    from tracerun.extract import Parsed

_LOOKBACK_LINES = 200
HOLDER_TRIES = 64
"""Hits with the value outside key fields searched for the field that holds it."""


@dataclass(slots=True)
class Assembler:
    """Turns the hits of one origin into records, counting what could not be used."""

    target: Target
    matcher: Matcher
    warnings: list[str] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)
    timeless: list[int] = field(default_factory=list)
    """Lines of the records that got no time (their warnings are in `warnings`)."""
    _last: Record | None = None
    _covered: int = -1
    """Stream offset up to which the last record and its context printed lines."""

    def record(self, hit: Hit, *, fallback_time: int | None = None) -> Record | None:
        """Build the Record for `hit`, or None when it does not match the query.

        `fallback_time` (µs) is used when the line has no timestamp of its own,
        before looking at the lines above it: the engine's time of a container line.
        """
        lines = [line.removesuffix("\r") for line in _decode(hit.data).split("\n")]
        parser = self.target.parser
        parsed = parser.parse(lines[0], self.target.tz)
        if parsed is None:
            self.tally.unparsed.note(hit.line, excerpt(lines[0]))
            return None
        if parsed.failed:
            self._field_failures(parsed, hit.line)
        if not self._matches(parsed, lines):
            unkeyed = self.tally.unkeyed
            # One field that holds the value is enough to name in a hint, and
            # the first few hits are enough to look in.
            look = not unkeyed.detail and unkeyed.count < HOLDER_TRIES
            holder = self.matcher.holder(parsed.fields) if look else None
            unkeyed.note(hit.line, holder or "")
            return None
        time = parsed.time if parsed.time is not None else fallback_time
        if time is None:
            time = self._time_before(hit)
        if time is None:
            time = NO_TIME
            self.timeless.append(hit.line)
            self.warnings.append(timeless_warning(self.target.origin.name, hit.line))
        elif not self.matcher.in_window(time):
            self.tally.outside.note(hit.line)
            return None
        level = parsed.level
        if parsed.inherits:
            level = self._level_before(hit, parsed.fields.get("pid")) or level
        hidden = parser.shown_elsewhere(parsed.fields, parsed.message)
        stack = parser.stack(parsed.fields) if len(lines) == 1 else None
        if stack is not None:
            hidden = (*hidden, stack[0])
        origin = self.target.origin
        record = Record(
            time=time,
            source=origin.source,
            source_index=origin.source_index,
            origin=origin.name,
            line=hit.line,
            level=level,
            message=parsed.message,
            fields=parsed.fields,
            raw=lines[0],
            continuation=tuple(lines[1:]),
            hidden=hidden,
            offset=hit.offset,
            stack=() if stack is None else stack[1],
        )
        if not self.matcher.where(record):
            self.tally.dropped.note(hit.line)
            where_filter = self.matcher.where_filter
            if where_filter is not None and where_filter.error is not None:
                effect = "records where it fails do not match"
                self.tally.fail(
                    where_filter.subject, where_filter.error, hit.line, effect
                )
            return None
        self._place(record, hit, len(lines))
        return record

    def _place(self, record: Record, hit: Hit, lines: int) -> None:
        """Attach `-A/-B` lines, leaving out the lines a neighbouring record prints."""
        start, end = hit.offset, hit.offset + hit.extent
        last = self._last
        if last is not None and last.context is not None and last.context.after:
            # The previous record's after-lines stop where this record begins.
            last.context.after = tuple(
                c for c in last.context.after if last.offset + c.offset < start
            )
        if hit.before or hit.after:
            before = tuple(
                ContextLine(at, index - len(hit.before), _decode(text))
                for index, (at, text) in enumerate(hit.before)
                if start + at >= self._covered
            )
            after = tuple(
                ContextLine(at, lines - 1 + index, _decode(text))
                for index, (at, text) in enumerate(hit.after, 1)
            )
            record.context = Context(before, after, hit.extent)
            if hit.after:
                at, text = hit.after[-1]
                end = max(end, start + at + len(text) + 1)
        self._last, self._covered = record, end

    def _field_failures(self, parsed: Parsed, line: int) -> None:
        parser = self.target.parser.name
        for name, expression, error in parsed.failed:
            subject = f'parser {parser!r}, fields.{name} "{expression}"'
            effect = f"records where it fails have no field {name}"
            self.tally.fail(subject, error, line, effect)

    def _matches(self, parsed: Parsed, lines: list[str]) -> bool:
        """Tell whether the record's fields, else its continuation's pairs, hold a term."""
        defined = self.target.parser.defined
        if self.matcher.match_fields(parsed.fields, defined):
            return True
        if len(lines) == 1:
            return False
        pairs = self.target.parser.continued_fields(lines[1:])
        return bool(pairs) and self.matcher.match_fields(pairs, defined)

    def _time_before(self, hit: Hit) -> int | None:
        """Time of the nearest earlier record start in the bytes before the hit."""
        for parsed in self._records_before(hit):
            if parsed.time is not None:
                return parsed.time
        return None

    def _level_before(self, hit: Hit, pid: object) -> str | None:
        """Level of the record a PostgreSQL DETAIL/STATEMENT/... line annotates.

        That is the nearest earlier record of the same process (`[pid]`) that is
        not itself such an annotation.
        """
        for parsed in self._records_before(hit):
            if parsed.fields.get("pid") == pid and not parsed.inherits:
                return parsed.level
        return None

    def _records_before(self, hit: Hit) -> Iterator[Parsed]:
        """Parse the record starts before the hit, nearest first."""
        before = hit.lookback().split(b"\n")
        for raw in reversed(before[-_LOOKBACK_LINES:]):
            line = raw.removesuffix(b"\r")
            if not line or not self.target.is_start(line):
                continue
            parsed = self.target.parser.parse(_decode(line), self.target.tz)
            if parsed is not None:
                yield parsed


def timeless_warning(name: str, line: int) -> str:
    """Format the warning for a record with no time of its own and none before it."""
    return (
        f"{where(name, line)}: record has no timestamp and none precedes it; "
        "it is shown first, without a time"
    )


def unparsed_warning(target: Target, first: int, count: int) -> str:
    """Format the summary of hit lines the parser could not read."""
    return (
        f"{where(target.origin.name, first)}: {count} line(s) contain a search "
        f"value but do not parse with parser '{target.parser.name}'; they were skipped"
    )


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "replace")
