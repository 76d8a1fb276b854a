"""Numbers: the offsets an unnumbered scan noted → line numbers, counted on demand.

Why (issue #18): counting newlines was a quarter of a worker's time, for line
numbers the text output never shows. A scan that does not number its hits
(read/scan.py `count_lines=False`) gives each hit, and each note about one (a
line that did not parse, an expression that failed, a record over the size
cap), a placeholder instead: its stream offset, negated (scan.py `unnumbered`). When
the read is done, the placeholders the notes still hold are turned into line
numbers by one counting pass over the file up to the last of them (`number`);
the records themselves carry line 0 (unknown). A trace with no such note
counts nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from tracerun.read.assemble import Timeless
from tracerun.read.scan import ScanNotice, newlines
from tracerun.read.tally import Tally

BLOCK = 8 * 1024 * 1024
"""Bytes read at a time by the counting pass."""

ReadAt = Callable[[int, int], bytes]
"""`read_at(offset, size)`: up to `size` bytes from `offset` (b"" past the end)."""

_LONE_CR = re.compile(rb"\r(?=[^\n])")


def placeholder_offset(line: int) -> int | None:
    """Give the stream offset a placeholder line stands for (None: a real line, or 0)."""
    return -1 - line if line < 0 else None


def line_numbers(
    read_at: ReadAt, start: int, offsets: Iterable[int], *, cr: bool = False
) -> dict[int, int]:
    """Count the line of each stream offset ≥ `start`, 1 being the line at `start`.

    Counts the newlines before each offset (lone CRs too when `cr`: the scan
    read them as line ends, read/endings.py), reading each byte once. An
    offset the stream no longer reaches (the file shrank) gets 0, unknown:
    a line number is exact or not given.

    Args:
        read_at: reads the stream (os.pread on the file's descriptor).
        start: the offset of line 1 (a line start).
        offsets: the offsets to number.
        cr: lone CRs end lines.
    """
    found: dict[int, int] = {}
    line, pos = 1, start
    for target in sorted(set(offsets)):
        while pos < target:
            size = min(BLOCK, target - pos)
            # One byte more when a CR may end the block: it is lone if no LF follows.
            block = read_at(pos, size + 1 if cr else size)
            if not block:
                break
            counted = block[:size]
            line += newlines(counted, 0, len(counted))
            if cr:  # the byte after the block, if read, only tells a CR's kind
                line += len(_LONE_CR.findall(block, 0, len(counted) + 1))
            pos += len(counted)
        found[target] = line if pos >= target else 0
    return found


def number(
    read_at: ReadAt,
    start: int,
    *,
    tally: Tally,
    timeless: Timeless,
    notices: list[ScanNotice],
    cr: bool = False,
    unchanged: Callable[[], bool] = lambda: True,
) -> None:
    """Replace the placeholders of a read's notes with line numbers (from `start`).

    In place: the tally's first lines and failures, the first and last line
    of the records without a time, the scan's notices. `unchanged` is asked
    after counting: False (the file was truncated or rewritten since it was
    read, so its bytes are not the ones counted) makes every one 0, unknown.
    """
    holders = list(_holders(tally, timeless, notices))
    wanted = [
        at
        for holder, name in holders
        if (at := placeholder_offset(getattr(holder, name))) is not None
    ]
    if not wanted:
        return
    numbers = line_numbers(read_at, start, wanted, cr=cr)
    if not unchanged():
        numbers = dict.fromkeys(numbers, 0)
    for holder, name in holders:
        at = placeholder_offset(getattr(holder, name))
        if at is not None:
            setattr(holder, name, numbers[at])


def _holders(
    tally: Tally, timeless: Timeless, notices: list[ScanNotice]
) -> Iterator[tuple[object, str]]:
    """Every (object, attribute) of a read's notes that holds a line number."""
    for miss in (tally.unparsed, tally.unkeyed, tally.outside, tally.dropped):
        yield miss, "line"
    for failure in tally.failures.values():
        yield failure, "line"
    yield timeless, "first"
    yield timeless, "last"
    for notice in notices:
        yield notice, "line"
