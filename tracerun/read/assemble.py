"""Assemble: a scanned Hit (raw bytes) → a matched Record, or nothing.

Decodes only the framed record, parses its first line, applies the exact match,
the time window and --where, and fills in a missing time from the lines before it
(`Assembler._time_before`). The answer depends only on the bytes, never on where
a block begins (a file is cut into pieces only at records with a time, so never
there either); the time each hit got is carried forward, so a run of records
without a time costs each one only the lines since the previous hit (issue #12:
100,000 of them took 55 s and re-read 200 lines each).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tracerun.read.match import Matcher
from tracerun.read.scan import LOOKBACK, Hit
from tracerun.read.target import Target
from tracerun.record import NO_TIME, Record


@dataclass(slots=True)
class Tally:
    """Records of one kind in one origin: how many, and the first and last line."""

    count: int = 0
    first: int = 0
    last: int = 0

    def add(self, line: int) -> None:
        """Count one more, at `line` (0: unknown)."""
        self.count += 1
        self.first = self.first or line
        self.last = line or self.last

    def extend(self, other: Tally, base: int = 0) -> None:
        """Add another tally whose lines are counted from `base` (pieces of a file)."""
        if other.count:
            self.count += other.count
            self.first = self.first or (other.first and other.first + base)
            self.last = (other.last and other.last + base) or self.last


@dataclass(slots=True)
class _Known:
    """The time the last hit got (its own, or found before it) and where it ends."""

    end: int
    time: int | None


@dataclass(slots=True)
class Assembler:
    """Turns the hits of one origin into records, counting what could not be used."""

    target: Target
    matcher: Matcher
    warnings: list[str] = field(default_factory=list)
    unparsed: int = 0
    first_unparsed: int = 0
    timeless: Tally = field(default_factory=Tally)
    """The records that got no time: none of their own and none before them."""
    _known: _Known | None = None

    def record(self, hit: Hit, *, fallback_time: int | None = None) -> Record | None:
        """Build the Record for `hit`, or None when it does not match the query.

        `fallback_time` (µs) is used when the line has no timestamp of its own,
        before looking at the lines above it: the engine's time of a container line.
        """
        lines = [line.removesuffix("\r") for line in _decode(hit.data).split("\n")]
        parsed = self.target.parser.parse(lines[0], self.target.tz)
        time = parsed.time if parsed is not None else None
        if time is None:
            time = (
                fallback_time if fallback_time is not None else self._time_before(hit)
            )
        else:
            self._known = _Known(hit.offset + len(hit.data), time)
        if parsed is None:
            self.unparsed += 1
            self.first_unparsed = self.first_unparsed or hit.line
            return None
        if not self.matcher.match_fields(parsed.fields):
            return None
        if time is None:
            time = NO_TIME
            self.timeless.add(hit.line)
        elif not self.matcher.in_window(time):
            return None
        if not self.matcher.where(
            parsed.fields, parsed.level, self.target.origin.source
        ):
            return None
        origin = self.target.origin
        return Record(
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

    def finish(self) -> list[str]:
        """Warnings for this origin, with the summaries of timeless and unparsed hits."""
        if self.timeless.count:
            self.warnings.append(
                timeless_warning(self.target.origin.name, self.timeless)
            )
        if self.unparsed:
            self.warnings.append(
                unparsed_warning(self.target, self.first_unparsed, self.unparsed)
            )
        return self.warnings

    def _time_before(self, hit: Hit) -> int | None:
        """Find the time of the nearest earlier record start that has one.

        Looked for in the lines that start in the LOOKBACK bytes before `hit`;
        when the previous hit ends within them, the lines after it are looked at,
        then the time that hit got: a run of hits without a time takes the time
        of the record before the run, however long the run.
        """
        low = hit.offset - LOOKBACK  # lines that start after this offset count
        known = self._known
        if known is not None and known.end > low:
            time = self._walk(hit, known.end)
            if time is None:
                time = known.time
        else:
            time = self._walk(hit, low)
        self._known = _Known(hit.offset + len(hit.data), time)
        return time

    def _walk(self, hit: Hit, low: int) -> int | None:
        for _, raw in hit.lines_before(low):
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


def timeless_warning(name: str, tally: Tally) -> str:
    """Summarise an origin's records that have no time of their own and none before."""
    text = (
        f"{where(name, tally.first)}: record has no timestamp and none precedes it; "
        "it is shown first, without a time"
    )
    if tally.count > 1:
        lines = f" (first at line {tally.first:,}, last at {tally.last:,})"
        text += f"; and {tally.count - 1:,} more like it" + (
            lines if tally.first else ""
        )
    return text


SHOWN_ORIGINS = 3
"""Origins whose timeless records get their own warning; the rest share one."""


def timeless_warnings(tallies: list[tuple[str, Tally]]) -> list[str]:
    """One warning per origin with timeless records, the ones past SHOWN_ORIGINS as one.

    Args:
        tallies: (origin name, its timeless records), in plan order.
    """
    found = [(name, tally) for name, tally in tallies if tally.count]
    shown = [timeless_warning(name, tally) for name, tally in found[:SHOWN_ORIGINS]]
    rest = found[SHOWN_ORIGINS:]
    if rest:
        records = sum(tally.count for _, tally in rest)
        shown.append(
            f"and {len(rest):,} more origins ({rest[0][0]} … {rest[-1][0]}) have "
            f"{records:,} record(s) with no timestamp and none before them; they "
            "are shown first, without a time"
        )
    return shown


def unparsed_warning(target: Target, first: int, count: int) -> str:
    """Format the summary of hit lines the parser could not read."""
    return (
        f"{where(target.origin.name, first)}: {count} line(s) contain a search "
        f"value but do not parse with parser '{target.parser.name}'; they were skipped"
    )


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "replace")
