"""Repeated hour: a naive time the clock showed twice → the pass its record was in.

When daylight saving time ends, the clock shows one hour twice (Europe/Berlin
2024-10-27 02:00-02:59); a naive time of that hour names two instants, and
timeparse reads it as the first. A record's place tells which it is: in a
file, the lines before it (`FilePasses`); over ssh, where only the hits come
back, the hits before it (`HitPasses`); while following, the moment it
arrives (`ArrivalPasses`). Only the lines of that hour pay: a record's time
is looked at again only when `timeparse.fall_back_near` says it may be one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack

from tracerun.read.scan import Readable
from tracerun.read.tally import where
from tracerun.read.target import Target
from tracerun.timeparse import fall_back_near, repeated_hour, second_pass_zone

CLOCK_BACK = 5 * 60 * 1_000_000
"""A wall time this much (µs) earlier than the line before it: the clock went back.

Why 5 minutes: lines of one file are out of order by seconds (threads, buffers),
while the clock going back moves the wall time by the hour the log was not silent."""
READ_BACK = 64 * 1024 * 1024
"""How far before a record its file is read to tell the pass; past it, the first."""
BLOCK = 1024 * 1024
"""Bytes read back (or decompressed) at a time."""
ARRIVAL_SKEW = 60 * 1_000_000
"""How far (µs) a followed line's second reading may be past our clock (the writer's skew)."""

ReadBack = Callable[[int, int], tuple[int, bytes]]
"""(end, size) → (start, the bytes [start, end)); `start` above `end - size`
when fewer are there (the file's start, or what a stream still holds)."""


class Passes:
    """Places the records of one origin whose naive time the clock showed twice.

    The base class takes the occurrence nearer the instant the transport
    stamped the line with (a container's log), else the first; a subclass
    `choose`s from what it knows of the record's place.
    """

    def __init__(self, target: Target, written: int | None = None) -> None:
        self.target = target
        self.written = written
        """When the origin was last written (dates a time of day alone)."""
        near = fall_back_near(target.tz)
        assert near is not None  # passes_for made no Passes for a fixed offset
        self._near = near
        self._later = second_pass_zone(target.tz)

    def time(
        self, first: int, line: str, offset: int, number: int, stamp: int | None = None
    ) -> int:
        """Return the instant of the record at `offset` whose first line is `line`.

        `first` is its time as parsed (a repeated wall time's first occurrence);
        `number` its line (0 or less: unknown), for a warning; `stamp` the
        instant its transport gave the line (the Docker engine's), if any.
        """
        if not self._near(first):
            return self.seen(first)
        parsed = self.target.parser.parse(line, self._later, self.written)
        second = None if parsed is None else parsed.time
        if second is None or second <= first:  # no repeated time: once, or skipped
            return self.seen(first)
        return self.choose(first, second, offset, number, stamp)

    def seen(self, time: int) -> int:
        """Take note of a record's time that names one instant; return it."""
        return time

    def choose(
        self, first: int, second: int, offset: int, number: int, stamp: int | None
    ) -> int:
        """Pick the occurrence nearer the transport's stamp; without one, the first."""
        del offset, number
        if stamp is not None and abs(second - stamp) < abs(first - stamp):
            return second
        return first


def passes_for(target: Target) -> bool:
    """Tell whether the origin's zone repeats an hour (only then are Passes made)."""
    return fall_back_near(target.tz) is not None


def stamped_passes(target: Target) -> Passes | None:
    """Make the Passes of an origin its transport stamps (None: a fixed offset)."""
    return Passes(target) if passes_for(target) else None


class FilePasses(Passes):
    """A file's records: the lines before a record tell its pass.

    Read back from the record's start, nearest first: a line before the
    repeated hour means the first pass; a line whose wall time is later than
    the one after it by more than CLOCK_BACK means the clock went back
    between them, so the second. What a record found is kept (per transition),
    so the next record reads back only to it.
    """

    def __init__(
        self,
        target: Target,
        read_back: ReadBack,
        warnings: list[str],
        written: int | None = None,
    ) -> None:
        super().__init__(target, written)
        self._read_back = read_back
        self._warnings = warnings
        self._known: dict[int, tuple[int, int, bool]] = {}
        """Transition → (offset, first reading, second?) of the last record placed."""
        self._told: set[int] = set()
        self._at_start = False
        """The last walk back reached the file's start."""

    def choose(
        self, first: int, second: int, offset: int, number: int, stamp: int | None
    ) -> int:
        """Walk back from `offset`; see the class."""
        del stamp
        start, end = repeated_hour(self.target.tz, first, second)
        known = self._known.get(end)
        floor = known[0] if known is not None and known[0] < offset else -1
        later, verdict, reached = first, None, False
        for at, line in self._lines_back(offset, floor):
            if at <= floor:
                reached = True
                break
            parsed = self.target.parser.parse(line, self.target.tz, self.written)
            time = None if parsed is None else parsed.time
            if time is None:
                continue
            if time < start:
                verdict = False
                break
            if time > later + CLOCK_BACK:
                verdict = True
                break
            later = time
        if verdict is None:
            if reached and known is not None:
                verdict = known[1] > later + CLOCK_BACK or known[2]
            else:
                verdict = False
                if not self._at_start:
                    self._tell(end, number)
        self._known[end] = (offset, first, verdict)
        return second if verdict else first

    def _tell(self, end: int, number: int) -> None:
        """Say once per transition that READ_BACK did not tell a record's pass."""
        if end in self._told:
            return
        self._told.add(end)
        self._warnings.append(
            f"{where(self.target.origin.name, max(number, 0))}: a time the clock "
            "showed twice (when daylight saving time ended) is read as its first "
            f"occurrence: no line in the {READ_BACK // 2**20} MiB before it tells "
            "which (hint: log with an offset, `%z`, or in UTC)"
        )

    def _lines_back(self, offset: int, floor: int) -> Iterator[tuple[int, str]]:
        """Yield the record starts before `offset`, nearest first, down to `floor`.

        `floor` is a record start (or -1); the walk stops there, at the file's
        start (`_at_start`) or READ_BACK before `offset`.
        """
        self._at_start = False
        low = max(floor, offset - READ_BACK, 0)
        end, carry = offset, b""
        while end > low:
            start, block = self._read_back(end, min(BLOCK, end - low))
            if start >= end:
                return
            lines = (block + carry).split(b"\n")  # it ends with one: a line's end
            at = end + len(carry)
            for raw in reversed(lines[1:-1]):
                at -= len(raw) + 1
                if self._is_start(raw):
                    yield at, raw.removesuffix(b"\r").decode("utf-8", "replace")
            if start in (0, floor):  # lines[0] begins a line
                if start == floor or self._is_start(lines[0]):
                    yield start, lines[0].removesuffix(b"\r").decode("utf-8", "replace")
                self._at_start = start == 0
                return
            end, carry = start, lines[0] + b"\n"
        self._at_start = end == 0

    def _is_start(self, raw: bytes) -> bool:
        line = raw.removesuffix(b"\r")
        return bool(line) and self.target.is_start(line)


class HitPasses(Passes):
    """Hits that come without the lines between them (ssh), in their file's order.

    A hit whose wall time is earlier than the hit before it by more than
    CLOCK_BACK is past the clock going back (and so are the repeated times
    after it), until a hit before the repeated hour. Lines between the hits
    are not seen: a hit in the second pass whose hits before it are all of
    that pass too is read as the first.
    """

    def __init__(self, target: Target, written: int | None = None) -> None:
        super().__init__(target, written)
        self._last: int | None = None
        self._second: dict[int, bool] = {}

    def seen(self, time: int) -> int:
        """Remember the last hit's time."""
        self._last = time
        return time

    def choose(
        self, first: int, second: int, offset: int, number: int, stamp: int | None
    ) -> int:
        """See the class."""
        del offset, number, stamp
        start, end = repeated_hour(self.target.tz, first, second)
        last = self._last
        if last is not None and last < start:
            self._second[end] = False
        elif last is not None and last > first + CLOCK_BACK:
            self._second[end] = True
        self._last = first
        return second if self._second.get(end, False) else first


class ArrivalPasses(Passes):
    """Followed lines: the occurrence nearest before the moment the line arrived."""

    def __init__(
        self, target: Target, clock: Callable[[], int], written: int | None = None
    ) -> None:
        super().__init__(target, written)
        self._clock = clock

    def choose(
        self, first: int, second: int, offset: int, number: int, stamp: int | None
    ) -> int:
        """See the class."""
        del offset, number, stamp
        return second if second <= self._clock() + ARRIVAL_SKEW else first


class StreamWindow:
    """The bytes of a stream that cannot seek (a .gz), read back near a moving point.

    Decompressed from the start once, as far as the records asked about, keeping
    the last READ_BACK bytes (and a block): the records of a file are asked
    about in order.
    """

    def __init__(self, opener: Callable[[], AbstractContextManager[Readable]]) -> None:
        self._opener = opener
        self._stack = ExitStack()
        self._stream: Readable | None = None
        self._buf = bytearray()
        self._base = 0  # stream offset of _buf[0]

    def read_back(self, end: int, size: int) -> tuple[int, bytes]:
        """See ReadBack."""
        if self._stream is None or end < self._base:
            self.close()
            self._stream = self._stack.enter_context(self._opener())
            self._buf, self._base = bytearray(), 0
        while self._base + len(self._buf) < end:
            data = self._stream.read(BLOCK)
            if not data:
                break
            self._buf += data
            extra = len(self._buf) - READ_BACK - 2 * BLOCK
            if extra > 0:
                del self._buf[:extra]
                self._base += extra
        start = max(end - size, self._base)
        return start, bytes(self._buf[start - self._base : end - self._base])

    def close(self) -> None:
        """Close the stream (if one was opened)."""
        self._stack.close()
        self._stream = None
