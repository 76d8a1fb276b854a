"""OTLP output: the whole timeline → OTLP/JSON traces, for Tempo or an OpenTelemetry collector.

One resource (service.name = source) and one span per source, each record a
span event; ids are hex, `*UnixNano` times are strings (the OTLP/JSON mapping);
a source with errors gets an ERROR status. POST it to a collector's
`/v1/traces`, or keep it as a file.
"""

from __future__ import annotations

from typing import Any

from tracerun.config.spec import OutputConfig
from tracerun.output.base import OutputContext, RunInfo, TimelineFormatter
from tracerun.output.timeline import (
    Timeline,
    TraceSpan,
    json_text,
    message_of,
    operation,
    record_fields,
    trace_spans,
)
from tracerun.record import NO_TIME, Record, field_text

SPAN_KIND_INTERNAL = 1
STATUS_ERROR = 2


def value(item: Any) -> dict[str, Any]:
    """Make an OTLP AnyValue: 64-bit integers as strings, nested values as JSON text."""
    if isinstance(item, bool):
        return {"boolValue": item}
    if isinstance(item, int) and -(2**63) <= item < 2**63:
        return {"intValue": str(item)}
    if isinstance(item, float):
        return {"doubleValue": item}
    if isinstance(item, dict | list):
        return {"stringValue": json_text(item)}
    return {"stringValue": field_text(item)}


def attributes(pairs: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """Make an OTLP KeyValue list."""
    return [{"key": key, "value": value(item)} for key, item in pairs]


class OtlpFormatter(TimelineFormatter):
    """The trace as one OTLP/JSON `ExportTraceServiceRequest`, after the last record."""

    def __init__(self, info: RunInfo) -> None:
        super().__init__()
        self._info = info

    def render(self, records: list[Record]) -> str:
        """Render the request of the records kept."""
        timeline = Timeline.of(records)
        trace_id = timeline.trace_id(self._info.terms)
        scope = {"name": "tracerun", "version": self._info.version}
        resource_spans = [
            {
                "resource": {
                    "attributes": attributes([("service.name", span.source.name)])
                },
                "scopeSpans": [{"scope": scope, "spans": [_span(span, trace_id)]}],
            }
            for span in trace_spans(timeline, trace_id)
        ]
        return json_text({"resourceSpans": resource_spans}, indent=True) + "\n"


def _span(span: TraceSpan, trace_id: str) -> dict[str, Any]:
    events = [
        {
            "timeUnixNano": _nanos(span.start if r.time == NO_TIME else r.time),
            "name": message_of(r).split("\n", 1)[0] or "record",
            "attributes": attributes(record_fields(r)),
        }
        for r in span.records
    ]
    document: dict[str, Any] = {
        "traceId": trace_id,
        "spanId": span.span_id,
        "name": operation(span),
        "kind": SPAN_KIND_INTERNAL,
        "startTimeUnixNano": _nanos(span.start),
        "endTimeUnixNano": _nanos(max(span.end, span.start + 1)),
        "attributes": attributes([("tracerun.records", span.source.records)]),
        "events": events,
        "status": {},
    }
    if span.parent_id is not None:
        document["parentSpanId"] = span.parent_id
    if span.source.errors:
        first = next(r for r in span.records if r.level in ("error", "fatal"))
        message = message_of(first).split("\n", 1)[0]
        document["status"] = {"code": STATUS_ERROR, "message": message}
    return document


def _nanos(us: int) -> str:
    return str(us * 1000)


def build(_config: OutputConfig, context: OutputContext) -> OtlpFormatter:
    """Build the `otlp` formatter (the registry's factory)."""
    return OtlpFormatter(context.info)
