"""Peek: a remote file target → its first and last timestamps and first lines, cheaply.

For `tracerun sources`: one `ssh` reads the first and the last 64 KiB of the
file on its host (decompressing an archive's head there; an archive has no
cheap tail, so its last timestamp is only known when it is small).
"""

from __future__ import annotations

from tracerun.read.endings import UTF8_BOM
from tracerun.read.target import Target
from tracerun.sources.ssh import client, script
from tracerun.sources.ssh.logs import remote_of

EDGE_BYTES = 64 * 1024
"""How much of a file's head and tail is read."""
SMALL_ARCHIVE = 1024 * 1024
"""An archive up to this size is decompressed whole for its last timestamp."""
_TIMEOUT = 15.0
_SPLIT = b"@@tracerun-tail@@"


def _edges(target: Target) -> tuple[list[bytes], list[bytes]]:
    """Read the complete lines of a remote file's head and of its tail."""
    origin = remote_of(target)
    path = script.quote(origin.locator)
    archive = origin.locator.endswith((".gz", ".zst"))
    reader = f"{'gzip' if origin.locator.endswith('.gz') else 'zstd'} -dc -- {path}"
    head = (
        f"{reader} 2>/dev/null | head -c {EDGE_BYTES}"
        if archive
        else f"head -c {EDGE_BYTES} -- {path}"
    )
    if archive:
        small = (origin.size or 0) <= SMALL_ARCHIVE
        tail = f"{reader} 2>/dev/null | tail -c {EDGE_BYTES}" if small else "true"
    else:
        tail = f"tail -c {EDGE_BYTES} -- {path}"
    code = f"{head}; echo; echo {_SPLIT.decode()}; {tail}\n"
    lines = client.run(origin.host, code, _TIMEOUT)
    cut = lines.index(_SPLIT) if _SPLIT in lines else len(lines)
    # The line before the marker is the head's cut (or empty) last line; the
    # tail's first line is cut too unless the tail is the whole file.
    first, last = lines[: max(0, cut - 1)], lines[cut + 1 :]
    whole = (origin.size or 0) <= EDGE_BYTES
    for edge in (first, last) if whole else (first,):
        if edge:  # a UTF-8 BOM is no part of the first line (read/endings.py)
            edge[0] = edge[0].removeprefix(UTF8_BOM)
    return first, last if whole else last[1:]


def head(target: Target, count: int) -> list[bytes]:
    """Read the first `count` non-blank lines of a remote file."""
    lines, _ = _edges(target)
    return [line.removesuffix(b"\r") for line in lines if line.strip()][:count]


def coverage(target: Target) -> tuple[int | None, int | None]:
    """Read the first and last timestamp of a remote file (None: not found, or the host failed)."""
    try:
        first_lines, last_lines = _edges(target)
    except client.SshError:
        return None, None
    return _first_time(target, first_lines), _first_time(target, last_lines[::-1])


def _first_time(target: Target, lines: list[bytes]) -> int | None:
    for raw in lines:
        line = raw.removesuffix(b"\r")
        if not line.strip() or not target.is_start(line):
            continue
        parsed = target.parser.parse(line.decode("utf-8", "replace"), target.tz)
        if parsed is not None and parsed.time is not None:
            return parsed.time
    return None
