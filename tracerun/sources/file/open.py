"""Open: a log file's path → its bytes, decompressed when it is an archive.

The one owner of "is this file compressed" (by its first bytes, or for a file
that appears while following, by its name) and of how a file failure is worded.
Files are opened read-only; nothing is ever written next to them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Literal

from tracerun.errors import SourceFailure
from tracerun.origin import Origin
from tracerun.sources.base import ReadError

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
MAGIC_BYTES = 4
"""How many first bytes tell the compression."""
ARCHIVE_SUFFIXES = (".gz", ".zst", ".bz2", ".xz", ".lz4", ".zip")
PERMISSION_HINT = "check that your user may read the file (ls -l), or run with access"
ZSTD_HINT = "pip install 'tracerun[zstd]'"

Compression = Literal["gzip", "zstd"]


class DecoderMissingError(ReadError):
    """A compressed log whose decompressor is an optional, absent package."""


def compression(magic: bytes) -> Compression | None:
    """Tell the compression from a file's first bytes (None: plain)."""
    if magic.startswith(GZIP_MAGIC):
        return "gzip"
    if magic.startswith(ZSTD_MAGIC):
        return "zstd"
    return None


def is_archive(name: str, magic: bytes) -> bool:
    """Tell a compressed log by its name or its first bytes (follow skips those)."""
    return name.endswith(ARCHIVE_SUFFIXES) or compression(magic) is not None


def is_compressed(path: Path) -> bool:
    """Tell whether a file is compressed; an unreadable one counts as compressed.

    Why: callers use this to decide whether a file may be seeked into; one
    that cannot be opened is read whole, and that read reports the problem.
    """
    try:
        with path.open("rb") as raw:
            return compression(raw.read(MAGIC_BYTES)) is not None
    except OSError:
        return True


@contextmanager
def open_log(path: Path) -> Iterator[BinaryIO]:
    """Open a log read-only, transparently decompressing gzip and zstd (by magic)."""
    with path.open("rb") as raw:
        kind = compression(raw.peek(MAGIC_BYTES)[:MAGIC_BYTES])  # peek: FIFOs too
        if kind == "gzip":
            from isal import igzip  # noqa: PLC0415 - start-up: only when a gzip file is read

            with igzip.IGzipFile(fileobj=raw, mode="rb") as unzipped:  # type: ignore[no-untyped-call]
                yield unzipped  # type: ignore[misc]
        elif kind == "zstd":
            yield _open_zstd(raw)
        else:
            yield raw


def _open_zstd(raw: BinaryIO) -> BinaryIO:
    try:
        import zstandard  # type: ignore[import-not-found]  # noqa: PLC0415
    except ImportError:
        msg = "zstd-compressed file, but the zstandard package is not installed"
        raise DecoderMissingError(msg, ZSTD_HINT) from None
    reader: BinaryIO = zstandard.ZstdDecompressor().stream_reader(raw)
    return reader


def file_failure(origin: Origin, exc: BaseException) -> SourceFailure:
    """Word a failure to read a file: what went wrong and what to do about it."""
    if isinstance(exc, DecoderMissingError):
        return SourceFailure(origin.source, origin.name, str(exc), ZSTD_HINT)
    if isinstance(exc, PermissionError):
        reason, hint = "permission denied", PERMISSION_HINT
        return SourceFailure(origin.source, origin.name, reason, hint)
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
