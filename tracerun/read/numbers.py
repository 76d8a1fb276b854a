"""Numbers: the offsets an unnumbered scan noted → line numbers, counted on demand.

Why (issue #18): counting newlines was a quarter of a worker's time, for line
numbers the text output never shows. A scan that does not number its hits
(read/scan.py `count_lines=False`) gives each hit, and each note about one (a
line that did not parse, an expression that failed, a record over the size
cap), a placeholder instead: its stream offset, negated (scan.py
`unnumbered`). When the read is done, the placeholders the notes still hold
are turned into line numbers by one counting pass over the file up to the
last of them (`number`); the records themselves carry line 0 (unknown). A
trace with no such note counts nothing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator

from tracerun.read.assemble import Timeless
from tracerun.read.scan import ScanNotice, newlines
from tracerun.read.tally import Tally

BLOCK = 256 * 1024
"""Bytes read at a time by the counting pass, into one reused buffer.

Why: `read` into a fresh 8 MiB bytes object per block cost 0.59 s of CPU per
GB (page faults of each new block); `readinto` a reused one 0.22-0.26 s
(1 GB of text from the page cache, best of 3; 256 KiB a little the best)."""

ReadInto = Callable[[memoryview, int], int]
"""`read_into(view, offset)`: fill `view` from `offset`; give the byte count (0 at the end)."""

_LONE_CR = re.compile(rb"\r(?=[^\n])")


def placeholder_offset(line: int) -> int | None:
    """Give the stream offset a placeholder line stands for (None: a real line, or 0)."""
    return -1 - line if line < 0 else None


def pread_into(fd: int) -> ReadInto:
    """Read a file's descriptor at offsets (`os.preadv`: the read position stays)."""
    return lambda view, at: os.preadv(fd, [view], at)


def line_numbers(
    read_into: ReadInto, start: int, offsets: Iterable[int], *, cr: bool = False
) -> dict[int, int]:
    """Count the line of each stream offset ≥ `start`, 1 being the line at `start`.

    Counts the newlines before each offset (lone CRs too when `cr`: the scan
    read them as line ends, read/endings.py), reading each byte once. An
    offset the stream no longer reaches (the file shrank) gets 0, unknown:
    a line number is exact or not given.

    Args:
        read_into: reads the stream (`pread_into` a file's descriptor).
        start: the offset of line 1 (a line start).
        offsets: the offsets to number.
        cr: lone CRs end lines.
    """
    found: dict[int, int] = {}
    buf = bytearray(BLOCK + 1)
    line, pos = 1, start
    with memoryview(buf) as view:
        for target in sorted(set(offsets)):
            while pos < target:
                size = min(BLOCK, target - pos)
                # One byte more when a CR may end the block: lone if no LF follows.
                got = read_into(view[: size + 1 if cr else size], pos)
                if not got:
                    break
                counted = min(got, size)
                line += newlines(buf, 0, counted)
                if cr:  # the byte after the block, if read, only tells a CR's kind
                    line += len(_LONE_CR.findall(buf, 0, min(got, counted + 1)))
                pos += counted
            found[target] = line if pos >= target else 0
    return found


def number(
    read_into: ReadInto,
    start: int,
    *,
    tally: Tally,
    timeless: Timeless,
    notices: list[ScanNotice],
    cr: bool = False,
    unchanged: Callable[[], bool] = lambda: True,
    unkeyed: bool = True,
) -> None:
    """Replace the placeholders of a read's notes with line numbers (from `start`).

    In place: the tally's first lines and failures, the first and last line
    of the records without a time, the scan's notices (the first hit that was
    message text only too: a trace that matched nothing names it, explain.py;
    `unkeyed` False: this read gave records, so no such trace is possible and
    that line becomes 0 rather than costing a count of the file up to it).
    `unchanged` is asked after counting: False (the file was truncated or
    rewritten since it was read, so its bytes are not the ones counted) makes
    every one 0, unknown.
    """
    if not unkeyed and placeholder_offset(tally.unkeyed.line) is not None:
        tally.unkeyed.line = 0
    holders = list(_holders(tally, timeless, notices))
    wanted = [
        at
        for holder, name in holders
        if (at := placeholder_offset(getattr(holder, name))) is not None
    ]
    if not wanted:
        return
    numbers = line_numbers(read_into, start, wanted, cr=cr)
    if not unchanged():
        numbers = dict.fromkeys(numbers, 0)
    for holder, name in holders:
        at = placeholder_offset(getattr(holder, name))
        if at is not None:
            setattr(holder, name, numbers[at])


def names_a_line(tally: Tally, timeless: Timeless, notices: list[ScanNotice]) -> bool:
    """Tell whether a read's notes name a line (a number or a placeholder)."""
    return any(getattr(h, name) for h, name in _holders(tally, timeless, notices))


def forget_lines(tally: Tally, timeless: Timeless, notices: list[ScanNotice]) -> None:
    """Make every line a read's notes name 0, unknown."""
    for holder, name in _holders(tally, timeless, notices):
        setattr(holder, name, 0)


def _holders(
    tally: Tally, timeless: Timeless, notices: list[ScanNotice]
) -> Iterator[tuple[object, str]]:
    """Every (object, attribute) of a read's notes that holds a line number."""
    for miss in (
        tally.unparsed,
        tally.unkeyed,
        tally.held,
        tally.outside,
        tally.dropped,
    ):
        yield miss, "line"
    for failure in tally.failures.values():
        yield failure, "line"
    yield timeless, "first"
    yield timeless, "last"
    for notice in notices:
        yield notice, "line"
