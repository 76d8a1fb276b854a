"""Assemble: a scanned Hit (raw bytes) → a matched Record, or nothing.

Decodes only the framed record, parses its first line, applies the exact match,
the time window and --where, and fills in a missing time from the lines before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tracerun.read.match import Matcher
from tracerun.read.scan import Hit
from tracerun.read.target import Target
from tracerun.record import NO_TIME, Context, ContextLine, Record

_LOOKBACK_LINES = 200


@dataclass(slots=True)
class Assembler:
    """Turns the hits of one origin into records, counting what could not be used."""

    target: Target
    matcher: Matcher
    warnings: list[str] = field(default_factory=list)
    unparsed: int = 0
    first_unparsed: int = 0
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
        parsed = self.target.parser.parse(lines[0], self.target.tz)
        if parsed is None:
            self.unparsed += 1
            self.first_unparsed = self.first_unparsed or hit.line
            return None
        if not self.matcher.match_fields(parsed.fields):
            return None
        time = parsed.time if parsed.time is not None else fallback_time
        if time is None:
            time = self._time_before(hit)
        if time is None:
            time = NO_TIME
            self.timeless.append(hit.line)
            self.warnings.append(timeless_warning(self.target.origin.name, hit.line))
        elif not self.matcher.in_window(time):
            return None
        if not self.matcher.where(
            parsed.fields, parsed.level, self.target.origin.source
        ):
            return None
        origin = self.target.origin
        record = Record(
            time=time,
            source=origin.source,
            source_index=origin.source_index,
            origin=origin.name,
            line=hit.line,
            level=parsed.level,
            message=parsed.message,
            fields=parsed.fields,
            raw=lines[0],
            continuation=tuple(lines[1:]),
            hidden=self.target.parser.shown_elsewhere(parsed.fields),
            offset=hit.offset,
        )
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

    def finish(self) -> list[str]:
        """Warnings for this origin, including a summary of lines that did not parse."""
        if self.unparsed:
            self.warnings.append(
                unparsed_warning(self.target, self.first_unparsed, self.unparsed)
            )
        return self.warnings

    def _time_before(self, hit: Hit) -> int | None:
        """Time of the nearest earlier record start in the bytes before the hit."""
        before = hit.lookback().split(b"\n")
        for raw in reversed(before[-_LOOKBACK_LINES:]):
            line = raw.removesuffix(b"\r")
            if not line or not self.target.is_start(line):
                continue
            parsed = self.target.parser.parse(_decode(line), self.target.tz)
            if parsed is not None and parsed.time is not None:
                return parsed.time
        return None


def where(name: str, line: int) -> str:
    """`origin:line`, or just `origin` when the line is unknown (0)."""
    return f"{name}:{line}" if line else name


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
