"""Stamps: a pod log line read with `--timestamps` → the kubelet's time and the bare line.

The kubelet writes RFC 3339 with up to nine fraction digits, trailing zeros
dropped (`2026-03-20T14:10:00.1Z`, even `…:00Z`), always in UTC, then a space.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tracerun.plain import replace
from tracerun.read.scan import Hit

_PREFIX = re.compile(
    rb"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d) "
)


def kubelet_ns(line: bytes) -> int | None:
    """Read the kubelet's prefix of a line as ns since the epoch (None: it has none)."""
    found = _PREFIX.match(line)
    if found is None:
        return None
    zone = found[3].decode()
    try:
        when = datetime.fromisoformat(found[1].decode() + zone.replace("Z", "+00:00"))
    except ValueError:
        return None
    fraction = (found[2] or b"").ljust(9, b"0")
    return int(when.astimezone(UTC).timestamp()) * 1_000_000_000 + int(fraction)


def kubelet_us(line: bytes) -> int | None:
    """Read the kubelet's prefix of a line as µs since the epoch (None: none)."""
    ns = kubelet_ns(line)
    return None if ns is None else ns // 1000


def bare(line: bytes) -> bytes:
    """Remove the kubelet's `TIMESTAMP ` prefix (a line without one is kept whole)."""
    found = _PREFIX.match(line)
    return line if found is None else line[found.end() :]


def split_hit(hit: Hit) -> tuple[int | None, Hit]:
    """Split a hit into the kubelet's time of its first line and its bare lines."""
    lines = hit.data.split(b"\n")
    data = b"\n".join(bare(line) for line in lines)
    before = tuple((at, bare(line)) for at, line in hit.before)
    after = tuple((at, bare(line)) for at, line in hit.after)
    return kubelet_us(lines[0]), replace(hit, data=data, before=before, after=after)
