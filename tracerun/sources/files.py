"""File source: globs and directories → files (plain, `.gz`) → pieces → matched records.

A piece is a whole file or, for a large plain file, the records that start in a
byte range of it (cut at line starts, narrowed by the time window); pieces are
scanned independently (in parallel, by the runner) and joined back per file with
lines numbered from the file's start. Files are opened read-only; nothing is
ever written next to them.
"""

from __future__ import annotations

import glob
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from tracerun.config.spec import FileSourceConfig
from tracerun.errors import SourceFailure
from tracerun.origin import Origin
from tracerun.query import Query
from tracerun.read.assemble import Assembler, timeless_warning, unparsed_warning, where
from tracerun.read.match import Matcher
from tracerun.read.scan import CHUNK, LOOKBACK, Needles, Scan, ScanNotice
from tracerun.read.target import Target
from tracerun.record import Record
from tracerun.seek import window_range
from tracerun.sources.base import Discovery, OriginResult

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_GLOB_CHARS = frozenset("*?[")
RANGE_MIN = 64 * 1024 * 1024
"""A plain file is cut into byte ranges (for several processes) only above this size."""
SYNC_LIMIT = 1024 * 1024
"""How far past a cut point a line start is looked for; none found: no cut there."""
READ_CHUNK = CHUNK
"""Block size of a file read (tests shrink it to put records across blocks)."""


class DecoderMissingError(Exception):
    """A compressed log whose decompressor is an optional, absent package."""


def expand_paths(patterns: list[str]) -> tuple[list[Path], list[str]]:
    """Expand globs (`**` recursive) and directories (every `*.log*` below them).

    Returns:
        the matching regular files, sorted and without duplicates, and the
        patterns that matched no file.
    """
    found: dict[Path, Path] = {}
    empty: list[str] = []
    for pattern in patterns:
        matches = _expand_one(str(Path(pattern).expanduser()))
        if not matches:
            empty.append(pattern)
        for path in matches:
            found.setdefault(path.absolute(), path)
    return sorted(found.values()), empty


def _expand_one(pattern: str) -> list[Path]:
    if Path(pattern).is_dir():
        pattern = str(Path(pattern) / "**" / "*.log*")
    if _GLOB_CHARS.isdisjoint(pattern):
        return [Path(pattern)] if Path(pattern).is_file() else []
    # glob.glob, not Path.glob: patterns may be absolute and may use `**`.
    matches = glob.glob(pattern, recursive=True)  # noqa: PTH207
    return [Path(p) for p in matches if Path(p).is_file()]


class FileSource:
    """Reads log files, rotated siblings and gzip archives."""

    def discover(self, name: str, index: int, config: FileSourceConfig) -> Discovery:
        """List the files of a file source with their sizes."""
        files, empty = expand_paths(config.paths)
        found = Discovery()
        for pattern in empty:
            found.warnings.append(f"source {name}: {pattern} matches no file")
        for path in files:
            try:
                size = path.stat().st_size
            except OSError:
                size = None
            found.origins.append(
                Origin(name, index, "file", str(path), str(path), size=size)
            )
        return found

    def read(self, target: Target, query: Query) -> OriginResult:
        """Scan one file and return its matching records."""
        return read_stream_file(target, query)


def read_stream_file(target: Target, query: Query) -> OriginResult:
    """Open, scan and assemble one file; any I/O problem becomes a warning or failure."""
    return join_pieces(target, [read_piece(Piece(target), query)])


@dataclass(frozen=True, slots=True)
class Piece:
    """One unit of scanning work: the records of a file that start in [start, stop).

    `count_lines` is False when the piece begins after lines that were never read
    (time bisection): its records then have line 0, "unknown".
    """

    target: Target
    start: int = 0
    stop: int | None = None
    count_lines: bool = True


@dataclass(slots=True)
class PieceResult:
    """What scanning one piece produced; line numbers relative to the piece's start."""

    records: list[Record] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notices: list[ScanNotice] = field(default_factory=list)
    timeless: list[int] = field(default_factory=list)
    unparsed: int = 0
    first_unparsed: int = 0
    lines: int = 0
    failure: SourceFailure | None = None


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
    return Piece(target, start, stop, count_lines=start == 0)


def split_piece(piece: Piece, size: int | None) -> list[Piece]:
    """Cut a plain file's piece into ranges of about `size` bytes (at line starts).

    Pieces under RANGE_MIN, compressed files, and `size` None stay whole.
    """
    target = piece.target
    end = (target.origin.size or 0) if piece.stop is None else piece.stop
    each = None if size is None else max(size, RANGE_MIN)
    if each is None or end - piece.start <= each or _compressed(target):
        return [piece]
    cuts = _range_cuts(Path(target.origin.locator), piece.start, end, each)
    starts: list[int] = [piece.start, *cuts]
    stops: list[int | None] = [*cuts, piece.stop]
    return [
        Piece(target, a, b, piece.count_lines)
        for a, b in zip(starts, stops, strict=True)
    ]


def piece_bytes(piece: Piece) -> int:
    """How many bytes a piece covers (for a file whose size is known)."""
    size = piece.target.origin.size or 0
    return max(0, (size if piece.stop is None else piece.stop) - piece.start)


def _compressed(target: Target) -> bool:
    try:
        with Path(target.origin.locator).open("rb") as raw:
            return raw.read(4).startswith((GZIP_MAGIC, ZSTD_MAGIC))
    except OSError:
        return True  # one piece: the read reports the problem


def _range_cuts(path: Path, start: int, end: int, each: int) -> list[int]:
    """Line starts near every `each` bytes between start and end."""
    parts = min(-(-(end - start) // each), 256)
    cuts: list[int] = []
    with path.open("rb") as raw:
        for i in range(1, parts):
            cut = line_start(raw, start + (end - start) * i // parts)
            if cut is not None and (cuts[-1] if cuts else start) < cut < end:
                cuts.append(cut)
    return cuts


def line_start(raw: BinaryIO, offset: int) -> int | None:
    """Find the first line start at or after `offset` (None: none is near)."""
    if offset == 0:
        return 0
    raw.seek(offset - 1)
    data = raw.read(SYNC_LIMIT)
    newline = data.find(b"\n")
    return None if newline == -1 else offset + newline


def read_piece(piece: Piece, query: Query) -> PieceResult:
    """Scan one piece of a file; any I/O problem becomes a warning or failure."""
    target = piece.target
    origin = target.origin
    result = PieceResult()
    assembler = Assembler(target, Matcher(query))
    needles = Needles.of(query.values, ignore_case=query.ignore_case)
    base = max(0, piece.start - LOOKBACK)
    try:
        with open_log(Path(origin.locator)) as stream:
            if base:
                stream.seek(base)
            scan = Scan(
                stream,
                needles,
                target.is_start,
                result.notices,
                READ_CHUNK,
                base=base,
                start=piece.start,
                stop=piece.stop,
                count_lines=piece.count_lines,
            )
            for hit in scan:
                record = assembler.record(hit)
                if record is not None:
                    result.records.append(record)
            result.lines = scan.lines
    except FileNotFoundError:
        result.warnings.append(f"{origin.name}: file vanished before it could be read")
    except DecoderMissingError as exc:
        result.failure = SourceFailure(
            origin.source, origin.name, str(exc), "pip install 'tracerun[zstd]'"
        )
    except (OSError, EOFError) as exc:
        result.failure = _failure(origin, exc)
    result.timeless = assembler.timeless
    result.unparsed = assembler.unparsed
    result.first_unparsed = assembler.first_unparsed
    return result


def join_pieces(target: Target, results: list[PieceResult]) -> OriginResult:
    """Merge a file's piece results, numbering lines from the file's start.

    Warnings come out as a whole-file read gives them: I/O problems, skipped
    lines, records without a time, then the count of unparsable hit lines.
    """
    name = target.origin.name
    joined = OriginResult()
    notices: list[str] = []
    timeless: list[str] = []
    unparsed, first_unparsed, base = 0, 0, 0
    for part in results:
        for record in part.records:
            record.line += base if record.line else 0
        joined.records.extend(part.records)
        joined.warnings.extend(part.warnings)
        notices += [
            f"{where(name, n.line and n.line + base)}: {n.message}"
            for n in part.notices
        ]
        timeless += [timeless_warning(name, n and n + base) for n in part.timeless]
        if part.unparsed:
            first_unparsed = first_unparsed or (
                part.first_unparsed and part.first_unparsed + base
            )
            unparsed += part.unparsed
        joined.failure = joined.failure or part.failure
        base += part.lines
    joined.warnings += notices + timeless
    if unparsed:
        joined.warnings.append(unparsed_warning(target, first_unparsed, unparsed))
    return joined


def _failure(origin: Origin, exc: BaseException) -> SourceFailure:
    if isinstance(exc, PermissionError):
        return SourceFailure(
            origin.source,
            origin.name,
            "permission denied",
            "check that your user may read the file (ls -l), or run with access",
        )
    if isinstance(exc, IsADirectoryError):
        return SourceFailure(origin.source, origin.name, "is a directory")
    if isinstance(exc, EOFError) or "gzip" in str(exc).lower():
        reason = f"compressed data is damaged or truncated ({exc or 'unexpected end'})"
        return SourceFailure(
            origin.source,
            origin.name,
            reason,
            "records before the damage were kept; check the archive with gzip -t",
        )
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return SourceFailure(origin.source, origin.name, reason)


@contextmanager
def open_log(path: Path) -> Iterator[BinaryIO]:
    """Open a log read-only, transparently decompressing gzip (by magic bytes)."""
    with path.open("rb") as raw:
        magic = raw.peek(4)[:4]  # peek: works on pipes and FIFOs too
        if magic.startswith(GZIP_MAGIC):
            from isal import igzip  # noqa: PLC0415 - only when a gzip file is read

            with igzip.IGzipFile(fileobj=raw, mode="rb") as unzipped:  # type: ignore[no-untyped-call]
                yield unzipped  # type: ignore[misc]
        elif magic == ZSTD_MAGIC:
            yield _open_zstd(raw)
        else:
            yield raw


def _open_zstd(raw: BinaryIO) -> BinaryIO:
    try:
        import zstandard  # type: ignore[import-not-found]  # noqa: PLC0415
    except ImportError:
        msg = "zstd-compressed file, but the zstandard package is not installed"
        raise DecoderMissingError(msg) from None
    reader: BinaryIO = zstandard.ZstdDecompressor().stream_reader(raw)
    return reader
