"""Peek: a Plan → what `tracerun sources` shows of each origin, read cheaply.

Per file: its size and time coverage (first and last timestamp, from its head and
tail); per container: the engine's time of its first and last line; with `--check`
the share of each origin's first lines that parse and carry a timestamp.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tracerun.config.spec import Profile
from tracerun.plan import Plan
from tracerun.read.target import Target
from tracerun.seek import tail_time, time_of
from tracerun.timeparse import format_utc_ms, parse_time

HEAD_BYTES = 64 * 1024
"""How much of a file's start is read for its first timestamp."""
ARCHIVE_TAIL = 64 * 1024
"""How much of a small archive's end is kept to find its last timestamp."""
CHECK_LINES = 1000
"""How many lines of each file's head `--check` parses."""
SMALL_ARCHIVE = 1024 * 1024
"""A compressed file up to this size is read whole for its last timestamp."""
_CHECK_BYTES = 1024 * 1024
_COMPRESSED = (b"\x1f\x8b", b"\x28\xb5\x2f\xfd")  # gzip, zstd (sources/files.py)
_LOW_SHARE = 0.5
_READABLE = ("file", "docker")


@dataclass(frozen=True, slots=True)
class Sample:
    """What `--check` found in the head of one origin.

    Attributes:
        lines: non-blank lines read.
        records: lines that start a record (the others continue one).
        parsed: records the parser read.
        timed: parsed records with a readable timestamp.
    """

    lines: int
    records: int
    parsed: int
    timed: int
    engine_time: bool = False
    """The engine's time stands in for a line without its own (containers)."""


@dataclass(slots=True)
class Listing:
    """The lines `tracerun sources` prints, and warnings for stderr."""

    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def describe_sources(profile: Profile, plan: Plan, *, check: bool = False) -> Listing:
    """List each source with its parser and origins: size, time coverage, sample.

    Args:
        profile: The profile the plan was built from (for source types, parsers).
        plan: The resolved origins.
        check: Also parse a sample of each file's first lines and report shares.

    Returns:
        The lines to print, and a warning per origin whose sample mostly fails.
    """
    listing = Listing()
    by_source: dict[str, list[Target]] = {name: [] for name in plan.source_names}
    for target in plan.targets:
        by_source[target.origin.source].append(target)
    for name, targets in by_source.items():
        config = profile.sources[name]
        parser = config.parser if isinstance(config.parser, str) else config.parser.type
        count = f"{len(targets)} origin{'' if len(targets) == 1 else 's'}"
        listing.lines.append(f"{name} ({config.type}, parser {parser}): {count}")
        listing.lines.extend(_origin_lines(targets, listing if check else None))
        if not targets:
            listing.lines.append("  (nothing found)")
    return listing


def _origin_lines(targets: list[Target], checked: Listing | None) -> Iterator[str]:
    rows = [_row(target) for target in targets]
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(2)]
    for target, (origin, size, rest) in zip(targets, rows, strict=True):
        head = f"  {origin.ljust(widths[0])}  {size.rjust(widths[1])}"
        yield f"{head}  {rest}".rstrip()
        if checked is not None and target.origin.kind in _READABLE:
            yield f"    sample: {_check(target, checked)}"


def _row(target: Target) -> tuple[str, str, str]:
    origin = target.origin
    size = human_size(origin.size) if origin.size is not None else "?"
    extra = [origin.detail] if origin.detail else []
    if origin.kind in _READABLE:
        extra.append(_coverage_text(target))
    return origin.name, size, "  ".join(extra)


def _coverage_text(target: Target) -> str:
    if target.origin.kind == "docker":
        first, last = container_coverage(target)
    else:
        first, last = time_coverage(target)
    if first is None and last is None:
        return "no timestamp found"
    shown = [format_utc_ms(t) if t is not None else "?" for t in (first, last)]
    return " → ".join(shown)


def time_coverage(target: Target) -> tuple[int | None, int | None]:
    """Read the first and the last timestamp of a file origin (µs), cheaply.

    The first comes from the head; the last from the tail of a plain file (read
    back from its end, so a large file costs a few KiB). A compressed file has
    no cheap tail: up to SMALL_ARCHIVE it is read whole, a larger one gets None
    for its last timestamp (shown as `?`), as does anything that cannot be read.
    """
    path = Path(target.origin.locator)
    try:
        with path.open("rb") as raw:
            compressed = raw.read(4).startswith(_COMPRESSED)
        first = _first_time(target, _head_lines(path, HEAD_BYTES)[0])
        if not compressed:
            return first, _last_time(target, path)
        small = path.stat().st_size <= SMALL_ARCHIVE
        return first, _archive_last_time(target, path) if small else None
    except (OSError, EOFError):
        return None, None


def _head_lines(path: Path, limit: int) -> tuple[list[bytes], bool]:
    """Return the complete lines in the first `limit` bytes, and whether that was all."""
    from tracerun.sources.files import open_log  # noqa: PLC0415 - gzip/zstd support

    with open_log(path) as stream:
        data = stream.read(limit)
        whole = len(data) < limit or not stream.read(1)
    lines = data.split(b"\n")
    if not whole or data.endswith(b"\n"):
        lines.pop()  # a line cut at `limit`, or the empty piece after the last \n
    return [line.removesuffix(b"\r") for line in lines], whole


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
    from tracerun.sources.files import open_log  # noqa: PLC0415

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


def sample_origin(target: Target) -> Sample:
    """Parse the first CHECK_LINES lines of an origin and count what parsed."""
    is_start: Callable[[bytes], bool] = target.is_start
    if target.origin.kind == "docker":
        from tracerun.sources.docker import content, record_start_rule  # noqa: PLC0415

        lines = [content(line) for line in _container_head(target, CHECK_LINES)]
        is_start = record_start_rule(target)
    else:
        lines, _ = _head_lines(Path(target.origin.locator), _CHECK_BYTES)
    kept = [line for line in lines if line.strip()][:CHECK_LINES]
    records = parsed = timed = 0
    for line in kept:
        if not is_start(line):
            continue
        records += 1
        result = target.parser.parse(line.decode("utf-8", "replace"), target.tz)
        parsed += result is not None
        timed += result is not None and result.time is not None
    return Sample(len(kept), records, parsed, timed, target.origin.kind == "docker")


def container_coverage(target: Target) -> tuple[int | None, int | None]:
    """Read the engine's times of a container's first and last log line (µs).

    Cheap: the first line is streamed and the stream closed; the last comes
    from the engine's `tail=1`. (None, None) when the engine cannot be asked.
    """
    from tracerun.sources.engine import EngineError  # noqa: PLC0415

    try:
        head, last = _container_lines(target, 1, with_last=True)
    except EngineError:
        return None, None
    first = _engine_time(head[0]) if head else None
    return first, _engine_time(last) if last else None


def _container_head(target: Target, count: int) -> list[bytes]:
    return _container_lines(target, count, with_last=False)[0]


def _container_lines(
    target: Target, count: int, *, with_last: bool
) -> tuple[list[bytes], bytes]:
    """Stream a container's first `count` lines (engine-stamped), and its last one."""
    from tracerun.sources.docker import log_head  # noqa: PLC0415 - docker SDK
    from tracerun.sources.engine import connect  # noqa: PLC0415

    origin = target.origin
    streams = tuple(origin.param("streams", ("stdout", "stderr")))
    last = b""
    with connect(origin.param("host"), origin.source) as client:
        head = log_head(
            client,
            origin.locator,
            count,
            _CHECK_BYTES,
            streams=streams,
            timestamps=True,
        )
        if with_last:
            out, err = "stdout" in streams, "stderr" in streams
            tail = client.api.logs(origin.locator, out, err, timestamps=True, tail=1)
            last = tail.rstrip(b"\n")
    return head, last


def _engine_time(line: bytes) -> int | None:
    """Read the engine's `2026-03-20T14:10:00.123456789Z ` prefix of a log line."""
    stamp = line.split(b" ", 1)[0].decode("ascii", "replace")
    return parse_time(stamp) if stamp else None


def _check(target: Target, listing: Listing) -> str:
    """Sample one file; note a warning when most of it does not parse."""
    origin = target.origin
    try:
        sample = sample_origin(target)
    except (OSError, EOFError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        return f"cannot read: {reason}"
    warning = _sample_warning(sample)
    if warning:
        listing.warnings.append(f"source {origin.source}: {origin.name}: {warning}")
    return _sample_text(sample)


def _sample_text(sample: Sample) -> str:
    if not sample.lines:
        return "empty"
    if not sample.records:
        return f"{sample.lines} lines, none starts a record"
    rest = sample.lines - sample.records
    more = f" (+{rest} continuation line{'' if rest == 1 else 's'})" if rest else ""
    stand_in = " (the engine's for the rest)" if sample.engine_time else ""
    return (
        f"{sample.records} records{more}: {_share(sample.parsed, sample.records)} "
        f"parsed, {_share(sample.timed, sample.records)} with a timestamp{stand_in}"
    )


def _sample_warning(sample: Sample) -> str | None:
    if not sample.lines:
        return None
    if sample.records == 0 or sample.parsed < sample.records * _LOW_SHARE:
        return (
            f"only {sample.parsed} of {sample.records or sample.lines} sampled "
            f"{'records' if sample.records else 'lines'} parsed; "
            "is this source's parser right for its lines?"
        )
    if sample.timed < sample.records * _LOW_SHARE and not sample.engine_time:
        return (
            f"only {sample.timed} of {sample.records} sampled records have a "
            "readable timestamp; set the parser's time.field / time.format"
        )
    return None


def _share(part: int, whole: int) -> str:
    return f"{part} ({100 * part // whole}%)"


def human_size(size: int) -> str:
    """Format a byte count as `812 B`, `3.4 KB`, `1.2 GB`."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"  # pragma: no cover - unreachable
