"""Open: a log file's path → its bytes, decompressed when it is an archive.

The one owner of "is this file compressed" (by its first bytes, or for a file
that appears while following, by its name) and of how a file failure is worded.
Files are opened read-only; nothing is ever written next to them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, Literal, cast

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


class DamagedArchiveError(ReadError):
    """A compressed log that ends early or holds bytes that do not decompress."""


RAW_BLOCK = 1024 * 1024
"""Compressed bytes fed to the decompressor at a time: what decoded before a
damaged spot is kept, at most this much input is lost with it."""
ARCHIVE_HINT = "records before the damage were kept; check the archive with gzip -t"


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
def open_log(path: Path) -> Iterator[BinaryIO | Decompressed]:
    """Open a log read-only, transparently decompressing gzip and zstd (by magic)."""
    with path.open("rb") as raw:
        kind = compression(raw.peek(MAGIC_BYTES)[:MAGIC_BYTES])  # peek: FIFOs too
        yield raw if kind is None else Decompressed(raw, kind)


class Decompressed:
    """The bytes of a gzip or zstd file, decompressed as they are read.

    Why not `IGzipFile` or zstandard's stream reader: they decompress a whole
    read at once and raise, losing what decoded, when the archive is cut short
    (logrotate interrupted, a full disk) or damaged. Here the compressed bytes
    go in RAW_BLOCK at a time through a streaming decompressor (isal's raw
    `isal_zlib`, ~25 % faster than `IGzipFile` here), so everything before the
    damage is handed out and the damage is raised once, with its offset.
    Concatenated members (`cat a.gz b.gz`) are read one after the other.
    """

    def __init__(self, raw: BinaryIO, kind: Compression) -> None:
        self._raw = raw
        self._kind = kind
        self._errors: tuple[type[Exception], ...] = ()
        self._decoder: Any = self._new()
        self._input = b""
        self._damage: DamagedArchiveError | None = None
        self._done = False
        self.consumed = 0
        """Compressed bytes read from the file so far."""
        self.produced = 0
        """Decompressed bytes handed out so far."""

    def read(self, size: int = -1) -> bytes:
        """Return up to `size` decompressed bytes (all when negative); b"" at the end.

        Raises:
            DamagedArchiveError: on the read after the last good bytes.
        """
        if size < 0:
            return b"".join(iter(lambda: self.read(RAW_BLOCK * 8), b""))
        while not self._done:
            if self._damage is not None:
                self._done = True
                raise self._damage
            data = self._step(size)
            if data:
                self.produced += len(data)
                return data
        return b""

    def readinto(self, target: memoryview | bytearray) -> int:
        """Decompress into `target`; return the byte count (0 at the end)."""
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    def _step(self, size: int) -> bytes:
        """Decompress what the next input gives (maybe nothing); note the end or damage."""
        if not self._input:
            self._input = self._raw.read(RAW_BLOCK)
            self.consumed += len(self._input)
            if not self._input:
                if not self._decoder_done():
                    self._damaged("the archive ends before its compressed data does")
                else:
                    self._done = True
                return b""
        try:
            data = self._decompress(size)
        except self._errors as exc:
            self._damaged(f"{exc}")
            return b""
        if self._decoder_done():
            rest = self._leftover()
            if compression(rest[:MAGIC_BYTES]) == self._kind:
                self._decoder, self._input = self._new(), rest  # the next member
            elif rest.strip(b"\0") or self._raw.read(1).strip(b"\0"):
                self._damaged("bytes after the end of the compressed data")
            else:
                self._done = not data
                self._input = b""
        return data

    def _damaged(self, why: str) -> None:
        reason = (
            f"compressed data is damaged or truncated after {self.produced:,} "
            f"decompressed bytes ({why})"
        )
        self._damage = DamagedArchiveError(reason, ARCHIVE_HINT)
        self._input = b""

    def _new(self) -> Any:
        if self._kind == "gzip":
            from isal import isal_zlib  # noqa: PLC0415 - start-up: only when a gzip file is read

            self._errors = (cast(type[Exception], isal_zlib.error),)
            return isal_zlib.decompressobj(wbits=31)
        try:
            import zstandard  # type: ignore[import-not-found]  # noqa: PLC0415
        except ImportError:
            msg = "zstd-compressed file, but the zstandard package is not installed"
            raise DecoderMissingError(msg, ZSTD_HINT) from None
        self._errors = (zstandard.ZstdError,)
        return zstandard.ZstdDecompressor().decompressobj()

    def _decompress(self, size: int) -> bytes:
        if self._kind == "gzip":
            data: bytes = self._decoder.decompress(self._input, size)
            self._input = self._decoder.unconsumed_tail
            return data
        data = self._decoder.decompress(self._input)
        self._input = b""
        return data

    def _decoder_done(self) -> bool:
        return bool(self._decoder.eof)

    def _leftover(self) -> bytes:
        rest: bytes = self._decoder.unused_data
        return rest + self._input if self._kind == "gzip" else rest


def file_failure(origin: Origin, exc: BaseException) -> SourceFailure:
    """Word a failure to read a file: what went wrong and what to do about it."""
    if isinstance(exc, PermissionError):
        reason, hint = "permission denied", PERMISSION_HINT
        return SourceFailure(origin.source, origin.name, reason, hint)
    if isinstance(exc, IsADirectoryError):
        return SourceFailure(origin.source, origin.name, "is a directory")
    if isinstance(exc, ReadError):
        return SourceFailure(origin.source, origin.name, exc.reason, exc.hint)
    if isinstance(exc, EOFError):
        reason = f"compressed data is damaged or truncated ({exc or 'unexpected end'})"
        return SourceFailure(origin.source, origin.name, reason, ARCHIVE_HINT)
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return SourceFailure(origin.source, origin.name, reason)
