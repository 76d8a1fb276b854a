"""Tracked: one followed file → its descriptor (or none, while idle), offset, first bytes.

The per-file state of a tail (tail.py) and what reading one file needs: where
to start (its end, or a copy's offset), whether it was truncated and written
again, which of a source's files are compressed archives.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path

from tracerun.plain import plain
from tracerun.read.incremental import IncrementalReader
from tracerun.read.scan import CHUNK
from tracerun.read.target import Target
from tracerun.sources.feed import Backoff
from tracerun.sources.file.globs import Key
from tracerun.sources.file.open import MAGIC_BYTES, is_archive

HEAD = 256
"""Bytes at the start of a file that identify its content (truncation, copies)."""


@plain(frozen=True, slots=True)
class Memo:
    """A truncated file's old first bytes and how far it had been read."""

    head: bytes
    offset: int
    line: int
    at: float


@plain(slots=True)
class Tracked:
    """One followed file: descriptor (None: closed while idle), offset, first bytes."""

    key: Key
    path: str
    fd: int | None
    stream: IncrementalReader
    offset: int = 0
    head: bytes = b""
    retry: Backoff | None = None
    active: float = 0.0
    """When bytes last came (or it was opened)."""
    seen: tuple[int, int] = (0, 0)
    """(size, mtime) when it was closed: a change means bytes to read."""
    next_look: float = 0.0
    decoder: codecs.IncrementalDecoder | None = None
    """UTF-16 text (BOM at the file's start) is fed on as UTF-8 through this."""


def same_start(known: bytes, new: bytes) -> bool:
    """Tell whether a new file begins as a known one did: a copy of it.

    `known` is the known file's first bytes (up to HEAD); the new file must
    begin with all of them, and they must hold at least one whole line.
    """
    return b"\n" in known and new.startswith(known)


def first_line(head: bytes) -> bytes:
    """Return the first line of a file's first bytes (b"" while it has none)."""
    end = head.find(b"\n")
    return b"" if end == -1 else head[: end + 1]


def head_of(path: str) -> bytes:
    """Read a file's first bytes (b"" when it cannot be read)."""
    try:
        with Path(path).open("rb") as file:
            return file.read(HEAD)
    except OSError:
        return b""


def rewritten(tail: Tracked, size: int) -> bool:
    """Grown, but no longer beginning as it did: truncated and written again."""
    if size == tail.offset or not tail.head or tail.fd is None:
        return False
    return os.pread(tail.fd, len(tail.head), 0) != tail.head


def skip_to_end(tail: Tracked) -> None:
    """Start at the end of the file's last complete line, counting lines on the way."""
    assert tail.fd is not None  # just opened
    size = os.fstat(tail.fd).st_size
    lines, last_newline, pos = 0, 0, 0
    while pos < size:
        data = os.pread(tail.fd, min(CHUNK, size - pos), pos)
        if not data:
            break
        lines += data.count(b"\n")
        at = data.rfind(b"\n")
        if at != -1:
            last_newline = pos + at + 1
        pos += len(data)
    seek_to(tail, last_newline, lines + 1)


def seek_to(tail: Tracked, offset: int, line: int) -> None:
    """Start reading a file at `offset`, which begins line `line`."""
    assert tail.fd is not None  # just opened
    if tail.decoder is not None and offset % 2:
        offset += 1  # UTF-16LE: a line starts after the NUL of "\n" (0A 00)
    tail.head = os.pread(tail.fd, min(HEAD, offset), 0)
    tail.offset, tail.stream.offset, tail.stream.line = offset, offset, line


def archives_of(targets: list[Target]) -> tuple[list[Target], set[Key]]:
    """Split off a file source's compressed files: read once for history, never tailed.

    Returns the targets of the compressed files and the keys of all of them.
    """
    archives: list[Target] = []
    keys: set[Key] = set()
    for target in targets:
        path = target.origin.locator
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            continue  # the tail reports it (and retries)
        try:
            if is_archive(path, os.pread(fd, MAGIC_BYTES, 0)):
                st = os.fstat(fd)
                archives.append(target)
                keys.add((st.st_dev, st.st_ino))
        finally:
            os.close(fd)
    return archives, keys
