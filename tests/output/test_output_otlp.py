"""OTLP/JSON: resource spans with hex ids, nanosecond strings, events and status."""

from __future__ import annotations

import json

from helpers.records import BASE, rec

from tracerun.output import BUILTIN, build_formatter
from tracerun.output.base import RunInfo

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def render(records):
    formatter = build_formatter(
        BUILTIN["otlp"], [], color=False, info=RunInfo(terms=("r",), version="9")
    )
    for record in records:
        formatter.format(record)
    return json.loads(formatter.finish())


def test_one_resource_and_span_per_source_with_hex_ids_and_string_nanos() -> None:
    document = render(
        [
            rec(
                0,
                "edge",
                "in",
                fields={"traceparent": f"00-{TRACE}-b7ad6b7169203331-01"},
            ),
            rec(100, "orders", "boom", level="error", fields={"n": 3, "ok": True}),
            rec(300, "orders", "after"),
        ]
    )

    edge, orders = document["resourceSpans"]
    assert edge["resource"]["attributes"] == [
        {"key": "service.name", "value": {"stringValue": "edge"}}
    ]
    assert orders["scopeSpans"][0]["scope"] == {"name": "tracerun", "version": "9"}
    (root,) = edge["scopeSpans"][0]["spans"]
    (span,) = orders["scopeSpans"][0]["spans"]
    assert (root["traceId"], span["traceId"]) == (TRACE, TRACE)
    assert "parentSpanId" not in root
    assert span["parentSpanId"] == root["spanId"]
    assert span["startTimeUnixNano"] == str((BASE + 100_000) * 1000)
    assert span["endTimeUnixNano"] == str((BASE + 300_000) * 1000)
    assert span["status"] == {"code": 2, "message": "boom"}
    assert root["status"] == {}
    assert [e["name"] for e in span["events"]] == ["boom", "after"]
    assert span["events"][0]["timeUnixNano"] == str((BASE + 100_000) * 1000)
    attributes = span["events"][0]["attributes"]
    assert {"key": "n", "value": {"intValue": "3"}} in attributes
    assert {"key": "ok", "value": {"boolValue": True}} in attributes
    assert {"key": "level", "value": {"stringValue": "error"}} in attributes
