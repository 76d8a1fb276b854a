"""Stamps: a container log line read with `timestamps=1` → the engine's time and the bare line.

The one owner of the engine's `2026-03-20T14:10:00.123456789Z ` prefix: reading
it as an instant, and removing it (also from inside a line longer than the
engine's 16 KiB message size, which is stored, and stamped, in pieces).
"""

from __future__ import annotations

import re
from datetime import datetime

from tracerun.plain import replace
from tracerun.read.scan import Hit

PIECE_BYTES = 16 * 1024
"""The engine's log message size: longer lines are stored (and stamped) in pieces."""
_STAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d) ")


def engine_ns(line: bytes) -> int | None:
    """Read the engine's prefix of a log line as ns since the epoch (None: none)."""
    space = line.find(b" ", 0, 40)
    if space < 20:
        return None
    stamp = line[:space].decode("ascii", "replace").removesuffix("Z")
    base, _, fraction = stamp.partition(".")
    try:
        seconds = int(datetime.fromisoformat(base + "+00:00").timestamp())
        digits = fraction[:9].ljust(9, "0")
        return seconds * 1_000_000_000 + (int(digits) if digits.isdigit() else 0)
    except (ValueError, OverflowError):
        return None


def engine_us(line: bytes) -> int | None:
    """Read the engine's prefix of a log line as µs since the epoch (None: none)."""
    ns = engine_ns(line)
    return None if ns is None else ns // 1000


def last_line_ns(data: bytes) -> int | None:
    """Engine time of the last complete line in `data`."""
    end = data.rfind(b"\n")
    if end == -1:
        return None
    return engine_ns(data[data.rfind(b"\n", 0, end) + 1 : end])


def content(line: bytes) -> bytes:
    """Strip the engine's `TIMESTAMP ` prefix from a log line.

    A line longer than the engine's message size (16 KiB) is stored in pieces,
    and each piece after the first brings its own stamp into the middle of the
    line; those are removed too.
    """
    space = line.find(b" ", 0, 40)
    if space < 20 or line[4:5] != b"-":
        return line
    body = line[space + 1 :]
    if len(body) <= PIECE_BYTES:
        return body
    pieces, pos = [], 0
    while len(body) - pos > PIECE_BYTES:
        pieces.append(body[pos : pos + PIECE_BYTES])
        pos += PIECE_BYTES
        stamp = _STAMP.match(body, pos)
        if stamp is None:
            break
        pos = stamp.end()
    pieces.append(body[pos:])
    return b"".join(pieces)


def unstamp(hit: Hit) -> tuple[int | None, Hit]:
    """Split a hit into the engine's time of its first line and its bare lines."""
    lines = hit.data.split(b"\n")
    bare = b"\n".join(content(line) for line in lines)
    before = tuple((at, content(line)) for at, line in hit.before)
    after = tuple((at, content(line)) for at, line in hit.after)
    bare_hit = replace(hit, data=bare, before=before, after=after)
    return engine_us(lines[0]), bare_hit
