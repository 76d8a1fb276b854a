"""Summary output: the whole timeline → a terminal waterfall, the largest gaps, the first error.

One row per source (order of first appearance) with a bar from its first to its
last record on a shared time axis, drawn with eighth blocks; readable without
colour. `-o summary` prints only this; `--summary` prints it after the records.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracerun.config.spec import OutputConfig
from tracerun.errors import printable
from tracerun.output.base import OutputContext, RunInfo, TimelineFormatter
from tracerun.output.color import BOLD_RED, DIM, RESET, source_color
from tracerun.output.timeline import (
    SourceSpan,
    Timeline,
    message_of,
    seconds,
)
from tracerun.record import NO_TIME, Record
from tracerun.timeparse import format_utc_ms

MIN_BAR = 20
_EIGHTHS = " ▏▎▍▌▋▊▉█"
_STATS = f" {'records':>7} {'errors':>6} {'span':>9}"


class SummaryFormatter(TimelineFormatter):
    """`-o summary`: nothing per record, the waterfall at the end."""

    def __init__(self, context: OutputContext) -> None:
        super().__init__()
        self._context = context

    def render(self, records: list[Record]) -> str:
        """Draw the waterfall of the records kept."""
        context = self._context
        return render_summary(records, context.info, context.width, color=context.color)


def build(_config: OutputConfig, context: OutputContext) -> SummaryFormatter:
    """Build the `summary` formatter (the registry's factory)."""
    return SummaryFormatter(context)


def render_summary(
    records: Sequence[Record], info: RunInfo, width: int, *, color: bool = False
) -> str:
    """Draw the summary of merged records in `width` columns (newline-terminated lines)."""
    timeline = Timeline.of(records)
    paint = _Painter(color)
    lines = [_headline(timeline, info), ""]
    if not timeline.spans:
        return "\n".join(lines[:1]) + "\n"
    lines += _waterfall(timeline, width, paint)
    timeless = sum(r.time == NO_TIME for r in records)
    if timeless:
        lines.append(f"({timeless} record(s) without a time are not on the axis)")
    gaps = timeline.gaps()
    if gaps:
        lines.append("")
        lines.append("Largest gaps:")
        lines += [
            f"  {printable(g.name())}  ({_clock(g.before.time)} → {_clock(g.after.time)})"
            for g in gaps
        ]
    lines += _first_error(timeline, width, paint)
    return "\n".join(lines) + "\n"


def _headline(timeline: Timeline, info: RunInfo) -> str:
    what = " ".join(info.terms) or "trace"
    count = len(timeline.records)
    if not count:
        return f"{printable(what)}: no records"
    sources = len(timeline.spans)
    head = (
        f"{printable(what)}: {count} record{'s' * (count != 1)} from {sources} "
        f"source{'s' * (sources != 1)}"
    )
    if timeline.start == NO_TIME:
        return head
    start, end = format_utc_ms(timeline.start), format_utc_ms(timeline.end)
    return f"{head} in {seconds(timeline.duration)} ({start} → {end})"


def _waterfall(timeline: Timeline, width: int, paint: _Painter) -> list[str]:
    name_width = max(len("source"), *(len(printable(s.name)) for s in timeline.spans))
    bar = max(MIN_BAR, width - name_width - len(_STATS) - 3)
    right = seconds(timeline.duration)
    axis = "0 s" + right.rjust(bar - 3)
    rows = [f"{'source'.ljust(name_width)} │{paint.dim(axis)}│{_STATS}"]
    for span in timeline.spans:
        cells = _bar(span, timeline, bar)
        stats = (
            f" {span.records:>7} {span.errors:>6} {seconds(span.duration):>9}"
            if span.first != NO_TIME
            else f" {span.records:>7} {span.errors:>6} {'-':>9}"
        )
        errors = paint.red(stats) if span.errors else stats
        tint = source_color(span.name)
        name = paint.tint(printable(span.name).ljust(name_width), tint)
        rows.append(f"{name} │{paint.tint(cells, tint)}│{errors}")
    return rows


def _bar(span: SourceSpan, timeline: Timeline, cells: int) -> str:
    """Draw a span's bar in `cells` columns, its ends placed to an eighth of a cell."""
    if span.first == NO_TIME:
        return " " * cells
    total = timeline.duration
    eighths = cells * 8
    if total == 0:
        lo, hi = 0, eighths
    else:
        lo = (span.first - timeline.start) * eighths // total
        hi = -(-(span.last - timeline.start) * eighths // total)
    lo = min(lo, eighths - 1)
    hi = max(hi, lo + 1)
    out = []
    for cell in range(cells):
        left, right = max(lo, cell * 8), min(hi, cell * 8 + 8)
        filled = right - left
        if filled <= 0:
            out.append(" ")
        elif filled == 8 or left == cell * 8:
            out.append(_EIGHTHS[filled])
        elif right == cell * 8 + 8:
            out.append("▐" if filled >= 4 else "▕")
        else:
            out.append(_EIGHTHS[filled])
    return "".join(out)


def _first_error(timeline: Timeline, width: int, paint: _Painter) -> list[str]:
    record = timeline.first_error()
    if record is None:
        return ["", "No errors."]
    at = "-" if record.time == NO_TIME else format_utc_ms(record.time)
    head = f"First error: {at} {printable(record.source)} {printable(record.level.upper())} "
    message = printable(message_of(record))
    room = max(40, width - len(head))
    if len(message) > room:
        message = message[: room - 1] + "…"
    where = f"{record.origin}:{record.line}" if record.line else record.origin
    return ["", paint.red(head + message), f"  at {printable(where)}"]


def _clock(us: int) -> str:
    return format_utc_ms(us)[11:23]


class _Painter:
    """ANSI colour when wanted, plain text otherwise."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def tint(self, text: str, code: str) -> str:
        return f"{code}{text}{RESET}" if self.color and code else text

    def dim(self, text: str) -> str:
        return self.tint(text, DIM)

    def red(self, text: str) -> str:
        return self.tint(text, BOLD_RED)
