"""Coverage: a file target → its first and last timestamp and first lines, read cheaply.

For `tracerun sources`: the first time comes from the head, the last from the
tail of a plain file (read back from its end, so a large file costs a few KiB).
A compressed file has no cheap tail: up to SMALL_ARCHIVE it is read whole, a
larger one gets None for its last timestamp (shown as `?`).
"""

from __future__ import annotations

from pathlib import Path

from tracerun.extract import clock
from tracerun.read.endings import UTF8_BOM, cr_lines
from tracerun.read.target import Target
from tracerun.sources.base import ReadError
from tracerun.sources.file.open import file_failure, is_compressed, open_log
from tracerun.sources.file.seek import tail_time, time_of

HEAD_BYTES = 64 * 1024
"""How much of a file's start is read for its first timestamp."""
ARCHIVE_TAIL = 64 * 1024
"""How much of a small archive's end is kept to find its last timestamp."""
SMALL_ARCHIVE = 1024 * 1024
"""A compressed file up to this size is read whole for its last timestamp."""
SAMPLE_BYTES = 1024 * 1024
"""How much of a file's start `--check` reads at most."""


def time_coverage(target: Target) -> tuple[int | None, int | None]:
    """Read the first and the last timestamp of a file origin (µs), cheaply.

    A file that vanished since it was listed gives (None, None).

    Raises:
        ReadError: the file cannot be read (permission, a damaged archive, a
            missing decompressor), worded as a trace words it.
    """
    path = Path(target.origin.locator)
    try:
        first = _first_time(target, head_lines(path, HEAD_BYTES)[0])
        if not is_compressed(path):
            return first, _last_time(target, path)
        small = path.stat().st_size <= SMALL_ARCHIVE
        return first, _archive_last_time(target, path) if small else None
    except FileNotFoundError:
        return None, None
    except (OSError, EOFError, ReadError) as exc:
        raise as_read_error(target, exc) from None


def as_read_error(target: Target, exc: BaseException) -> ReadError:
    """Word any failure to read a file origin as a ReadError (reason and hint)."""
    failure = file_failure(target.origin, exc)
    return ReadError(failure.reason, failure.hint)


def local_offset(target: Target) -> int | None:
    """Offset (s east of UTC) that a plain file's naive last timestamp looks written in.

    None when the file is compressed or unreadable, or its times agree with
    its modification time (extract/clock.py).
    """
    path = Path(target.origin.locator)
    try:
        if is_compressed(path):
            return None
        stat = path.stat()
        start = max(0, stat.st_size - HEAD_BYTES)
        with path.open("rb") as raw:
            raw.seek(start)
            tail = raw.read(HEAD_BYTES).split(b"\n")[1 if start else 0 :]
    except OSError:
        return None
    lines = [
        line.removesuffix(b"\r").decode("utf-8", "replace")
        for line in tail
        if line.strip() and target.is_start(line)
    ]
    written = stat.st_mtime_ns // 1000
    return clock.local_offset(target.parser, target.tz, lines, written)


def head_lines(path: Path, limit: int) -> tuple[list[bytes], bool]:
    """Return the complete lines in the first `limit` bytes, and whether that was all."""
    with open_log(path) as stream:
        data = stream.read(limit).removeprefix(UTF8_BOM)
        whole = len(data) < limit or not stream.read(1)
    lines = cr_lines(data).split(b"\n")
    if not whole or data.endswith(b"\n"):
        lines.pop()  # a line cut at `limit`, or the empty piece after the last \n
    return [line.removesuffix(b"\r") for line in lines], whole


def head_sample(target: Target, count: int) -> list[bytes]:
    """Read the first `count` non-blank lines of a file (decompressed), for `--check`.

    Raises:
        ReadError: as `time_coverage`; OSError: the file vanished.
    """
    try:
        lines, _ = head_lines(Path(target.origin.locator), SAMPLE_BYTES)
    except (OSError, EOFError, ReadError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise  # vanished since it was listed: not a failure of the source
        raise as_read_error(target, exc) from None
    return [line for line in lines if line.strip()][:count]


def _first_time(target: Target, lines: list[bytes]) -> int | None:
    for line in lines:
        time = time_of(target, line)
        if time is not None:
            return time
    return None


def _last_time(target: Target, path: Path) -> int | None:
    with path.open("rb") as raw:
        return tail_time(raw, target, path.stat().st_size)


def _archive_last_time(target: Target, path: Path) -> int | None:
    tail, cut = b"", False
    with open_log(path) as stream:
        while chunk := stream.read(HEAD_BYTES):
            tail += chunk
            cut = cut or len(tail) > ARCHIVE_TAIL
            tail = tail[-ARCHIVE_TAIL:]
    lines = tail.split(b"\n")
    for line in reversed(lines[1:] if cut else lines):
        time = time_of(target, line)
        if time is not None:
            return time
    return None
