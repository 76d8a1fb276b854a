"""Assemble: a scanned Hit (raw bytes) → a matched Record, or nothing.

Decodes only the framed record, parses its first line, applies the exact match,
the time window and --where, and fills in a missing time from the lines before it
(`Assembler._time_before`). The answer depends only on the bytes, never on where
a block begins (a file is cut into pieces only at records with a time, so never
there either); the time each hit got is carried forward, so a run of records
without a time costs each one only the lines since the previous hit (issue #12:
100,000 of them took 55 s and re-read 200 lines each). Why a hit was dropped is
counted in a Tally (read/tally.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tracerun.extract import Parsed
from tracerun.plain import field, plain
from tracerun.read.match import Matcher
from tracerun.read.repeated import Passes, stamped_passes
from tracerun.read.scan import LOOKBACK, Hit
from tracerun.read.tally import HELD_NAMES, Tally, excerpt, where
from tracerun.read.target import Target
from tracerun.record import NO_TIME, Context, ContextLine, Record

if TYPE_CHECKING:
    from tracerun.extract import Parsed

_LOOKBACK_LINES = 200
"""How far back a PostgreSQL annotation line looks for the record it annotates."""


class Timeless:
    """The records of one origin that got no time: how many, the first and last line.

    Why a plain class: a dataclass costs start-up (read/tally.py says ~0.5 ms).
    """

    __slots__ = ("count", "first", "last")

    def __init__(self, count: int = 0, first: int = 0, last: int = 0) -> None:
        self.count = count
        self.first = first
        self.last = last

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Timeless):
            return NotImplemented
        return (self.count, self.first, self.last) == (
            other.count,
            other.first,
            other.last,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Timeless({self.count}, {self.first}, {self.last})"

    def add(self, line: int) -> None:
        """Count one more, at `line` (0: unknown)."""
        self.count += 1
        self.first = self.first or line
        self.last = line or self.last

    def extend(self, other: Timeless, base: int = 0) -> None:
        """Add another piece's records whose lines are counted from `base`."""
        if other.count:
            self.count += other.count
            self.first = self.first or (other.first and other.first + base)
            self.last = (other.last and other.last + base) or self.last


class _Known:
    """The time the last hit got (its own, or found before it) and where it ends."""

    __slots__ = ("end", "time")

    def __init__(self, end: int, time: int | None) -> None:
        self.end = end
        self.time = time


@plain(slots=True)
class Assembler:
    """Turns the hits of one origin into records, counting what could not be used."""

    target: Target
    matcher: Matcher
    warnings: list[str] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)
    timeless: Timeless = field(default_factory=Timeless)
    """The records that got no time: none of their own and none before them."""
    written: int | None = None
    """When the origin was last written (µs: a file's modification time), which
    dates a time of day alone; None (a stream, a container): such a line has no
    time of its own."""
    passes: Passes | None = None
    """Places the records whose naive time the clock showed twice (read/repeated.py);
    None for a zone that repeats no hour (UTC): then nothing is looked at. Left
    None, the first hit that has a transport's time (`fallback_time`) sets
    the ones that take the occurrence nearer it."""
    _stamped: bool = False
    """A hit with a transport's time was seen (and `passes` set if the zone needs it)."""
    _known: _Known | None = None
    _last: Record | None = None
    _last_start: int = 0
    """Where the last record's hit begins (a batch's records share one)."""
    _covered: int = -1
    """Stream offset up to which the last record and its context printed lines."""

    def records(self, hit: Hit, *, fallback_time: int | None = None) -> list[Record]:
        """Build the Records for `hit`: none when it does not match the query.

        `fallback_time` (µs) is used when the line has no timestamp of its own,
        before looking at the lines above it: the engine's time of a container line.
        A line that holds several records (an OTLP batch: `Parsed.parts`) gives
        one per record that matches, each at the line's number with its own
        time, else the time of the record before it.
        """
        lines = [line.removesuffix("\r") for line in _decode(hit.data).split("\n")]
        lines[0] = lines[0].lstrip("\0")  # a copytruncate's hole before it (target.py)
        parsed = self.target.parser.parse(lines[0], self.target.tz, self.written)
        time = parsed.time if parsed is not None else None
        if time is None:
            time = (
                fallback_time if fallback_time is not None else self._time_before(hit)
            )
        else:
            if fallback_time is not None and not self._stamped:
                self._stamped = True
                self.passes = self.passes or stamped_passes(self.target)
            if self.passes is not None:
                time = self.passes.time(
                    time, lines[0], hit.offset, hit.line, fallback_time
                )
            self._known = _Known(hit.offset + len(hit.data), time)
        if parsed is None:
            self.tally.unparsed.note(hit.line, excerpt(lines[0]))
            return []
        found: list[Record] = []
        matched = False
        for index, part in enumerate(parsed.parts or (parsed,)):
            if part.time is not None and part is not parsed:  # a batch's record
                time = part.time
            if part.failed:
                self._field_failures(part, hit.line)
            if self._matches(part, lines):
                matched = True
                record = self._record(part, hit, lines, time, index)
                if record is not None:
                    found.append(record)
        if not matched:
            # Every such hit is looked in: the count of records a field that
            # is not a key holds is told even when others matched, and a hit
            # that got here already passed the byte prefilter and a parse.
            holder = self._holder(parsed)
            self.tally.unkeyed.note(hit.line, holder or "")
            if holder is not None:
                self._held(hit.line, holder)
        return found

    def _held(self, line: int, holder: str) -> None:
        """Count a hit a non-key field holds; keep the first HELD_NAMES fields' names."""
        held = self.tally.held
        names = held.detail.split("\0") if held.detail else []
        if holder not in names and len(names) < HELD_NAMES:
            held.detail = "\0".join((*names, holder))
        held.note(line)

    def _holder(self, parsed: Parsed) -> str | None:
        for part in parsed.parts or (parsed,):
            holder = self.matcher.holder(part.fields)
            if holder is not None:
                return holder
        return None

    def _record(
        self, parsed: Parsed, hit: Hit, lines: list[str], time: int | None, index: int
    ) -> Record | None:
        """Build the Record of one matching record of the hit (its `index`-th part)."""
        if time is None:
            time = NO_TIME
            self.timeless.add(hit.line)
        elif not self.matcher.in_window(time):
            self.tally.outside.note(hit.line)
            return None
        parser = self.target.parser
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
            line=max(hit.line, 0),  # an unnumbered scan's placeholder: unknown
            level=level,
            message=parsed.message,
            fields=parsed.fields,
            raw=parsed.raw or lines[0],
            continuation=tuple(lines[1:]),
            hidden=hidden,
            # a batch's records: in the order written, inside their line's bytes
            offset=hit.offset + index,
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
        last, last_start = self._last, self._last_start
        if last is not None and last.context is not None and last.context.after:
            # The previous record's after-lines stop where this record begins.
            last.context.after = tuple(
                c for c in last.context.after if last_start + c.offset < start
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
        self._last, self._last_start, self._covered = record, start, end

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
        """Find the time of the nearest earlier record start that has one.

        Looked for in the lines that start in the LOOKBACK bytes before `hit`;
        when the previous hit ends within them, the lines after it are looked at,
        then the time that hit got: a run of hits without a time takes the time
        of the record before the run, however long the run.
        """
        low = hit.offset - LOOKBACK  # lines that start after this offset count
        known = self._known
        if known is not None and known.end > low:
            time = self._first_time(hit, known.end)
            if time is None:
                time = known.time
        else:
            time = self._first_time(hit, low)
        self._known = _Known(hit.offset + len(hit.data), time)
        return time

    def _first_time(self, hit: Hit, low: int) -> int | None:
        for at, line, parsed in self._records_before(hit, low):
            if parsed.time is not None:
                if self.passes is None:
                    return parsed.time
                return self.passes.time(parsed.time, line, at, hit.line)
        return None

    def _level_before(self, hit: Hit, pid: object) -> str | None:
        """Level of the record a PostgreSQL DETAIL/STATEMENT/... line annotates.

        That is the nearest earlier record of the same process (`[pid]`) that is
        not itself such an annotation.
        """
        records = self._records_before(hit, hit.offset - LOOKBACK)
        for _, _, parsed in itertools.islice(records, _LOOKBACK_LINES):
            if parsed.fields.get("pid") == pid and not parsed.inherits:
                return parsed.level
        return None

    def _records_before(self, hit: Hit, low: int) -> Iterator[tuple[int, str, Parsed]]:
        """Parse the record starts before the hit that start after `low`, nearest first.

        Each is (its stream offset, its text, what it parsed to).
        """
        for at, raw in hit.lines_before(low):
            line = raw.removesuffix(b"\r")
            if not line or not self.target.is_start(line):
                continue
            text = _decode(line)
            parsed = self.target.parser.parse(text, self.target.tz, self.written)
            if parsed is not None:
                yield at, text, parsed


def timeless_warning(name: str, timeless: Timeless) -> str:
    """Summarise an origin's records that have no time of their own and none before."""
    text = (
        f"{where(name, timeless.first)}: record has no timestamp and none precedes "
        "it; it is shown first, without a time"
    )
    if timeless.count > 1:
        lines = f" (first at line {timeless.first:,}, last at {timeless.last:,})"
        text += f"; and {timeless.count - 1:,} more like it"
        text += lines if timeless.first else ""
    return text


SHOWN_ORIGINS = 3
"""Origins whose timeless records get their own warning; the rest share one."""


def timeless_warnings(found: list[tuple[str, Timeless]]) -> list[str]:
    """One warning per origin with timeless records, the ones past SHOWN_ORIGINS as one.

    Args:
        found: (origin name, its timeless records), in plan order.
    """
    found = [(name, timeless) for name, timeless in found if timeless.count]
    shown = [timeless_warning(name, t) for name, t in found[:SHOWN_ORIGINS]]
    rest = found[SHOWN_ORIGINS:]
    if rest:
        records = sum(t.count for _, t in rest)
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
