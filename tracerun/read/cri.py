"""Cri: a log whose writer cut long lines in pieces → the same log, each line joined.

Two writers do: the container runtime (containerd, CRI-O) in the kubelet's
files (`/var/log/containers/*.log`, `/var/log/pods/…`), as
`<time> stdout P <part>` … `<time> stdout F <last part>`, and Docker's
json-file driver, as entries whose `"log"` does not end in `\n` but the last
one's; both cut past 16 KiB, per stream. Each line is put back together where
its first piece was; every later piece keeps only its frame (`<time> stdout F `,
`{"log":"","stream":…}`), so the stream keeps its length and line count:
offsets and line numbers still name the file's, a record's line is its first
piece's.

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
_PREFIX = 64
"""Bytes that show a CRI or json-file line's start (`<RFC3339Nano±hh:mm> stderr P `)."""
_JSON_FILE = b'{"log":"'
_JSON_TAIL = b'","stream":"'
_JSON_LAST = b"\\n" + _JSON_TAIL
"""How a whole line's entry ends its text: the line's own newline, escaped."""


def is_cri(head: bytes) -> bool:
    """Tell whether `head` (a stream's first bytes) has a line of a CRI log."""
    return _CRI_LINE.search(head, 0, SNIFF) is not None


def is_json_file(head: bytes) -> bool:
    """Tell whether `head` (a stream's first bytes) has a line of a docker json-file log."""
    return head.startswith(_JSON_FILE) or b"\n" + _JSON_FILE in head[:SNIFF]


def may_join(head: bytes) -> bool:
    """Tell whether a stream starting with `head` is one whose lines come in pieces."""
    return is_cri(head) or is_json_file(head)


Piece = tuple[bytes, int, int, bool]
"""A piece's stream, where its text starts and ends in the line, and whether it is the last."""


def _cri_piece(line: bytes) -> Piece | None:
    piece = _PIECE.match(line)
    if piece is None:
        return None
    return piece[1], piece.end(), len(line), piece[2] == b"F"


def _json_file_piece(line: bytes) -> Piece | None:
    """`{"log":"<text>","stream":"stdout",…}`: docker's writer puts `log` first."""
    end = line.rfind(_JSON_TAIL)
    if not line.startswith(_JSON_FILE) or end == -1:
        return None
    stream = line[end + len(_JSON_TAIL) : line.find(b'"', end + len(_JSON_TAIL))]
    return stream, len(_JSON_FILE), end, line.endswith(b"\\n", 0, end)


def open_after(lines: list[bytes]) -> list[bool]:
    """For each line: whether a line cut in pieces is still open after it.

    Streams whose pieces came before `lines` are not known: read from far
    enough back (the pieces of a line come together, per stream) for a cut
    between records never to fall inside a line the runtime cut in pieces.
    """
    open_streams: set[bytes] = set()
    after = []
    for line in lines:
        piece = _cri_piece(line) or _json_file_piece(line)
        if piece is not None:
            stream, _, _, last = piece
            if last:
                open_streams.discard(stream)
            else:
                open_streams.add(stream)
        after.append(bool(open_streams))
    return after


def _cri_opens(lines: bytes) -> bool:
    return any(mark in lines for mark in _PARTIAL)


def _json_file_opens(lines: bytes) -> bool:
    return lines.count(_JSON_LAST) < lines.count(b"\n")


class CriJoiner:
    """Bytes of a stream in → the same bytes with each line cut in pieces joined.

    A stream that is neither a CRI log nor a docker json-file log (its first
    bytes tell) passes untouched; in one, lines are held only while a partial
    line of theirs or before them is open, and a line longer than MAX_RECORD is
    let go as it stands (the scan tells of it).
    """

    __slots__ = ("_cri", "_held", "_open", "_opens", "_piece", "_rest")

    def __init__(self) -> None:
        self._cri: bool | None = None
        """Whether the stream has pieces to join (None: not known yet)."""
        self._piece = _cri_piece
        self._opens = _cri_opens
        self._rest = bytearray()
        """The unfinished last line (and, until the kind of stream is known, all)."""
        self._held: deque[bytearray] = deque()
        """Lines (no newline) waiting behind an open one, the open ones among them."""
        self._open: dict[bytes, tuple[bytearray, list[int]]] = {}
        """Stream name → its line being joined (an item of `_held`), where text goes."""

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
            if end == 0 and len(self._rest) < _PREFIX and b"\r" not in self._rest:
                return b""  # too short to tell (a CR alone ends a line too)
            self._sniff(bytes(self._rest[:end] or self._rest))
            if not self._cri:
                out = bytes(self._rest)
                self._rest.clear()
                return out
        lines = bytes(self._rest[:end])
        del self._rest[:end]
        if not self._held and not self._opens(lines):
            return lines  # the common case: no piece open, none begun
        return self._join(lines)

    def _sniff(self, head: bytes) -> None:
        if is_json_file(head):
            self._piece, self._opens = _json_file_piece, _json_file_opens
        self._cri = may_join(head)

    def finish(self) -> bytes:
        """Return everything left: the stream ended (an open line stays a piece)."""
        self._open.clear()
        out = self._release()
        out += self._rest
        self._rest.clear()
        return bytes(out)

    def _join(self, lines: bytes) -> bytes:
        for line in lines.split(b"\n")[:-1]:
            piece = self._piece(line)
            if piece is None:
                self._held.append(bytearray(line))
                continue
            stream, start, end, last = piece
            joining = self._open.get(stream)
            if joining is None:
                joined = bytearray(line)
                self._held.append(joined)
                if not last:
                    self._open[stream] = (joined, [end])
                continue
            joined, at = joining
            joined[at[0] : at[0]] = line[start:end]
            at[0] += end - start
            self._held.append(bytearray(line[:start] + line[end:]))
            if last or len(joined) > MAX_RECORD:
                del self._open[stream]
                if last and self._piece is _cri_piece:  # whole now: an F line
                    joined[_letter(joined)] = ord("F")
        return bytes(self._release())

    def _release(self) -> bytearray:
        """Take the held lines up to the first one still open."""
        out = bytearray()
        open_ones = [id(joined) for joined, _ in self._open.values()]
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
