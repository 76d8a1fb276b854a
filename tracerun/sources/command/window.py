"""Window: a command's argv + the trace's window → the argv run, placeholders filled.

`{since}`/`{until}` become RFC 3339 UTC times (`2026-03-20T14:10:00Z`),
`{since_epoch}`/`{until_epoch}` whole seconds since the epoch. A window is
widened to whole seconds (since rounded down, until up): the trace cuts it
exactly afterwards, as for every source. An open start is the epoch; an open
end is the moment the run started.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

_US = 1_000_000
_LAST = 253_402_300_799
"""9999-12-31T23:59:59Z, the last second RFC 3339 can write."""


def expand_argv(
    argv: Sequence[str], since: int | None, until: int | None, now: int
) -> list[str]:
    """Fill the window's placeholders in each argument (other braces stay as written).

    Args:
        argv: the program and arguments, as the profile writes them.
        since: the window's start (µs since the epoch; None: open).
        until: its end (µs; None: open).
        now: the run's start (µs), the end of an open window.
    """
    start = max(0, since // _US) if since is not None else 0
    end = -(-until // _US) if until is not None else -(-now // _US)
    values = {
        "{since}": _rfc3339(start),
        "{until}": _rfc3339(end),
        "{since_epoch}": str(start),
        "{until_epoch}": str(end),
    }
    expanded = []
    for arg in argv:
        if "{" in arg:
            for name, value in values.items():
                arg = arg.replace(name, value)
        expanded.append(arg)
    return expanded


def _rfc3339(seconds: int) -> str:
    seconds = min(max(seconds, 0), _LAST)
    moment = datetime.datetime.fromtimestamp(seconds, datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
