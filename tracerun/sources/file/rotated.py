"""Rotated: a plain file that changes while a one-shot trace reads it → what happened.

A file is read through its descriptor, so one renamed away (logrotate's
default) or deleted is still read to its end: only a warning tells. A file
truncated under the read (`copytruncate` at the wrong moment) ends early, or
goes on with other bytes: `Watched` notices it between two blocks, ends the
stream there (marked cut, so that its partial last line is dropped), and
`rotated_copy` finds the copy the rotation made (`app.log.1`: the same first
bytes), from which the rest is read.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import BinaryIO, Literal, cast

from tracerun.sources.base import ReadError
from tracerun.sources.file.open import open_log
from tracerun.sources.file.paths import rotation_stem

HEAD = 4096
"""First bytes that identify a file's content (checked after every block)."""
COPY_HINT = (
    "it was rotated (copytruncate) while it was read; trace again, with its "
    "rotated copy among the paths"
)

Change = Literal["truncated", "rewritten"]


class Watched:
    """A plain file's stream that notices the file being truncated under the read.

    Why after every block: a file truncated and written again past the read
    position would hand out another file's bytes as if they went on; the
    check (one `pread` of its first bytes, one `fstat`) costs nothing next to
    the block.

    Args:
        raw: the open file, positioned at `position`.
        position: the file offset of the next byte read.
    """

    def __init__(self, raw: BinaryIO, position: int) -> None:
        self._raw = raw
        self._fd = self.fd = raw.fileno()
        """The file's descriptor (for `pread`, which leaves the read position)."""
        st = os.fstat(self._fd)
        self.identity = (st.st_dev, st.st_ino)
        self.head = os.pread(self._fd, HEAD, 0)
        self.position = position
        """File offset after the last byte handed out."""
        self.change: Change | None = None
        """What happened to the file under the read, if anything."""

    @property
    def cut(self) -> bool:
        """Tell whether the stream ended early: its last line may be partial."""
        return self.change is not None

    def read(self, size: int, /) -> bytes:
        """Return up to `size` bytes; b"" at the end or where the file changed."""
        data = b"" if self.change else self._raw.read(size)
        if not self._check(len(data)):
            return b""
        self.position += len(data)
        return data

    def readinto(self, target: memoryview) -> int:
        """Read into `target`; 0 at the end or where the file changed."""
        raw = cast("io.BufferedReader", self._raw)  # what open_log opens
        got = 0 if self.change else raw.readinto(target) or 0
        if not self._check(got):
            return 0
        self.position += got
        return got

    def _check(self, got: int) -> bool:
        """Tell whether bytes just read belong to the file the read began on."""
        if self.change:
            return False
        if os.fstat(self._fd).st_size < self.position + got:
            self.change = "truncated"
        elif self.head and os.pread(self._fd, len(self.head), 0) != self.head:
            self.change = "rewritten"
        return self.change is None

    def unchanged(self) -> bool:
        """Tell whether the file still holds the bytes read (not truncated, same head)."""
        return self._check(0)

    def fate(self, path: Path) -> str | None:
        """Say what became of the path while the file was read (None: still there)."""
        try:
            st = path.stat()
        except FileNotFoundError:
            return "deleted while it was read; it was read to its end, nothing was lost"
        except OSError:
            return None
        if (st.st_dev, st.st_ino) != self.identity:
            return (
                "replaced while it was read (renamed away, a new file in its "
                "place); the old file was read to its end, the new one was not read"
            )
        return None


def rotated_copy(path: Path, head: bytes, identity: tuple[int, int]) -> Path | None:
    """Find the copy a rotation made of a file: a sibling of its log that began alike.

    `app.log.1` is tried first, then the other names of the same log
    (`app.log.2`, `app.log-20261202`, compressed ones too).
    """
    stem = rotation_stem(path.name)
    try:
        with os.scandir(path.parent) as listing:
            names = [e.name for e in listing if rotation_stem(e.name) == stem]
    except OSError:
        return None
    names = sorted(
        (n for n in names if n != path.name), key=lambda n: (n != f"{stem}.1", n)
    )
    for name in names:
        candidate = path.parent / name
        if _begins_with(candidate, head, identity):
            return candidate
    return None


def _begins_with(path: Path, head: bytes, identity: tuple[int, int]) -> bool:
    try:
        st = path.stat()
        if (st.st_dev, st.st_ino) == identity:
            return False
        with open_log(path) as stream:
            return bool(head) and stream.read(len(head)) == head
    except (OSError, EOFError, ReadError):
        return False
