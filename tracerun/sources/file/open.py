"""Open: a log file's path → its bytes, decompressed when it is an archive, as UTF-8.

The one owner of "is this file compressed" (by its first bytes, or for a file
that appears while following, by its name), of opening UTF-16 text as UTF-8
(read/utf16.py tells it) and of how a file failure is worded. Files are opened
read-only; nothing is ever written next to them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, Literal, cast

from tracerun.errors import SourceFailure
from tracerun.origin import Origin
from tracerun.read.utf16 import UTF16_PROBE, Transcoded, utf16
from tracerun.sources.base import ReadError

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
MAGIC_BYTES = 4
"""How many first bytes tell the compression."""
ARCHIVE_SUFFIXES = (".gz", ".zst", ".bz2", ".xz", ".lz4", ".zip")
PERMISSION_HINT = "check that your user may read the file (ls -l), or run with access"
DIRECTORY_HINT = (
    "check its permissions (ls -ld {}); run with sudo, or as a member of the group "
    "that owns it (e.g. adm for /var/log)"
)
ZSTD_HINT = "pip install 'tracerun[zstd]'"

Compression = Literal["gzip", "zstd"]
FOREIGN = (
    (b"BZh", "bzip2", "bzip2 -dc"),
    (b"\xfd7zX", "xz", "xz -dc"),
    (b"\x04\x22\x4d\x18", "lz4", "lz4 -dc"),
    (b"PK\x03\x04", "zip", "unzip -p"),
)
"""Archives tracerun does not decompress, by their first bytes: (magic, name, tool)."""


class DecoderMissingError(ReadError):
    """A compressed log whose decompressor is an optional, absent package."""


class ForeignArchiveError(ReadError):
    """A bzip2, xz, lz4 or zip archive: its bytes would be searched as text, in vain.

    Why an error and not an empty read: each of its records would be lost
    without a word (a `.log` that logrotate's `compresscmd xz` wrote, say).
    """

    @classmethod
    def of(cls, name: str, tool: str) -> ForeignArchiveError:
        """Say what the file is and how to read it."""
        reason = f"{name}-compressed file: tracerun reads gzip and zstd archives only"
        hint = f"decompress it and trace the copy: {tool} FILE > FILE.txt"
        return cls(reason, hint)


class DamagedArchiveError(ReadError):
    """A compressed log that ends early or holds bytes that do not decompress."""


RAW_BLOCK = 1024 * 1024
"""Compressed bytes fed to the decompressor at a time."""
FINE_STEPS = (4096, 1)
"""Compressed bytes fed at a time when a damaged archive is decoded again: first
over the block that failed, then over the step that failed, so that what is lost
with the damage is what one compressed byte held."""
ARCHIVE_HINTS = {
    "gzip": "records before the damage were kept; check the archive with gzip -t",
    "zstd": "records before the damage were kept; check the archive with zstd -t",
}
ARCHIVE_HINT = ARCHIVE_HINTS["gzip"]


def compression(magic: bytes) -> Compression | None:
    """Tell the compression from a file's first bytes (None: plain)."""
    if magic.startswith(GZIP_MAGIC):
        return "gzip"
    if magic.startswith(ZSTD_MAGIC):
        return "zstd"
    return None


def foreign(magic: bytes) -> tuple[str, str] | None:
    """Tell an archive that is not read (bzip2, xz, lz4, zip): its name and its tool."""
    for start, name, tool in FOREIGN:
        if magic.startswith(start) and (name != "bzip2" or magic[3:4].isdigit()):
            return name, tool
    return None


def is_transformed(head: bytes) -> bool:
    """Tell from its first bytes (UTF16_PROBE) whether a file's bytes are not its text's.

    Compressed (or an archive that is not read), or UTF-16 text.
    """
    return (
        compression(head) is not None
        or foreign(head) is not None
        or utf16(head) is not None
    )


def is_archive(name: str, magic: bytes) -> bool:
    """Tell a compressed log by its name or its first bytes (follow skips those)."""
    return (
        name.endswith(ARCHIVE_SUFFIXES)
        or compression(magic) is not None
        or foreign(magic) is not None
    )


def is_compressed(path: Path) -> bool:
    """Tell whether a file is compressed or UTF-16 text; an unreadable one counts too.

    Why: callers use this to decide whether a file may be seeked into (its
    bytes are the text's); one that cannot be opened is read whole, and that
    read reports the problem.
    """
    try:
        with path.open("rb") as raw:
            return is_transformed(raw.read(UTF16_PROBE))
    except OSError:
        return True


@contextmanager
def open_log(
    path: Path, *, strict: bool = True
) -> Iterator[BinaryIO | Decompressed | Transcoded]:
    """Open a log read-only, transparently decompressing gzip and zstd (by magic).

    UTF-16 text (by its BOM, in the file or its archive's first member) is read
    as UTF-8 (Transcoded). `strict` is the decompressor's: False for a reader
    that checks `damage` itself.

    Raises:
        ForeignArchiveError: a bzip2, xz, lz4 or zip archive, whatever its name.
    """
    with path.open("rb") as raw:
        head = raw.peek(UTF16_PROBE)[:UTF16_PROBE]  # peek: FIFOs too
        kind = compression(head)
        if kind is None and (other := foreign(head)) is not None:
            raise ForeignArchiveError.of(*other)
        if kind is None:
            encoding = utf16(head)
            yield raw if encoding is None else Transcoded(raw, encoding)
            return
        unpacked = Decompressed(raw, kind, strict=strict)
        encoding = utf16(unpacked.peek(UTF16_PROBE))
        yield unpacked if encoding is None else Transcoded(unpacked, encoding)


class Decompressed:
    """The bytes of a gzip or zstd file, decompressed as they are read.

    Why not `IGzipFile` or zstandard's stream reader: they decompress a whole
    read at once and raise, losing what decoded, when the archive is cut short
    (logrotate interrupted, a full disk) or damaged. Here the compressed bytes
    go in RAW_BLOCK at a time through a streaming decompressor (isal's raw
    `isal_zlib`, ~25 % faster than `IGzipFile` here), and when a block does not
    decompress, the archive is decoded again (seekable files) in FINE_STEP
    steps over that block, so everything before the damage is handed out.
    Concatenated members (`cat a.gz b.gz`) are read one after the other.

    Args:
        raw: the compressed file, positioned at its start.
        kind: its compression.
        strict: raise the damage (DamagedArchiveError) on the read after the last
            good bytes; otherwise that read returns b"" and `damage` tells.
    """

    def __init__(
        self,
        raw: BinaryIO,
        kind: Compression,
        *,
        strict: bool = True,
        fine: tuple[int, int] | None = None,
    ) -> None:
        self._raw = raw
        self._kind = kind
        self._strict = strict
        self._fine = fine  # a replay: (offset, step): input in steps from there
        self._errors: tuple[type[Exception], ...] = ()
        self._decoder: Any = self._new()
        self._input = b""
        self._block_start = 0
        self._failed_at: int | None = None  # where the input that did not decode began
        self._out = b""  # decoded bytes not handed out yet (beyond a read's size)
        self._done = False
        self._raised = False
        self.damage: DamagedArchiveError | None = None
        """Set once the archive turned out damaged or cut short."""
        self.consumed = 0
        """Compressed bytes read from the file so far."""
        self.produced = 0
        """Decompressed bytes handed out so far."""

    @property
    def cut(self) -> bool:
        """Tell whether the bytes end early (damage): their last line may be partial."""
        return self.damage is not None

    def peek(self, size: int) -> bytes:
        """Return the next `size` decompressed bytes without handing them out."""
        data = self._next(size)
        self._out = data + self._out
        self.produced -= len(data)
        return data

    def read(self, size: int = -1) -> bytes:
        """Return `size` decompressed bytes (all when negative); fewer only at the end.

        Raises:
            DamagedArchiveError: when strict, on the read after the last good bytes.
        """
        parts: list[bytes] = []
        want = RAW_BLOCK * 8 if size < 0 else size
        while want > 0 and (data := self._next(want)):
            parts.append(data)
            want -= 0 if size < 0 else len(data)
        if not parts and size:
            self._raise_damage()
        return b"".join(parts)

    def readinto(self, target: memoryview | bytearray) -> int:
        """Decompress into `target`; return the byte count (0 at the end)."""
        data = self._next(len(target))
        if not data:
            self._raise_damage()
        target[: len(data)] = data
        return len(data)

    def _next(self, size: int) -> bytes:
        """Hand out up to `size` decoded bytes; b"" at the end (or the damage)."""
        while not self._out:
            if self._done:
                return b""
            self._out = self._step(size)
        data = self._out[:size]
        self._out = self._out[size:] if len(self._out) > size else b""
        self.produced += len(data)
        return data

    def _raise_damage(self) -> None:
        """At the end: raise the damage, once, when strict."""
        if self.damage is not None and self._strict and not self._raised:
            self._raised = True
            raise self.damage

    def _step(self, size: int) -> bytes:
        """Decompress what the next input gives (maybe nothing); note the end or damage."""
        if not self._input:
            self._block_start = self.consumed
            self._input = self._read_raw(self._feed())
            if not self._input:
                if self._decoder.eof:
                    self._done = True
                    return b""
                rest = self._flush()
                self._damaged(
                    "the archive ends before its compressed data does", len(rest)
                )
                return rest
        try:
            data = self._decompress(size)
        except self._errors as exc:
            self._failed_at = self._block_start
            kept = self._salvage()
            self._damaged(f"{exc}", len(kept))
            return kept
        if self._decoder.eof:
            self._after_member(len(data))
        return data

    def _after_member(self, pending: int) -> None:
        """Start the next member (frame) after one ended, or end at zero padding."""
        rest = self._leftover()
        while len(rest) < MAGIC_BYTES and (more := self._read_raw(RAW_BLOCK)):
            rest += more
        if compression(rest[:MAGIC_BYTES]) == self._kind:
            self._decoder, self._input = self._new(), rest
            return
        while rest and not rest.strip(b"\0"):
            rest = self._read_raw(RAW_BLOCK)
        self._input = b""
        if rest:
            self._damaged("bytes after the end of the compressed data", pending)
        else:
            self._done = True

    def _feed(self) -> int:
        """How many compressed bytes go in next: small steps near a known damage."""
        if self._fine is None:
            return RAW_BLOCK
        start, step = self._fine
        if self.consumed + RAW_BLOCK <= start:
            return RAW_BLOCK
        return start - self.consumed if self.consumed < start else step

    def _read_raw(self, size: int) -> bytes:
        data = self._raw.read(size)
        self.consumed += len(data)
        return data

    def _salvage(self) -> bytes:
        """Decode the archive again in ever smaller steps: what decodes before the damage.

        Only on the error path, and only what follows the bytes handed out so far
        is kept. An archive that cannot be read again (a pipe) loses what the
        failed block held.
        """
        if self._fine is not None:
            return b""  # a replay: its caller replays again
        kept = b""
        start: int | None = self._block_start
        for step in FINE_STEPS:
            if start is None:
                break  # the last replay ended without an error
            try:
                self._raw.seek(0)
            except (OSError, ValueError):
                break
            again = Decompressed(
                self._raw, self._kind, strict=False, fine=(start, step)
            )
            kept = _skip(again, self.produced)
            start = again._failed_at
        return kept

    def _damaged(self, why: str, pending: int = 0) -> None:
        """Note the damage; `pending`: decoded bytes still to be handed out before it."""
        reason = (
            f"compressed data is damaged or truncated after "
            f"{self.produced + pending:,} decompressed bytes ({why})"
        )
        self.damage = DamagedArchiveError(reason, ARCHIVE_HINTS[self._kind])
        self._input = b""
        self._done = True

    def _new(self) -> Any:
        if self._kind == "gzip":
            from isal import isal_zlib  # noqa: PLC0415 - start-up: only when a gzip file is read

            self._errors = (cast(type[Exception], isal_zlib.error),)
            return isal_zlib.decompressobj(wbits=31)
        try:
            import zstandard  # noqa: PLC0415 - start-up: only when a zstd file is read
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

    def _flush(self) -> bytes:
        """Return what the decoder still holds when the input ends early (gzip only)."""
        if self._kind != "gzip":
            return b""
        try:
            rest: bytes = self._decoder.flush()
        except self._errors:
            return b""
        return rest

    def _leftover(self) -> bytes:
        rest: bytes = self._decoder.unused_data
        return rest + self._input if self._kind == "gzip" else rest


def _skip(stream: Decompressed, count: int) -> bytes:
    """Read a stream to its end; return what follows its first `count` bytes."""
    kept: list[bytes] = []
    while data := stream.read(RAW_BLOCK):
        if count < len(data):
            kept.append(data[count:])
        count = max(0, count - len(data))
    return b"".join(kept)


def denied_failure(source: str, folder: str) -> SourceFailure:
    """Word a directory that this user may not list or enter (its files are unknown)."""
    reason = "permission denied: cannot list or enter this directory"
    return SourceFailure(source, folder, reason, DIRECTORY_HINT.format(folder))


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
