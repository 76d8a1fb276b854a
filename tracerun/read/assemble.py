"""Assemble: a scanned Hit (raw bytes) → a matched Record, or nothing.

Decodes only the framed record, parses its first line, applies the exact match,
the time window and --where, and fills in a missing time from the lines before it.
Why a hit was dropped is counted in a Tally (read/tally.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tracerun.read.match import Matcher
from tracerun.read.scan import Hit
from tracerun.read.tally import Tally, excerpt, where
from tracerun.read.target import Target
from tracerun.record import NO_TIME, Record

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

    def record(self, hit: Hit, *, fallback_time: int | None = None) -> Record | None:
        """Build the Record for `hit`, or None when it does not match the query.

        `fallback_time` (µs) is used when the line has no timestamp of its own,
        before looking at the lines above it: the engine's time of a container line.
        """
        lines = [line.removesuffix("\r") for line in _decode(hit.data).split("\n")]
        parsed = self.target.parser.parse(lines[0], self.target.tz)
        if parsed is None:
            self.tally.unparsed.note(hit.line, excerpt(lines[0]))
            return None
        if parsed.failed:
            self._field_failures(parsed, hit.line)
        if not self.matcher.match_fields(parsed.fields):
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
        if not self.matcher.where(record):
            self.tally.dropped.note(hit.line)
            where_filter = self.matcher.where_filter
            if where_filter is not None and where_filter.error is not None:
                effect = "records where it fails do not match"
                self.tally.fail(
                    where_filter.subject, where_filter.error, hit.line, effect
                )
            return None
        return record

    def _field_failures(self, parsed: Parsed, line: int) -> None:
        parser = self.target.parser.name
        for name, expression, error in parsed.failed:
            subject = f'parser {parser!r}, fields.{name} "{expression}"'
            effect = f"records where it fails have no field {name}"
            self.tally.fail(subject, error, line, effect)

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
