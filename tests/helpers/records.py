"""Records for output tests: a compact constructor with the defaults a test can ignore."""

from __future__ import annotations

from typing import Any

from tracerun.record import Record

BASE = 1_774_015_800_000_000
"""2026-03-20T14:10:00Z in µs."""


def rec(
    ms: float | None,
    source: str,
    message: str = "m",
    *,
    level: str = "info",
    fields: dict[str, Any] | None = None,
    continuation: tuple[str, ...] = (),
    line: int = 1,
    origin: str | None = None,
    index: int = 0,
) -> Record:
    """A record `ms` milliseconds after BASE (None: no time) from `source`."""
    from tracerun.record import NO_TIME

    time = NO_TIME if ms is None else BASE + int(ms * 1000)
    return Record(
        time=time,
        source=source,
        source_index=index,
        origin=origin or f"{source}.log",
        line=line,
        level=level,
        message=message,
        fields=dict(fields or {}),
        raw=message,
        continuation=continuation,
    )
