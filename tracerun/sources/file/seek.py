"""Seek: a time window + file origins → which files to skip and where to start reading.

A plain, time-ordered file is bisected on its timestamps (seek, resync to a line
start, parse the first record there, narrow) to the byte range that can hold the
window, so `--since 5m` on a 4 GB file reads megabytes, not gigabytes. A file
whose whole span lies outside the window is not scanned at all: a plain file's
span comes from its head and tail; a compressed rotation's end is bounded by the
start of the next newer file of the same rotation group (`app.log.2.gz` ends
before `app.log.1.gz` begins).
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import BinaryIO

from tracerun.read.endings import UTF8_BOM, cr_lines, first_end_is_lone_cr
from tracerun.read.numbers import line_numbers, pread_into
from tracerun.read.target import Target
from tracerun.read.utf16 import UTF16_PROBE
from tracerun.sources.base import ReadError
from tracerun.sources.file.open import is_transformed, open_log
from tracerun.sources.file.paths import rotation_stem

MARGIN_US = 60 * 1_000_000
"""Slack around the window when skipping bytes: tolerates slightly unordered logs
(the exact window is still applied to every record)."""
BISECT_MIN = 64 * 1024 * 1024
"""Files below this size are read whole, even when a window cuts them.

Why not smaller: bisection trusts the file to be in time order, and its probes
cannot see every step back (a clock fix or a DST change in a naive-time log
sends time back an hour mid-file: a 5 MB such file bisected from 1 MiB up lost
141 of 322 records in the window). Reading a small file whole costs
milliseconds; a missing record costs the trace. Line numbers stay exact in
either case (`lines_before`)."""
CR_PROBE = 1024 * 1024
"""Bytes of a file's head that tell whether its lines end with lone CRs."""
PROBE = 64 * 1024
"""Bytes read at a probe point to find the next record's time."""
_MAX_PROBE = 1024 * 1024


def window_range(
    target: Target, since: int | None, until: int | None, size: int
) -> tuple[int, int | None] | None:
    """Find the byte range [start, stop) of a plain file holding the window's records.

    Returns None when no record of the file can be in the window, (0, None) when
    the file should be read whole (small, compressed, or not time-ordered).
    Offsets are line starts; stop None means to the end.
    """
    path = Path(target.origin.locator)
    with path.open("rb") as raw:
        if is_transformed(raw.read(UTF16_PROBE)):
            return 0, None
        first = _time_at(raw, target, 0, size)
        last = tail_time(raw, target, size)
        if first is None or last is None or first[1] > last:
            return 0, None  # no timestamps, or not time-ordered: read it all
        low = None if since is None else since - MARGIN_US
        high = None if until is None else until + MARGIN_US
        if (low is not None and last < low) or (high is not None and first[1] > high):
            # Head and tail alone do not show the middle: a clock set back
            # after the first line puts later lines inside the window (the
            # file was skipped, and the run said no source had records in it).
            if size < BISECT_MIN or not _probed_outside(raw, target, low, high, size):
                return 0, None
            return None
        inside = (low is None or first[1] >= low) and (high is None or last <= high)
        if inside or size < BISECT_MIN:
            return 0, None  # the window does not cut the file, or it is small
        seen = [first]
        start = 0 if low is None else _first_at_or_after(raw, target, low, size, seen)
        stop = (
            None if high is None else _first_after(raw, target, high, start, size, seen)
        )
    if not _in_order([*seen, (size, last)]):
        return 0, None  # a probe contradicts time order: bisecting could drop records
    return start, stop


SPOT_PROBES = 32
"""Evenly spaced probes (PROBE bytes each) that must all agree before a large
file whose head and tail lie outside the window is skipped unread."""


def _outside(time: int, low: int | None, high: int | None) -> bool:
    return (low is not None and time < low) or (high is not None and time > high)


def _probed_outside(
    raw: BinaryIO, target: Target, low: int | None, high: int | None, size: int
) -> bool:
    """Tell whether every spot probed in a large file lies outside the window, in order.

    Why: a file below BISECT_MIN is read whole instead (milliseconds); a large
    one costs SPOT_PROBES * PROBE bytes (2 MiB) to check. A step back in time
    shorter than the probes' spacing (size / SPOT_PROBES) can still go unseen,
    as in the bisection.
    """
    probes = []
    for k in range(SPOT_PROBES + 1):
        pos = size * k // SPOT_PROBES
        found = _time_at(raw, target, pos, min(size, pos + PROBE))
        if found is not None:
            probes.append(found)
    if not _in_order(probes):
        return False
    return all(_outside(time, low, high) for _, time in probes)


def _in_order(probes: list[tuple[int, int]]) -> bool:
    """Tell whether the times probed, by offset, never go back more than MARGIN_US.

    Why: the head and tail alone do not show that a file is in time order (two
    days concatenated out of order); every probe of the bisection is a sample
    more, for free.
    """
    newest = None
    for _, time in sorted(probes):
        if newest is not None and time < newest - MARGIN_US:
            return False
        newest = time if newest is None else max(newest, time)
    return True


def lines_before(path: Path, offset: int) -> int:
    """Count the lines of a file before `offset` (a line start), in blocks.

    -1 when the file ends before `offset` (it shrank since `offset` was found).

    Why: a bisected read keeps exact line numbers; counting newlines (SIMD,
    into one reused buffer: ~0.25 s of CPU per GB from the page cache) costs
    a fraction of scanning the same bytes. Lone CRs count when they end the
    file's first line, as the scan reads it (read/endings.py).
    """
    if offset <= 0:
        return 0
    with path.open("rb", buffering=0) as raw:
        fd = raw.fileno()
        head = os.pread(fd, min(offset + 1, CR_PROBE), 0)
        cr = bool(first_end_is_lone_cr(head, 0, len(head), final=len(head) <= offset))
        found = line_numbers(pread_into(fd), 0, [offset], cr=cr)[offset]
    return found - 1  # found 0: the file ends before `offset`


def _first_at_or_after(
    raw: BinaryIO, target: Target, low: int, size: int, seen: list[tuple[int, int]]
) -> int:
    """Find a line start such that every record before it is older than `low`."""
    lo, hi = 0, size
    while hi - lo > PROBE:
        mid = (lo + hi) // 2
        found = _time_at(raw, target, mid, hi)
        if found is None:
            hi = mid  # no timed record between mid and hi: look lower
            continue
        seen.append(found)
        offset, time = found
        if time < low:
            lo = offset
        else:
            hi = mid
    return lo


def _first_after(
    raw: BinaryIO,
    target: Target,
    high: int,
    lo: int,
    size: int,
    seen: list[tuple[int, int]],
) -> int | None:
    """Find a line start from which every record is newer than `high` (None: the end)."""
    hi = size
    while hi - lo > PROBE:
        mid = (lo + hi) // 2
        found = _time_at(raw, target, mid, hi)
        if found is None:
            lo = mid
            continue
        seen.append(found)
        offset, time = found
        if time > high:
            hi = offset
        else:
            lo = mid
    return None if hi >= size else hi


def _time_at(
    raw: BinaryIO, target: Target, pos: int, end: int
) -> tuple[int, int] | None:
    """Find the offset and time of the first timed record at or after `pos`."""
    start = max(0, pos - 1)
    raw.seek(start)
    data = raw.read(min(_MAX_PROBE, end - start + 1))
    if pos == 0:
        line = 0
    elif data[:1] == b"\n":
        line = 1
    else:
        line = data.find(b"\n") + 1
        if line == 0:
            return None
    while True:
        nl = data.find(b"\n", line)
        if nl == -1:
            return None  # the line goes on past what was read
        time = time_of(target, data[line:nl])
        if time is not None:
            return start + line, time
        line = nl + 1


def tail_time(raw: BinaryIO, target: Target, size: int) -> int | None:
    """Read the last record time of a plain file, reading back at most 1 MiB."""
    step = PROBE
    while True:
        start = max(0, size - step)
        raw.seek(start)
        lines = cr_lines(raw.read(size - start)).split(b"\n")
        for line in reversed(lines[1:] if start else lines):
            time = time_of(target, line)
            if time is not None:
                return time
        if start == 0 or step >= _MAX_PROBE:
            return None
        step *= 4


def time_of(target: Target, line: bytes) -> int | None:
    """Parse the time of a raw line that starts a record (None: not one, or no time)."""
    line = line.removesuffix(b"\r")
    if not line.strip() or not target.is_start(line):
        return None
    parsed = target.parser.parse(line.decode("utf-8", "replace"), target.tz)
    return None if parsed is None else parsed.time


def rotation_skips(
    targets: list[Target], since: int | None, head_time: dict[str, int | None]
) -> set[str]:
    """Locators of compressed rotations that end before the window starts.

    Args:
        targets: file origins.
        since: the window's start (µs); nothing is skipped without one.
        head_time: each locator's first record time, as far as known.
    """
    if since is None:
        return set()
    groups: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for target in targets:
        path = Path(target.origin.locator)
        first = head_time.get(target.origin.locator)
        if first is not None:
            key = (str(path.parent), rotation_stem(path.name))
            groups.setdefault(key, []).append((first, target.origin.locator))
    skip: set[str] = set()
    for members in groups.values():
        members.sort()
        for (_, older), (newer_first, _) in itertools.pairwise(members):
            if newer_first < since - MARGIN_US:
                skip.add(older)  # it ended before the newer file began
    return skip


def head_time(target: Target) -> int | None:
    """Read the first record time of a file (decompressing only its first KiBs)."""
    try:
        with open_log(Path(target.origin.locator)) as stream:
            data = stream.read(PROBE).removeprefix(UTF8_BOM)
    except (OSError, EOFError, ReadError):
        return None  # the read proper reports it
    for line in cr_lines(data).split(b"\n")[:-1]:
        time = time_of(target, line)
        if time is not None:
            return time
    return None
