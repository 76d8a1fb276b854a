"""Pieces: file targets + a query → read jobs (pieces) → one matched result per file.

A piece is a whole file or, for a large plain file, the records that start in a
byte range of it (cut at line starts, narrowed by the time window); pieces are
scanned independently (in parallel, by the runner) and joined back per file with
lines numbered from the file's start. Files are opened read-only; nothing is
ever written next to them.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from tracerun.errors import SourceFailure
from tracerun.plain import field, plain, replace
from tracerun.query import Query
from tracerun.read.assemble import Assembler, Timeless
from tracerun.read.cri import SNIFF, CriJoined, may_join, open_after
from tracerun.read.match import Matcher
from tracerun.read.numbers import forget_lines, names_a_line, number, pread_into
from tracerun.read.runs import Run, RunBuilder, keep_of
from tracerun.read.scan import (
    CHUNK,
    LOOKBACK,
    Needles,
    Readable,
    Scan,
    ScanNotice,
    warm,
)
from tracerun.read.tally import Tally, where
from tracerun.read.target import Target
from tracerun.read.utf16 import Transcoded
from tracerun.sources.base import OriginResult, ReadError
from tracerun.sources.file.open import (
    Decompressed,
    file_failure,
    is_compressed,
    open_log,
)
from tracerun.sources.file.passes import placing
from tracerun.sources.file.rotated import COPY_HINT, Watched, rotated_copy
from tracerun.sources.file.seek import (
    head_time,
    lines_before,
    rotation_skips,
    window_range,
)

RANGE_MIN = 64 * 1024 * 1024
"""A plain file is cut into byte ranges (for several processes) only above this size."""
SYNC_LIMIT = 1024 * 1024
PIECES_BACK = 256 * 1024
"""Bytes read before a cut in a pieced file to know which lines are open there."""
"""How far past a cut point a line start is looked for; none found: no cut there."""
READ_CHUNK = CHUNK
"""Block size of a file read (tests shrink it to put records across blocks)."""
SMALL_CHUNK = 256 * 1024
"""The least block size for a plain file smaller than READ_CHUNK.

Why: the block buffer is allocated (and zeroed) per piece; 1,000 files of 1 MB
each paid for an 8 MiB one (issue #18). A file that grows while read is read in
more blocks, which changes nothing but the speed."""


@plain(frozen=True, slots=True)
class Piece:
    """One unit of scanning work: the records of a file that start in [start, stop).

    `lines_before` is the number of lines before `start` that no piece reads
    (counted when time bisection skipped them), so that line numbers stay exact.
    `count_lines` False: no consumer shows record lines (`Query.lines`), so a
    plain file's hits are not numbered (records get line 0, "unknown") and the
    warnings' lines are counted after the read (read/numbers.py). `numbers_next`
    False: no later piece of the file is numbered from this one's end, so its
    lines are counted only up to its last hit (split_piece says so of a file's
    last piece).
    """

    target: Target
    start: int = 0
    stop: int | None = None
    count_lines: bool = True
    numbers_next: bool = field(default=True, compare=False)
    lines_before: int = 0
    uncounted: bool = False
    """The lines before `start` were not counted (`lines_before` is 0): a
    bisected file in an unnumbered read; join_pieces counts them when a
    warning names a line."""

    @property
    def size(self) -> int:
        """How many bytes the piece covers (for a file whose size is known)."""
        size = self.target.origin.size or 0
        return max(0, (size if self.stop is None else self.stop) - self.start)


@plain(slots=True)
class PieceResult:
    """What scanning one piece produced; line numbers relative to the piece's start."""

    runs: list[Run] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notices: list[ScanNotice] = field(default_factory=list)
    timeless: Timeless = field(default_factory=Timeless)
    tally: Tally = field(default_factory=Tally)
    lines: int = 0
    lines_before: int = 0
    """Lines of the file before the piece that no piece read (time bisection)."""
    uncounted_to: int = 0
    """When > 0: the lines before this offset are not in `lines_before` (see
    `Piece.uncounted`)."""
    failure: SourceFailure | None = None


def file_jobs(
    targets: Sequence[Target], query: Query, workers: int
) -> list[list[Piece]]:
    """Each file's pieces: its window's byte range, cut so that every worker gets work.

    A file wholly outside the window has no piece; so has a compressed rotation
    that ended before the window began (judged from its newer sibling's start).
    With context lines (`-A/-B/-C`) a file stays whole: a record's context can
    reach across a cut, and only one reader sees which neighbour prints a line.
    """
    skip: set[str] = set()
    if query.since is not None:
        heads = {t.origin.locator: head_time(t) for t in targets}
        skip = rotation_skips(list(targets), query.since, heads)
    windowed = [
        None if t.origin.locator in skip else window_piece(t, query) for t in targets
    ]
    if not query.lines:
        windowed = [p and replace(p, count_lines=False) for p in windowed]
    total = sum(p.size for p in windowed if p is not None)
    whole = workers < 2 or query.before > 0 or query.after > 0
    if not whole and query.values:
        matcher = Matcher(query)
        for needles in {_needles(p.target, query, matcher) for p in windowed if p}:
            warm(needles)  # before the pool forks: built once, not once a worker
    each = None if whole else max(1, -(-total // (2 * workers)))
    return [[] if p is None else split_piece(p, each) for p in windowed]


def window_piece(target: Target, query: Query) -> Piece | None:
    """Find the part of a file origin the query's time window needs (None: nothing).

    Without a window, or for a small, compressed or unordered file, that is the
    whole file; otherwise the byte range found by bisecting on time (`seek`).
    """
    size = target.origin.size or 0
    if (query.since is None and query.until is None) or size == 0:
        return Piece(target)
    try:
        found = window_range(target, query.since, query.until, size)
    except OSError:
        return Piece(target)  # the read reports the problem
    if found is None:
        return None
    start, stop = found
    if start == 0:
        return Piece(target, start, stop)
    if not query.lines:  # counted only if a warning names a line (join_pieces)
        return Piece(target, start, stop, count_lines=False, uncounted=True)
    try:
        skipped = lines_before(Path(target.origin.locator), start)
    except OSError:
        return Piece(target)  # the read reports the problem
    if skipped < 0:
        return Piece(target)  # it shrank since it was bisected: read it all
    return Piece(target, start, stop, lines_before=skipped)


def split_piece(piece: Piece, size: int | None) -> list[Piece]:
    """Cut a plain file's piece into ranges of about `size` bytes (at line starts).

    Pieces under RANGE_MIN, compressed files, and `size` None stay whole.
    """
    target = piece.target
    end = (target.origin.size or 0) if piece.stop is None else piece.stop
    each = None if size is None else max(size, RANGE_MIN)
    if (
        each is None
        or end - piece.start <= each
        or is_compressed(Path(target.origin.locator))
    ):
        return [replace(piece, numbers_next=False)]
    cuts = _range_cuts(target, piece.start, end, each)
    starts: list[int] = [piece.start, *cuts]
    stops: list[int | None] = [*cuts, piece.stop]
    last = len(starts) - 1
    return [
        Piece(
            target,
            a,
            b,
            piece.count_lines,
            numbers_next=i < last,
            lines_before=piece.lines_before if i == 0 else 0,
            uncounted=piece.uncounted and i == 0,
        )
        for i, (a, b) in enumerate(zip(starts, stops, strict=True))
    ]


def _range_cuts(target: Target, start: int, end: int, each: int) -> list[int]:
    """Find starts of records with a time near every `each` bytes from start to end.

    Why records with a time: a record without one takes the time of those before
    it (read/assemble.py), and that must not depend on where a piece begins.
    """
    parts = min(-(-(end - start) // each), 256)
    cuts: list[int] = []
    with Path(target.origin.locator).open("rb") as raw:
        pieced = may_join(os.pread(raw.fileno(), SNIFF, 0))
        for i in range(1, parts):
            at = start + (end - start) * i // parts
            cut = timed_record_start(raw, at, target, pieced=pieced)
            if cut is not None and (cuts[-1] if cuts else start) < cut < end:
                cuts.append(cut)
    return cuts


def timed_record_start(
    raw: BinaryIO, offset: int, target: Target, *, pieced: bool = False
) -> int | None:
    """Find the first record start with a readable time at or after `offset`.

    Looked for in the SYNC_LIMIT bytes from `offset`; None when none is there.
    `pieced`: the file's writer cuts long lines in pieces (CRI, docker
    json-file: read/cri.py); a start inside such a line is none, or each side
    of the cut would get half of the line.
    """
    first = line_start(raw, offset)
    if first is None:
        return None
    back = max(0, first - PIECES_BACK) if pieced else first
    raw.seek(back)
    data = raw.read(first - back + SYNC_LIMIT)
    # A plain file's lines are looked at one by one up to the first timed start
    # (most often the first line); a pieced file's all, to know what is open.
    lines: Iterable[bytes] = data.split(b"\n")[:-1] if pieced else _lines_of(data)
    still_open = open_after(list(lines)) if pieced else None
    pos = 0
    for index, line in enumerate(lines):
        at, pos = pos, pos + len(line) + 1
        if back + at < first or (still_open and index and still_open[index - 1]):
            continue
        line = line.removesuffix(b"\r")
        if target.is_start(line):
            parsed = target.parser.parse(line.decode("utf-8", "replace"), target.tz)
            if parsed is not None and parsed.time is not None:
                return back + at
    return None


def _lines_of(data: bytes) -> Iterator[bytes]:
    """Yield the lines of `data` that end in a newline, without splitting it all."""
    pos = 0
    while (end := data.find(b"\n", pos)) != -1:
        yield data[pos:end]
        pos = end + 1


def _written(path: Path) -> int | None:
    """When a regular file was last written (µs): the day a time of day alone falls on.

    None for a FIFO or a device (`/dev/stdin`): its mtime is no bound on the
    times its writer is still sending.
    """
    found = path.stat()
    return found.st_mtime_ns // 1000 if stat.S_ISREG(found.st_mode) else None


def line_start(raw: BinaryIO, offset: int) -> int | None:
    """Find the first line start at or after `offset` (None: none is near)."""
    if offset == 0:
        return 0
    raw.seek(offset - 1)
    data = raw.read(SYNC_LIMIT)
    newline = data.find(b"\n")
    return None if newline == -1 else offset + newline


def read_piece(
    piece: Piece, query: Query, copy: Path | None = None, after: int = -1
) -> PieceResult:
    """Scan one piece of a file; any I/O problem becomes a warning or failure.

    A plain file truncated under the read is read on from its rotated copy
    (rotated.py), when there is one.

    Args:
        piece: what to read.
        query: what to match.
        copy: read this file instead (a rotated copy of the piece's file).
        after: skip the records that start at or before this offset (read already).
    """
    target = piece.target
    origin = target.origin
    result = PieceResult(lines_before=piece.lines_before)
    result.uncounted_to = piece.start if piece.uncounted else 0
    matcher = Matcher(query)
    assembler = Assembler(target, matcher)
    kept = RunBuilder(keep_of(query.limit, query.max_records))
    needles = _needles(target, query, matcher)
    base = max(0, piece.start - LOOKBACK)
    watched: Watched | None = None
    last = after
    try:
        path = copy or Path(origin.locator)
        assembler.written = _written(path)
        with open_log(path, strict=False) as opened, placing(assembler, opened, path):
            stream: Readable = opened
            unpacked = opened if isinstance(opened, Decompressed | Transcoded) else None
            plain = unpacked is None
            if not isinstance(opened, Decompressed | Transcoded):
                if base:
                    opened.seek(base)  # plain files only are cut into ranges
                if stat.S_ISREG(os.fstat(opened.fileno()).st_mode):  # not a FIFO
                    stream = watched = Watched(opened, base)
                    if may_join(os.pread(watched.fd, SNIFF, base)):
                        stream = CriJoined(watched)  # pieces joined (read/cri.py)
            else:
                stream = CriJoined(
                    opened
                )  # a rotated .gz or UTF-16: passes through when not CRI
            # Only a plain file can be read again for the warnings' lines; a
            # decompressed or piped stream numbers its hits as it goes.
            numbered = piece.count_lines or watched is None
            scan = Scan(
                stream,
                needles,
                target.is_start,
                result.notices,
                _chunk(piece, base) if plain else READ_CHUNK,
                base=base,
                start=piece.start,
                stop=piece.stop,
                count_lines=numbered,
                count_to_end=piece.numbers_next,
                before=query.before,
                after=query.after,
            )
            matched = False
            for hit in scan:
                if hit.offset <= after:
                    continue
                last = hit.offset
                for record in assembler.records(hit):
                    kept.add(record)
                    matched = True
            result.lines = scan.lines
            assembler.tally.unkeyed.add(scan.unkeyed)
            if watched is not None and not numbered:
                _number_notes(
                    piece.start, assembler, result, watched, scan.cr_lines, matched
                )
            if unpacked is not None and unpacked.damage is not None:
                result.failure = file_failure(origin, unpacked.damage)
    except FileNotFoundError:
        result.warnings.append(f"{origin.name}: file vanished before it could be read")
    except (OSError, EOFError, ReadError) as exc:
        result.failure = file_failure(origin, exc)
    run = kept.finish()
    result.runs = [] if run is None else [run]
    result.timeless = assembler.timeless
    result.tally = assembler.tally
    result.warnings += assembler.warnings
    if watched is not None and copy is None:
        _changed_under_read(piece, query, watched, last, result)
    return result


def _needles(target: Target, query: Query, matcher: Matcher) -> Needles:
    return Needles.of(
        query.values,
        ignore_case=query.ignore_case,
        whole=target.parser.whole_values,
        keyed=target.parser.keyed_values(matcher.keys),
    )


def _number_notes(
    start: int,
    assembler: Assembler,
    result: PieceResult,
    watched: Watched,
    cr: bool,
    matched: bool,
) -> None:
    """Count the lines an unnumbered read's warnings name (read/numbers.py).

    `matched`: the read gave records, so the trace matched and the first hit
    that was message text only is never named (it is not counted).

    From the file itself, read again up to the last of them. A file that
    changed under the read, or since, gets none (0, unknown): its bytes may
    no longer be the ones the warnings are about.
    """
    read = pread_into(watched.fd)

    def read_into(view: memoryview, at: int) -> int:
        return 0 if watched.change else read(view, at)

    number(
        read_into,
        start,
        tally=assembler.tally,
        timeless=assembler.timeless,
        notices=result.notices,
        cr=cr,
        unchanged=watched.unchanged,
        unkeyed=not matched,
    )


def _chunk(piece: Piece, base: int) -> int:
    """Size the blocks of a plain file's piece: READ_CHUNK, or what the piece needs."""
    size = piece.target.origin.size
    if size is None:
        return READ_CHUNK
    end = size if piece.stop is None else piece.stop
    return min(READ_CHUNK, max(SMALL_CHUNK, end - base + 1))


def _changed_under_read(
    piece: Piece, query: Query, watched: Watched, last: int, result: PieceResult
) -> None:
    """Say what happened to a file read while it changed; read the rest from its copy."""
    origin = piece.target.origin
    path = Path(origin.locator)
    if watched.change is None:
        fate = watched.fate(path)
        if fate is not None:
            result.warnings.append(f"{origin.name}: {fate}")
        return
    what = f"{watched.change} while it was read, after {watched.position:,} bytes"
    copy = rotated_copy(path, watched.head, watched.identity)
    if copy is None:
        reason = f"{what}; the records after that were not read"
        result.failure = SourceFailure(origin.source, origin.name, reason, COPY_HINT)
        return
    rest = read_piece(piece, query, copy, last)
    result.runs += rest.runs
    result.lines = rest.lines
    result.notices += rest.notices
    result.timeless.extend(rest.timeless)
    result.tally.add(rest.tally)
    result.failure = result.failure or rest.failure
    result.warnings += [
        *rest.warnings,
        f"{origin.name}: {what}; the rest was read from its rotated copy {copy}",
    ]


def _count_prefix(target: Target, results: list[PieceResult]) -> None:
    """Count the lines a bisection skipped, if a warning of the file names a line.

    An unnumbered read (`Query.lines` False) leaves them uncounted: its
    records carry no line. A file that no longer reaches that far gets no
    line numbers at all (0, unknown) rather than ones counted from elsewhere.
    """
    for part in results:
        if not part.uncounted_to:
            continue
        offset, part.uncounted_to = part.uncounted_to, 0
        notes = [(r.tally, r.timeless, r.notices) for r in results]
        if not any(names_a_line(*note) for note in notes):
            return
        try:
            part.lines_before = lines_before(Path(target.origin.locator), offset)
        except OSError:
            part.lines_before = -1
        if part.lines_before < 0:
            for note in notes:
                forget_lines(*note)
            part.lines_before = 0
        return


def join_pieces(target: Target, results: list[PieceResult]) -> OriginResult:
    """Merge a file's piece results, numbering lines from the file's start.

    Warnings come out as a whole-file read gives them: I/O problems, then
    expressions that failed; what the record size cap left out is listed in
    `capped`; the tally (with the count of unparsable hit lines) is joined too,
    and the records without a time are counted for the runner, which
    summarises them over every origin.
    """
    name = target.origin.name
    joined = OriginResult()
    timeless = Timeless()
    _count_prefix(target, results)
    base = 0
    for part in results:
        base += part.lines_before
        for run in part.runs:
            run.line_base = base
            joined.runs.append(run)
        joined.warnings.extend(part.warnings)
        joined.capped += [
            f"{where(name, n.line and n.line + base)}: {n.message}"
            for n in part.notices
        ]
        timeless.extend(part.timeless, base)
        joined.tally.add(part.tally, base)
        joined.failure = joined.failure or part.failure
        base += part.lines
    joined.timeless = timeless
    joined.warnings += joined.tally.failure_warnings(name)
    return joined
