"""Endings: how a stream's lines end → lone CRs (old Mac OS) read as LF; how it begins.

A lone CR ends a line when the stream's first line ends with one; the scan,
the follow reader and the head and tail reads of `sources` and `seek` ask the
same question here, so they frame a file alike. A UTF-8 BOM at a stream's
start is skipped by all of them (UTF8_BOM).
"""

from __future__ import annotations

import re

UTF8_BOM = b"\xef\xbb\xbf"
"""A UTF-8 byte order mark (Notepad, PowerShell 7 `Out-File -Encoding utf8BOM`,
.NET `UTF8Encoding(true)`): no part of the first record, which a parser given it
lost. The scan skips it keeping stream offsets exact (the first line starts at 3)."""

_LONE_CR = re.compile(rb"\r(?=[^\n])")
"""A CR that ends a line (old Mac OS, some Windows tools): one followed by a byte
other than LF. A CR at the end of what was read is decided with the next bytes."""


def first_end_is_lone_cr(
    buf: bytearray | bytes, lo: int, hi: int, *, final: bool = False
) -> bool | None:
    """Tell whether the first line ending in buf[lo:hi] is a lone CR (None: none yet).

    Why the first line decides for the whole stream: LF and CRLF files then keep
    their one-pass line count, and the answer cannot depend on block sizes.

    Args:
        buf: the bytes read so far.
        lo: where to look from (bytes before it hold no line ending).
        hi: the end of what was read.
        final: buf[lo:hi] is the end of the stream (a CR last there is lone).
    """
    nl = buf.find(b"\n", lo, hi)
    cr = buf.find(b"\r", lo, hi if nl == -1 else nl)
    if cr == -1:
        return None if nl == -1 else False
    if cr + 1 < hi:
        return buf[cr + 1] != 0x0A
    return True if final else None


def lone_cr_to_lf(buf: bytearray, lo: int, hi: int) -> None:
    """Turn every lone CR in buf[lo:hi] into LF, in place (offsets stay the same)."""
    buf[lo:hi] = _LONE_CR.sub(b"\n", buf[lo:hi])


def cr_lines(data: bytes) -> bytes:
    """Return a file's head (or tail) with lone CRs as LF when `scan` would frame so."""
    if b"\r" not in data or not first_end_is_lone_cr(data, 0, len(data), final=True):
        return data
    data = _LONE_CR.sub(b"\n", data)
    return data[:-1] + b"\n" if data.endswith(b"\r") else data
