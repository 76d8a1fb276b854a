"""Jaeger output: the whole timeline → the JSON file the Jaeger UI opens without a backend.

`{"data": [{"traceID", "spans", "processes"}]}` as Jaeger's query API returns
it (and its search page's "JSON File" loads): times in µs, one span per source
from its first to its last record, each record a span log, errors tagged. The
trace id is the logs' W3C `trace_id` when they carry one.
"""

from __future__ import annotations

from typing import Any

from tracerun.config.spec import OutputConfig
from tracerun.output.base import OutputContext, RunInfo, TimelineFormatter
from tracerun.output.timeline import (
    Timeline,
    TraceSpan,
    is_error,
    json_text,
    operation,
    record_fields,
    trace_spans,
)
from tracerun.record import NO_TIME, Record, field_text


def tag(key: str, value: Any) -> dict[str, Any]:
    """Make a Jaeger key/type/value tag; nested values become JSON text."""
    if isinstance(value, bool):
        return {"key": key, "type": "bool", "value": value}
    if isinstance(value, int) and -(2**63) <= value < 2**63:
        return {"key": key, "type": "int64", "value": value}
    if isinstance(value, float):
        return {"key": key, "type": "float64", "value": value}
    if isinstance(value, dict | list):
        return {"key": key, "type": "string", "value": json_text(value)}
    return {"key": key, "type": "string", "value": field_text(value)}


class JaegerFormatter(TimelineFormatter):
    """The trace as one Jaeger JSON document, written after the last record."""

    def __init__(self, info: RunInfo) -> None:
        super().__init__()
        self._info = info

    def render(self, records: list[Record]) -> str:
        """Render the document of the records kept."""
        timeline = Timeline.of(records)
        trace_id = timeline.trace_id(self._info.terms)
        spans = trace_spans(timeline, trace_id)
        processes = {f"p{s.source.index + 1}": _process(s, self._info) for s in spans}
        document = {
            "data": [
                {
                    "traceID": trace_id,
                    "spans": [_span(s, trace_id) for s in spans],
                    "processes": processes,
                    "warnings": None,
                }
            ],
            "total": 0,
            "limit": 0,
            "offset": 0,
            "errors": None,
        }
        return json_text(document, indent=True) + "\n"


def _span(span: TraceSpan, trace_id: str) -> dict[str, Any]:
    references = (
        []
        if span.parent_id is None
        else [{"refType": "CHILD_OF", "traceID": trace_id, "spanID": span.parent_id}]
    )
    tags = [tag("span.kind", "internal"), tag("records", span.source.records)]
    if span.source.errors:
        tags += [tag("error", True), tag("errors", span.source.errors)]
    logs = [
        {
            "timestamp": span.start if r.time == NO_TIME else r.time,
            "fields": [tag(k, v) for k, v in record_fields(r)]
            + ([tag("error", True)] if is_error(r) else []),
        }
        for r in span.records
    ]
    return {
        "traceID": trace_id,
        "spanID": span.span_id,
        "flags": 1,
        "operationName": operation(span),
        "references": references,
        "startTime": span.start,
        "duration": max(1, span.end - span.start),
        "tags": tags,
        "logs": logs,
        "processID": f"p{span.source.index + 1}",
        "warnings": None,
    }


def _process(span: TraceSpan, info: RunInfo) -> dict[str, Any]:
    origins = sorted({r.origin for r in span.records})
    tags = [tag("tracerun.origins", ", ".join(origins))]
    if info.version:
        tags.append(tag("tracerun.version", info.version))
    return {"serviceName": span.source.name, "tags": tags}


def build(_config: OutputConfig, context: OutputContext) -> JaegerFormatter:
    """Build the `jaeger` formatter (the registry's factory)."""
    return JaegerFormatter(context.info)
