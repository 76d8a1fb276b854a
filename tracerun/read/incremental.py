"""Stream: bytes that arrive in pieces (a growing file, a container's log) → Records.

The incremental form of a one-shot file read: complete lines go through the same
`scan` prefilter and `Assembler` (parser, exact match, window, --where); the
unfinished last line and the last record, whose continuation lines (a stack
trace) may still be on their way, are held back until more bytes or `flush()`.
"""

from __future__ import annotations

import io
from collections import deque
from collections.abc import Callable

from tracerun.plain import replace
from tracerun.query import Query, Term
from tracerun.read.assemble import Assembler, Timeless, timeless_warning
from tracerun.read.cri import CriJoiner
from tracerun.read.endings import first_end_is_lone_cr, lone_cr_to_lf
from tracerun.read.match import Matcher
from tracerun.read.repeated import ArrivalPasses, HitPasses, passes_for
from tracerun.read.scan import (
    CHUNK,
    LONG_LINE_SKIPPED,
    MAX_RECORD,
    Hit,
    IsStart,
    Needles,
    ScanNotice,
    contains_uncased,
    scan,
)
from tracerun.read.target import Target
from tracerun.record import Record

HOLD_LINES = 200
"""How far back to look for the start of the last record before giving up holding."""
HOLD_BYTES = 1024 * 1024
"""Held bytes beyond this are released even without a following record start."""
HELD_TOO_LONG = (
    f"record longer than {HOLD_LINES} lines or {HOLD_BYTES // 2**20} MiB was still "
    "being written; it is printed from this line on, without its first lines "
    "(hint: a one-shot trace of the file frames it whole)"
)
"""The notice for a followed record framed without its start (never silent)."""
FEW_NEEDLES = 8
"""Up to this many needles, a chunk is first checked with `in` before scanning."""
RECENT_BYTES = 4 * 1024 * 1024
"""`-f --expand`: bytes kept after their scan, searched again when new ids come.

Why: an id is known only once the record carrying it is released (held until
the next record starts, or its writer goes quiet), and another origin's record
with only that id may have been scanned in the same poll or just before; its
bytes are still here then. The follow driver's reorder window keeps the order."""


class IncrementalReader:
    """Turns the bytes of one origin, fed in any pieces, into its matched records.

    Args:
        target: the origin with its parser and record-start rule.
        query: what to match.
        line: line number of the first byte fed (1 from a file's start).
        clock: when set, a record with no timestamp of its own takes `clock()`
            (µs) instead of sorting first: while following, the moment it was
            read is the best time there is.
        is_start: the record-start rule, when not the target's own.
        unstamp: splits a hit into a time given by the transport (the Docker
            engine's) and the bare hit, for origins whose lines carry one.
        matcher: the query's matcher, when many readers share one.
    """

    def __init__(
        self,
        target: Target,
        query: Query,
        line: int = 1,
        clock: Callable[[], int] | None = None,
        is_start: IsStart | None = None,
        unstamp: Callable[[Hit], tuple[int | None, Hit]] | None = None,
        matcher: Matcher | None = None,
    ) -> None:
        self.target = target
        self.line = line
        self.offset = 0
        """Stream offset of the first byte not yet scanned (a file's read position)."""
        self.clock = clock
        self._is_start = is_start or target.is_start
        self._unstamp = unstamp
        self._assembler = Assembler(target, matcher or Matcher(query))
        self._context = (query.before, query.after)
        self._needles = Needles.of(query.values, ignore_case=query.ignore_case)
        self._pending = bytearray()
        self._joiner = CriJoiner()
        """A CRI log's P..F pieces joined before the scan (read/cri.py)."""
        self._long: bool | None = None
        """Inside an over-long unfinished line (None: not; else: a needle seen in it).

        Why: a writer that never ends its line must not grow memory without bound,
        nor cost a search of the whole line at every poll; as `scan` does, such a
        line is skipped (a needle-sized tail kept) and told once when it ends."""
        self._cr: bool | None = None  # lines end with lone CRs (the first line tells)
        self._notices: list[ScanNotice] = []
        self._told_unparsed = False
        self._told: set[str] = set()
        self._grow = query.grow
        self._version = -1
        """The growth taken (-1: none yet; a reader made after ids were added,
        for a new file or container, takes them at its first scan)."""
        self._recent: deque[tuple[bytes, int, int, set[int]]] = deque()
        """(chunk, lines before it, its offset, offsets of the records it gave)."""
        self._recent_bytes = 0
        self._gave_up = False  # _last_start found no record start to hold from
        self._inside = False  # the last scan's cut fell inside a record
        if self._grow is not None:
            self._grow.join(self)

    @property
    def pending(self) -> int:
        """Bytes fed but not yet scanned: the held record plus an unfinished line."""
        return len(self._pending) + self._joiner.held

    @property
    def partial(self) -> int:
        """Bytes of the unfinished last line (after the last newline fed)."""
        if self._joiner.unfinished:  # the joiner holds what came after the last newline
            return self._joiner.unfinished
        return len(self._pending) - (self._pending.rfind(b"\n") + 1)

    def feed(self, data: bytes) -> list[Record]:
        """Add bytes; return the records that are now known to be complete."""
        data = self._joiner.feed(data)
        lo = max(0, len(self._pending) - 1)
        self._pending += data
        if self._cr is not False:
            self._lone_crs(lo)
        if self._long is not None and not self._skip_long_line():
            return []
        end = (
            self._pending.rfind(b"\n", lo) + 1 or self._pending.rfind(b"\n", 0, lo) + 1
        )
        if len(self._pending) - end > MAX_RECORD:
            records = self._scan(end)  # what came before the over-long line is complete
            self._long = False
            self._skip_long_line()
            return records
        if end == 0:
            return []
        cut = self._last_start(end)
        return self._scan(cut, inside=self._gave_up)

    def _skip_long_line(self) -> bool:
        """Drop what is pending of an over-long line; tell whether it ended.

        The line's bytes are searched as they are dropped (keeping a tail as long
        as the longest needle, so one cut in two is still seen); when its newline
        comes, a needle in it is told once, with its line number.
        """
        end = self._pending.find(b"\n") + 1
        body = bytes(self._pending[: end or len(self._pending)])
        self._long = self._long or self._has_needle(body)
        if end == 0:
            keep = (
                max(len(v) for v in self._needles.values) - 1
                if self._needles.values
                else 0
            )
            cut = max(0, len(self._pending) - keep)
            del self._pending[:cut]
            self.offset += cut
            return False
        if self._long:
            self._notices.append(ScanNotice(self.line, LONG_LINE_SKIPPED))
        del self._pending[:end]
        self.offset += end
        self.line += 1
        self._long = None
        return True

    def _has_needle(self, data: bytes) -> bool:
        """Tell whether any needle occurs in `data` (exact, whatever their number)."""
        values = self._needles.values
        if self._needles.ignore_case:  # as the scan's own search: under casefold
            return any(contains_uncased(data, value) for value in values)
        if len(values) <= FEW_NEEDLES:
            return any(value in data for value in values)
        from ahocorasick_rs import BytesAhoCorasick  # noqa: PLC0415 - only for an over-long line and many ids

        return bool(
            BytesAhoCorasick(list(self._needles.values)).find_matches_as_indexes(data)
        )

    def flush(self) -> list[Record]:
        """Release the held record (its writer went quiet); keep an unfinished line.

        A CR last, which may yet be followed by LF, ends a line once the writer
        went quiet (when lines end with lone CRs, or the first line is not done).
        """
        if not self._pending:
            return []  # the common case of a quiet poll: nothing held
        self._final_cr()
        return self._scan(self._pending.rfind(b"\n") + 1)

    def finish(self) -> list[Record]:
        """Scan everything left: the origin ended (file rotated away, container gone)."""
        self._pending += self._joiner.finish()
        self._final_cr()
        if self._long is not None:
            self._pending += b"\n"  # the over-long line ends with its origin
            self._skip_long_line()
        return self._scan(len(self._pending))

    def _final_cr(self) -> None:
        if self._cr is not False and self._pending.endswith(b"\r"):
            self._cr = True
            self._pending[-1] = 0x0A

    def _lone_crs(self, lo: int) -> None:
        """Read lone CRs as line ends when the first line ends with one (as `scan`)."""
        undecided = self._cr is None
        if undecided:
            self._cr = first_end_is_lone_cr(self._pending, lo, len(self._pending))
        if self._cr:
            lone_cr_to_lf(self._pending, 0 if undecided else lo, len(self._pending))

    def release_pieces(self) -> list[Record]:
        """Scan a CRI log's open pieces as they stand: the file was truncated under them."""
        data = self._joiner.finish()
        self._joiner = CriJoiner()  # the new content is sniffed again
        return self.feed(data) if data else []

    def drop_partial(self) -> None:
        """Forget an unfinished last line (its file was truncated under it)."""
        del self._pending[self._pending.rfind(b"\n") + 1 :]
        self._long = None

    def warnings(self) -> list[str]:
        """Warnings gathered since the last call (each kind of parse failure once).

        A failing expression is told once per reader, as a OnceWarning that the
        printer shows once per run.
        """
        found = self._assembler.warnings[:]
        self._assembler.warnings.clear()
        if self._assembler.timeless.count:
            found.append(
                timeless_warning(self.target.origin.name, self._assembler.timeless)
            )
            self._assembler.timeless = Timeless()
        found += [
            f"{self.target.origin.name}:{n.line}: {n.message}" for n in self._notices
        ]
        self._notices.clear()
        tally = self._assembler.tally
        if tally.unparsed.count and not self._told_unparsed:
            self._told_unparsed = True
            found.append(
                f"{self.target.origin.name}:{tally.unparsed.line}: a line "
                f"contains a search value but does not parse with parser "
                f"'{self.target.parser.name}'; such lines are skipped"
            )
        if len(tally.failures) > len(self._told):
            for warning in tally.failure_warnings(self.target.origin.name):
                if warning.key not in self._told:
                    self._told.add(warning.key)
                    found.append(warning)
        return found

    def _last_start(self, end: int) -> int:
        """Offset where the last record in `pending[:end]` starts (0: all held)."""
        self._gave_up = True
        if end > HOLD_BYTES:
            return end
        pos = end - 1  # the newline ending the last complete line
        for _ in range(HOLD_LINES):
            start = self._pending.rfind(b"\n", 0, pos) + 1
            line = bytes(self._pending[start:pos]).removesuffix(b"\r")
            if self._is_start(line) or start == 0:
                self._gave_up = False
                return start
            pos = start - 1
        return end

    def _cut_inside(self, data: bytes) -> bool:
        """Tell whether a hit framed at a chunk's start continues an earlier record.

        A chunk begins inside a record when the record was longer than what
        `_last_start` holds (HOLD_LINES, HOLD_BYTES): its head was scanned with
        the chunk before, and the rest is framed from its first line here.
        """
        return not self._is_start(data.split(b"\n", 1)[0].removesuffix(b"\r"))

    def _may_hit(self, chunk: bytes) -> bool:
        """Tell whether a needle occurs at all (cheap for the few ids of a follow).

        Why: live chunks are small and come often; most hold no needle, and a
        whole scan per chunk costs far more than a few `in` tests.
        """
        if len(self._needles.values) > FEW_NEEDLES:
            return True
        return self._has_needle(chunk)

    def regrow(self, added: tuple[str, ...]) -> list[Record]:
        """Search the grown query from now on; return the recent records with `added`.

        A record already given (by its offset) is not given again.
        """
        self._take_growth()
        if not self._recent:
            return []
        if self._grow is None:  # only a growing reader is told
            return []
        query = replace(self._grow.query, terms=tuple(Term(None, v) for v in added))
        needles = Needles.of(added, ignore_case=query.ignore_case)
        assembler = Assembler(self.target, Matcher(query))
        found: list[Record] = []
        for chunk, base, base_offset, given in self._recent:
            for record in self._records(chunk, base, base_offset, needles, assembler):
                if record.offset not in given:
                    given.add(record.offset)
                    found.append(record)
        return found

    def _take_growth(self) -> None:
        """Switch to the grown needle set when the follow found new ids."""
        grow = self._grow
        if grow is None or grow.version == self._version:
            return
        self._version = grow.version
        query = grow.query
        self._needles = Needles.of(query.values, ignore_case=query.ignore_case)
        self._assembler.matcher = Matcher(query)

    def _scan(self, cut: int, *, inside: bool = False) -> list[Record]:
        """Scan `pending[:cut]`; `inside`: the cut falls inside a record."""
        if cut == 0:
            return []
        head_inside, self._inside = self._inside, inside
        self._take_growth()
        chunk = bytes(self._pending[:cut])
        del self._pending[:cut]
        base, base_offset = self.line - 1, self.offset
        self.line += chunk.count(b"\n") + (0 if chunk.endswith(b"\n") else 1)
        self.offset += cut
        if self._grow is not None:
            self._keep_recent(chunk, base, base_offset)
        if not self._may_hit(chunk):
            return []
        records = self._records(
            chunk, base, base_offset, self._needles, self._assembler, head_inside
        )
        if self._grow is not None:
            self._recent[-1][3].update(r.offset for r in records)
        return records

    def _keep_recent(self, chunk: bytes, base: int, base_offset: int) -> None:
        self._recent.append((chunk, base, base_offset, set()))
        self._recent_bytes += len(chunk)
        while self._recent_bytes > RECENT_BYTES and len(self._recent) > 1:
            self._recent_bytes -= len(self._recent.popleft()[0])

    def _place_repeated(self, assembler: Assembler) -> None:
        """Say how a repeated wall time is placed (read/repeated.py), as the clock allows.

        A line that arrives now is the occurrence nearest before now; what is
        read before following (history) is placed by the order of its hits; a
        line its transport stamped (a container's), by the stamp.
        """
        if self._unstamp is not None:  # the transport's time tells (Assembler)
            return
        if isinstance(assembler.passes, ArrivalPasses) or not passes_for(self.target):
            return
        if self.clock is not None:
            assembler.passes = ArrivalPasses(self.target, self.clock)
        elif assembler.passes is None:
            assembler.passes = HitPasses(self.target)

    def _records(
        self,
        chunk: bytes,
        base: int,
        base_offset: int,
        needles: Needles,
        assembler: Assembler,
        head_inside: bool = False,
    ) -> list[Record]:
        records: list[Record] = []
        self._place_repeated(assembler)
        stream = io.BytesIO(chunk)
        size = min(CHUNK, max(len(chunk), 4096))  # scan's buffer is allocated per call
        before, after = self._context
        notices: list[ScanNotice] = []
        found = scan(
            stream,
            needles,
            self._is_start,
            notices,
            size,
            before=before,
            after=after,
        )
        for hit in found:
            if hit.offset == 0 and head_inside and self._cut_inside(hit.data):
                notices.append(ScanNotice(hit.line, HELD_TOO_LONG))
            hit.line += base
            hit.offset += base_offset
            given = None
            if self._unstamp is not None:
                given, hit = self._unstamp(hit)
            if given is None and self.clock is not None:
                given = self.clock()
            records += assembler.records(hit, fallback_time=given)
        # the chunk's line numbers are its own: told as the stream's
        self._notices += [ScanNotice(n.line + base, n.message) for n in notices]
        return records
