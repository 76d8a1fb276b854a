"""File source: globs and directories → files (plain, `.gz`) → matched records.

Files are opened read-only; nothing is ever written next to them.
"""

from __future__ import annotations

import glob
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from tracerun.assemble import Assembler
from tracerun.config.model import FileSourceConfig
from tracerun.match import Matcher
from tracerun.plan import Origin, Scanner
from tracerun.query import Query
from tracerun.scan import Needles, ScanNotice, scan
from tracerun.sources.base import Discovery, OriginResult, SourceFailure

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_GLOB_CHARS = frozenset("*?[")


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

    def read(self, scanner: Scanner, query: Query) -> OriginResult:
        """Scan one file and return its matching records."""
        return read_stream_file(scanner, query)


def read_stream_file(scanner: Scanner, query: Query) -> OriginResult:
    """Open, scan and assemble one file; any I/O problem becomes a warning or failure."""
    origin = scanner.origin
    result = OriginResult()
    assembler = Assembler(scanner, Matcher(query))
    notices: list[ScanNotice] = []
    needles = Needles.of(query.values, ignore_case=query.ignore_case)
    try:
        with open_log(Path(origin.locator)) as stream:
            for hit in scan(stream, needles, scanner.is_start, notices):
                record = assembler.record(hit)
                if record is not None:
                    result.records.append(record)
    except FileNotFoundError:
        result.warnings.append(f"{origin.name}: file vanished before it could be read")
    except DecoderMissingError as exc:
        result.failure = SourceFailure(
            origin.source, origin.name, str(exc), "pip install 'tracerun[zstd]'"
        )
    except (OSError, EOFError) as exc:
        result.failure = _failure(origin, exc)
    result.warnings.extend(f"{origin.name}:{n.line}: {n.message}" for n in notices)
    result.warnings.extend(assembler.finish())
    return result


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
