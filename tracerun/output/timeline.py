"""Timeline: a trace's records → what the whole-timeline formats draw.

Spans per source (order of first appearance), the largest gaps, the hand-offs
between sources, the first error and a W3C trace id; shared by summary,
markdown, html, jaeger, otlp and mermaid so that they tell the same story.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Sequence
from typing import Any

import orjson

from tracerun.output.base import inert_json
from tracerun.plain import plain
from tracerun.record import NO_TIME, Record, field_text

MAX_OPERATION = 80
"""Characters of a span's name."""
ERROR_LEVELS = frozenset({"error", "fatal"})
TRACE_ID_KEYS = ("trace_id", "traceId", "trace.id", "traceid", "otel.trace_id")
"""Fields that may hold a W3C trace id (also `traceparent`), flat or dotted."""
_TRACE_ID = re.compile(r"[0-9a-f]{32}")
_TRACEPARENT = re.compile(r"[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}")


def is_error(record: Record) -> bool:
    """Tell whether a record is an error (normalised level error or fatal)."""
    return record.level in ERROR_LEVELS


def seconds(us: int) -> str:
    """Show a duration in µs as seconds with millisecond precision: `2.003 s`."""
    return f"{us / 1_000_000:.3f} s"


@plain(slots=True)
class SourceSpan:
    """One source's part of the trace: its first and last record, counts."""

    name: str
    index: int
    first: int = NO_TIME
    last: int = NO_TIME
    records: int = 0
    errors: int = 0

    @property
    def duration(self) -> int:
        """µs from its first to its last timed record (0 without a time)."""
        return 0 if self.first == NO_TIME else self.last - self.first


@plain(frozen=True, slots=True)
class Gap:
    """Time between two consecutive records of the merged timeline."""

    before: Record
    after: Record

    @property
    def duration(self) -> int:
        """Length of the gap in µs."""
        return self.after.time - self.before.time

    def name(self) -> str:
        """`orders → payments: 2.003 s`."""
        return f"{self.before.source} → {self.after.source}: {seconds(self.duration)}"


@plain(frozen=True, slots=True)
class Timeline:
    """What a list of merged records says as a whole."""

    records: Sequence[Record]
    spans: tuple[SourceSpan, ...]
    start: int
    end: int

    @classmethod
    def of(cls, records: Sequence[Record]) -> Timeline:
        """Build the timeline of records already in merged (time) order."""
        spans: dict[str, SourceSpan] = {}
        for record in records:
            span = spans.get(record.source)
            if span is None:
                span = spans[record.source] = SourceSpan(record.source, len(spans))
            span.records += 1
            span.errors += is_error(record)
            if record.time != NO_TIME:
                if span.first == NO_TIME:
                    span.first = record.time
                span.last = record.time
        timed = [r.time for r in records if r.time != NO_TIME]
        start, end = (min(timed), max(timed)) if timed else (NO_TIME, NO_TIME)
        return cls(records, tuple(spans.values()), start, end)

    @property
    def duration(self) -> int:
        """µs from the first to the last timed record."""
        return 0 if self.start == NO_TIME else self.end - self.start

    @property
    def timed(self) -> list[Record]:
        """The records that have a time, in order."""
        return [r for r in self.records if r.time != NO_TIME]

    def gaps(self, count: int = 3) -> list[Gap]:
        """Find the `count` largest gaps between consecutive timed records, largest first."""
        timed = self.timed
        gaps = [Gap(a, b) for a, b in itertools.pairwise(timed)]
        gaps = [g for g in gaps if g.duration > 0]
        gaps.sort(key=lambda g: (-g.duration, g.before.time))
        return gaps[:count]

    def hops(self) -> list[Gap]:
        """Each hand-off between sources: consecutive records whose source differs."""
        records = self.records
        return [
            Gap(a, b) for a, b in itertools.pairwise(records) if a.source != b.source
        ]

    def first_error(self) -> Record | None:
        """Find the first record whose level is error or fatal."""
        return next((r for r in self.records if is_error(r)), None)

    def trace_id(self, terms: Sequence[str] = ()) -> str:
        """Pick a 32-hex trace id: the first W3C `trace_id` in the records, else derived.

        Derived ids hash the search terms, so the same trace gets the same id.
        """
        for record in self.records:
            found = w3c_trace_id(record.fields)
            if found:
                return found
        digest = hashlib.sha256(
            "\n".join(terms).encode("utf-8", "surrogatepass")
        ).hexdigest()
        return digest[:32]


@plain(frozen=True, slots=True)
class TraceSpan:
    """One source as a tracing span: its records, times, id and parent.

    The first source to appear (where the request entered) is the root; every
    other source's span is its child.
    """

    source: SourceSpan
    span_id: str
    parent_id: str | None
    records: tuple[Record, ...]
    start: int
    end: int


def trace_spans(timeline: Timeline, trace_id: str) -> list[TraceSpan]:
    """Plan the spans of a trace, one per source, in order of first appearance."""
    spans: list[TraceSpan] = []
    fallback = 0 if timeline.start == NO_TIME else timeline.start
    for source in timeline.spans:
        records = tuple(r for r in timeline.records if r.source == source.name)
        start = fallback if source.first == NO_TIME else source.first
        end = fallback if source.last == NO_TIME else source.last
        parent = spans[0].span_id if spans else None
        ident = span_id(trace_id, source.name)
        spans.append(TraceSpan(source, ident, parent, records, start, end))
    return spans


def w3c_trace_id(fields: dict[str, Any]) -> str | None:
    """Find the W3C trace id a record carries (`trace_id`, `traceparent`, …), or None."""
    for key in TRACE_ID_KEYS:
        value = _lookup(fields, key)
        if isinstance(value, str):
            value = value.lower()
            if _TRACE_ID.fullmatch(value) and value != "0" * 32:
                return value
    parent = fields.get("traceparent")
    if isinstance(parent, str) and (match := _TRACEPARENT.fullmatch(parent.lower())):
        return match[1] if match[1] != "0" * 32 else None
    return None


def span_id(*parts: str) -> str:
    """Derive a stable 16-hex span id from names (the same trace, the same ids)."""
    return hashlib.sha256(
        "\x00".join(parts).encode("utf-8", "surrogatepass")
    ).hexdigest()[:16]


def message_of(record: Record) -> str:
    """Return the record's message, or its raw line when it has no message field."""
    return record.message or record.raw


def trailing_lines(record: Record) -> tuple[str, ...]:
    """Return the lines after the first: continuation lines, else a field's stack trace."""
    return record.continuation or record.stack


def operation(span: TraceSpan) -> str:
    """Name a span: its first record's message (one line, cut)."""
    first = message_of(span.records[0]).split("\n", 1)[0] if span.records else ""
    name = first or span.source.name
    return name if len(name) <= MAX_OPERATION else name[: MAX_OPERATION - 1] + "…"


def record_fields(record: Record) -> list[tuple[str, Any]]:
    """List what a record says as (key, value) pairs: message, level, where, fields."""
    message = "\n".join((message_of(record), *trailing_lines(record)))
    pairs: list[tuple[str, Any]] = [("message", message)]
    if record.level:
        pairs.append(("level", record.level))
    where = f"{record.origin}:{record.line}" if record.line else record.origin
    pairs.append(("origin", where))
    pairs += [(k, v) for k, v in record.fields.items() if k not in record.hidden]
    return pairs


def json_text(value: Any, *, indent: bool = False) -> str:
    """JSON text of a value (2-space indented when asked); wide integers kept."""
    try:
        text = orjson.dumps(value, option=orjson.OPT_INDENT_2 if indent else 0)
        return inert_json(text.decode())
    except TypeError:  # e.g. an integer wider than 64 bits
        import json  # noqa: PLC0415 - rare: only when orjson refuses a value

        # ASCII: a lone surrogate (JSON's "\ud800") becomes an escape, not a crash.
        separators = None if indent else (",", ":")
        return json.dumps(value, indent=2 if indent else None, separators=separators)


def value_text(value: Any) -> str:
    """Render a field value as text: nested values as JSON, scalars as compared."""
    return json_text(value) if isinstance(value, dict | list) else field_text(value)


def _lookup(fields: dict[str, Any], key: str) -> Any:
    if key in fields:
        return fields[key]
    node: Any = fields
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node
