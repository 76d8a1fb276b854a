"""Whole: a remote file its host sent whole → its hits, scanned here as a local file is.

Why whole: the host's `grep -F` matches bytes, and the text of some files is
not the bytes grep sees: UTF-16 (two bytes a character; Windows PowerShell
5.1 writes it) and lines ended by lone CRs (grep sees one line). Every record
of such a file was lost without a word (#14). They are rare, so the host
sends them whole (script.py `_WHOLE`: compressed again, then base64 or od's
hex) and here they go through what a local file does: read/utf16.py's test
and transcoding, the CRI joining, read/scan.py. Records, line numbers and
notices are then a local `--path` trace's.
"""

from __future__ import annotations

import binascii
import zlib
from collections.abc import Iterator

from tracerun.read.cri import CriJoined
from tracerun.read.scan import Needles, Readable, Scan, ScanNotice
from tracerun.read.target import Target
from tracerun.read.utf16 import UTF16_PROBE, Transcoded, utf16


class CutShortError(Exception):
    """The host's answer ended before the file's bytes did, or came damaged."""


class Sent:
    """One file's encoded lines (after `@W CODE`, up to `@E INDEX`) → its bytes.

    Args:
        lines: the session's output, positioned after the `@W` line; read up
            to and with the `@E` line that ends the file.
        code: `b64` (base64 lines) or `hex` (od's `-An -tx1` lines).
    """

    def __init__(self, lines: Iterator[bytes], code: bytes) -> None:
        self._lines = lines
        self._hex = code == b"hex"
        self._inflate = zlib.decompressobj(wbits=31)  # gzip
        self._carry = b""  # base64 characters short of a group of four
        self._out = bytearray()
        self._done = False
        self.ended = False
        """The host's `@E` came: the file was sent to its end."""
        self.wire = 0
        """Bytes of the answer read (its lines and their newlines)."""
        self.damage: CutShortError | None = None
        """Set when the answer ended early or did not decode (`cut`)."""

    @property
    def cut(self) -> bool:
        """Tell whether the bytes end early: their last line may be partial."""
        return self.damage is not None

    def peek(self, size: int) -> bytes:
        """Return the first `size` bytes not yet read, without reading them."""
        self._fill(size)
        return bytes(self._out[:size])

    def read(self, size: int, /) -> bytes:
        """Return up to `size` bytes; b"" at the end."""
        self._fill(size)
        data = bytes(self._out[:size])
        del self._out[:size]
        return data

    def _fill(self, size: int) -> None:
        while len(self._out) < size and not self._done:
            line = next(self._lines, None)
            if line is None or line.startswith(b"@E "):
                self._end(line is not None)
                return
            self.wire += len(line) + 1
            if self.damage is not None:
                continue  # on to the end marker: the next file's output follows it
            try:
                self._out += self._inflate.decompress(self._decode(line))
            except (ValueError, zlib.error) as exc:  # binascii.Error is a ValueError
                self._fail(f"the file's bytes came damaged ({exc})")

    def _decode(self, line: bytes) -> bytes:
        if self._hex:
            return bytes.fromhex(line.decode("ascii"))
        text = self._carry + line.strip()
        whole = len(text) // 4 * 4
        self._carry = text[whole:]
        return binascii.a2b_base64(text[:whole], strict_mode=True)

    def _end(self, marked: bool) -> None:
        self._done = True
        self.ended = marked
        if not marked:
            self._fail("the answer ended before the file did")
        elif not self._inflate.eof or self._carry:
            self._fail("the file's bytes came cut short")

    def _fail(self, why: str) -> None:
        if self.damage is None:
            self.damage = CutShortError(why)


def scan_sent(
    sent: Sent,
    target: Target,
    needles: Needles,
    notices: list[ScanNotice],
    context: tuple[int, int],
) -> Scan:
    """Scan a file its host sent whole, as sources/file/pieces.py reads a local one.

    UTF-16 text (read/utf16.py's test on its first bytes) is read as UTF-8;
    the scan reads the rest (a UTF-8 BOM, lone CRs, the record size cap).
    `context`: the lines asked for before and after each hit (`-B`, `-A`).
    """
    encoding = utf16(sent.peek(UTF16_PROBE))
    stream: Readable = sent if encoding is None else Transcoded(sent, encoding)
    before, after = context
    return Scan(
        CriJoined(stream),
        needles,
        target.is_start,
        notices,
        before=before,
        after=after,
    )
