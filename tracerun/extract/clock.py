"""Clock check: a log's last naive timestamp + when it was written → the zone it was in.

A file's last record was written when the file was last modified. When its
timestamps carry no offset and are read in the wrong zone, the two differ by
that zone's offset, to the quarter hour: `sources --check` and `init` say so,
with the offset that explains the gap (#11).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracerun.extract import Parser

_QUARTER = 15 * 60
_SLACK = 2 * 60
_MAX_OFFSET = 14 * 3600
_PROBE = timezone(timedelta(hours=5, minutes=45))
EXAMPLE_ZONES = {
    3600: "Europe/Berlin",
    7200: "Europe/Helsinki",
    10800: "Europe/Moscow",
    19800: "Asia/Kolkata",
    28800: "Asia/Shanghai",
    32400: "Asia/Tokyo",
    36000: "Australia/Sydney",
    -10800: "America/Sao_Paulo",
    -14400: "America/New_York (summer)",
    -18000: "America/New_York",
    -21600: "America/Chicago",
    -25200: "America/Denver",
    -28800: "America/Los_Angeles",
}
"""A zone to name in the hint for the usual offsets (in seconds east of UTC)."""


def local_offset(
    parser: Parser, tz: tzinfo, lines: Sequence[str], written_us: int
) -> int | None:
    """Tell which UTC offset the log's naive timestamps look like they were written in.

    Args:
        parser: the log's parser.
        tz: the zone its naive timestamps are read in now.
        lines: the log's last lines, oldest first.
        written_us: the file's modification time (µs since the epoch).

    Returns:
        The offset in seconds east of UTC that explains a gap of at least 15
        minutes between the last timestamp and `written_us`; None when there is
        no such gap, the last timestamp has its own offset, or none was found.
    """
    for line in reversed(lines):
        parsed = parser.parse(line, tz)
        if parsed is None or parsed.time is None:
            continue
        probe = parser.parse(line, _PROBE)
        if probe is None or probe.time == parsed.time:
            return None  # the timestamp carries its own offset
        return _explaining(parsed.time - written_us, tz, parsed.time)
    return None


def _explaining(gap_us: int, tz: tzinfo, at_us: int) -> int | None:
    gap = gap_us / 1_000_000
    quarters = round(gap / _QUARTER)
    if quarters == 0 or abs(gap - quarters * _QUARTER) > _SLACK:
        return None
    from datetime import datetime  # noqa: PLC0415 - only when there is a gap

    now = datetime.fromtimestamp(at_us / 1_000_000, UTC)
    read_in = tz.utcoffset(now.replace(tzinfo=None)) or timedelta()
    offset = quarters * _QUARTER + int(read_in.total_seconds())
    return offset if abs(offset) <= _MAX_OFFSET else None


def offset_text(seconds: int) -> str:
    """Format an offset as `UTC+01:00` / `UTC-05:00`."""
    sign = "-" if seconds < 0 else "+"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def zone_warning(offset: int, zone: str) -> str:
    """Word the warning for a log that looks like local time at `offset`."""
    example = EXAMPLE_ZONES.get(offset)
    named = f" (e.g. {example})" if example else ""
    return (
        f"its last timestamp, read in {zone}, is not when the file was last "
        f"written; its naive times look like local time at {offset_text(offset)}"
        f": set this source's `timezone:` to the zone that wrote them{named}"
    )
