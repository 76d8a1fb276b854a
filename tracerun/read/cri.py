"""Cri: a container runtime's log file (containerd, CRI-O) → its partial lines joined.

The kubelet's log files (`/var/log/containers/*.log`, `/var/log/pods/…`) hold
`<time> stdout P <part>` … `<time> stdout F <last part>`: containerd cuts an
application line longer than 16 KiB into P pieces ended by an F one, per
stream. The joiner puts each line back together where its first piece was and
leaves the stream's length and line count as they were: every later piece
keeps only its prefix (`<time> stdout F `, no text), so line numbers and
offsets still name the file's, and the record's line is its first piece's.

Why before the scan: the needles are searched in the raw bytes, and an id may
straddle two pieces (`…abc` + `123…`); joined, it is found as in any line.
"""

from __future__ import annotations

import re
from collections import deque

from tracerun.read.scan import MAX_RECORD, Readable

SNIFF = 64 * 1024
"""Bytes whose lines tell whether a stream is a CRI log (a line starting as one)."""
_CRI_LINE = re.compile(
    rb"(?m)^\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d) (?:stdout|stderr) [FP] "
)
_PIECE = re.compile(rb"\S+ (stdout|stderr) ([FP]) ")
_PARTIAL = (b" stdout P ", b" stderr P ")


def is_cri(head: bytes) -> bool:
    """Tell whether `head` (a stream's first bytes) has a line of a CRI log."""
    return _CRI_LINE.search(head, 0, SNIFF) is not None


class CriJoiner:
    """Bytes of a stream in → the same bytes with each P..F line joined.

    A stream that is not a CRI log (its first lines tell) passes untouched; in
    one, lines are held only while a partial line of theirs or before them is
    open, and a line longer than MAX_RECORD is let go as it stands (the scan
    tells of it).
    """

    __slots__ = ("_cri", "_held", "_open", "_rest")

    def __init__(self) -> None:
        self._cri: bool | None = None
        self._rest = bytearray()
        """The unfinished last line (and, until the kind of stream is known, all)."""
        self._held: deque[bytearray] = deque()
        """Lines (no newline) waiting behind an open one, the open ones among them."""
        self._open: dict[bytes, bytearray] = {}
        """Stream name → its line being joined (an item of `_held`)."""

    @property
    def held(self) -> int:
        """Bytes taken but not yet given back (as many as they came in)."""
        return len(self._rest) + sum(len(line) + 1 for line in self._held)

    @property
    def unfinished(self) -> int:
        """Bytes held after the last newline taken (an unfinished line)."""
        return len(self._rest) - (self._rest.rfind(b"\n") + 1)

    def feed(self, data: bytes) -> bytes:
        """Take the next bytes; return the ones that are now final."""
        if self._cri is False:
            return data
        self._rest += data
        end = self._rest.rfind(b"\n") + 1
        if self._cri is None:
            if end == 0 and len(self._rest) < SNIFF:
                return b""
            self._cri = is_cri(bytes(self._rest[:end] or self._rest))
            if not self._cri:
                out = bytes(self._rest)
                self._rest.clear()
                return out
        lines = bytes(self._rest[:end])
        del self._rest[:end]
        if not self._held and not any(mark in lines for mark in _PARTIAL):
            return lines  # the common case: no piece open, none begun
        return self._join(lines)

    def finish(self) -> bytes:
        """Return everything left: the stream ended (an open line stays a P piece)."""
        self._open.clear()
        out = self._release()
        out += self._rest
        self._rest.clear()
        return bytes(out)

    def _join(self, lines: bytes) -> bytes:
        out = bytearray()
        for line in lines.split(b"\n")[:-1]:
            piece = _PIECE.match(line)
            if piece is None:
                self._add(line)
                continue
            stream, last = piece[1], piece[2] == b"F"
            joined = self._open.get(stream)
            if joined is None:
                if last:
                    self._add(line)
                else:
                    self._open[stream] = joined = bytearray(line)
                    self._held.append(joined)
                continue
            joined += line[piece.end() :]
            self._held.append(bytearray(line[: piece.end()]))
            if last or len(joined) > MAX_RECORD:
                del self._open[stream]
                if last:  # whole now: an F line as any other
                    joined[_letter(joined)] = ord("F")
        out += self._release()
        return bytes(out)

    def _add(self, line: bytes) -> None:
        self._held.append(bytearray(line))

    def _release(self) -> bytearray:
        """Take the held lines up to the first one still open."""
        out = bytearray()
        open_ones = [id(line) for line in self._open.values()]
        while self._held and id(self._held[0]) not in open_ones:
            out += self._held.popleft()
            out += b"\n"
        return out


def _letter(line: bytearray) -> int:
    piece = _PIECE.match(line)
    assert piece is not None  # the line was matched as a piece when first seen
    return piece.start(2)


class CriJoined:
    """A stream read through a CriJoiner (the scanner's Readable)."""

    __slots__ = ("_done", "_joiner", "_out", "_stream")

    def __init__(self, stream: Readable) -> None:
        self._stream = stream
        self._joiner = CriJoiner()
        self._out = bytearray()
        self._done = False

    @property
    def cut(self) -> bool:
        """Tell whether the stream ended early (what it wraps says so)."""
        return bool(getattr(self._stream, "cut", False))

    def read(self, size: int, /) -> bytes:
        """Return up to `size` bytes; b"" at the end."""
        while len(self._out) < size and not self._done:
            data = self._stream.read(size)
            if data:
                self._out += self._joiner.feed(data)
            else:
                self._out += self._joiner.finish()
                self._done = True
        out = bytes(self._out[:size])
        del self._out[:size]
        return out
