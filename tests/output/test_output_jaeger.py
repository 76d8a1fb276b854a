"""Jaeger: the document the Jaeger UI loads (the fields its JSON-file loader reads)."""

from __future__ import annotations

import json

from helpers.records import BASE, rec

from tracerun.output import BUILTIN, build_formatter
from tracerun.output.base import RunInfo

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
RECORDS = [
    rec(0, "edge", "POST /api/orders", level=""),
    rec(141, "orders", "received", fields={"trace_id": TRACE, "items": 3}),
    rec(190, "payments", "charge failed", level="error", continuation=("Traceback",)),
    rec(2197, "orders", "retrying", level="warn", fields={"ctx": {"u": 1}}),
    rec(3000, "edge", "POST /api/orders", level=""),
]


def render(records=RECORDS, terms=("req-1",)):
    formatter = build_formatter(
        BUILTIN["jaeger"], [], color=False, info=RunInfo(terms=terms, version="9")
    )
    for record in records:
        formatter.format(record)
    return json.loads(formatter.finish())


def test_document_has_the_shape_the_jaeger_ui_loads() -> None:
    (trace,) = render()["data"]

    assert trace["traceID"] == TRACE
    assert set(trace["processes"]) == {"p1", "p2", "p3"}
    for span in trace["spans"]:
        assert span["traceID"] == TRACE
        assert len(span["spanID"]) == 16
        assert int(span["spanID"], 16) >= 0
        assert span["processID"] in trace["processes"]
        assert isinstance(span["startTime"], int)
        assert isinstance(span["duration"], int)
        assert span["duration"] > 0
        assert isinstance(span["references"], list)
        for ref in span["references"]:
            assert ref["refType"] == "CHILD_OF"
            assert ref["spanID"] in {s["spanID"] for s in trace["spans"]}


def test_one_span_per_source_from_first_to_last_record_in_microseconds() -> None:
    (trace,) = render()["data"]

    spans = {
        trace["processes"][s["processID"]]["serviceName"]: s for s in trace["spans"]
    }
    assert list(spans) == ["edge", "orders", "payments"]
    assert (spans["edge"]["startTime"], spans["edge"]["duration"]) == (BASE, 3_000_000)
    assert (spans["orders"]["startTime"], spans["orders"]["duration"]) == (
        BASE + 141_000,
        2_056_000,
    )
    assert spans["edge"]["references"] == []
    assert spans["orders"]["references"] == [
        {"refType": "CHILD_OF", "traceID": TRACE, "spanID": spans["edge"]["spanID"]}
    ]
    assert spans["orders"]["operationName"] == "received"


def test_each_record_is_a_span_log_and_errors_are_tagged() -> None:
    (trace,) = render()["data"]
    payments = trace["spans"][2]

    assert {"key": "error", "type": "bool", "value": True} in payments["tags"]
    (log,) = payments["logs"]
    assert log["timestamp"] == BASE + 190_000
    assert log["fields"] == [
        {"key": "message", "type": "string", "value": "charge failed\nTraceback"},
        {"key": "level", "type": "string", "value": "error"},
        {"key": "origin", "type": "string", "value": "payments.log:1"},
        {"key": "error", "type": "bool", "value": True},
    ]
    orders = trace["spans"][1]
    assert {"key": "items", "type": "int64", "value": 3} in orders["logs"][0]["fields"]
    assert {"key": "ctx", "type": "string", "value": '{"u":1}'} in orders["logs"][1][
        "fields"
    ]
    assert not any(t["key"] == "error" for t in orders["tags"])


def test_without_a_w3c_trace_id_the_id_is_derived_from_the_terms() -> None:
    plain = [rec(0, "a"), rec(5, "b", fields={"big": 2**70})]

    first, again = render(plain), render(plain)

    assert first == again
    assert len(first["data"][0]["traceID"]) == 32
    assert first["data"][0]["spans"][1]["logs"][0]["fields"][-1] == {
        "key": "big",
        "type": "string",
        "value": str(2**70),
    }


def test_a_c1_control_in_a_message_is_a_json_escape_in_the_document() -> None:
    formatter = build_formatter(
        BUILTIN["jaeger"], [], color=False, info=RunInfo(terms=("r",), version="9")
    )
    formatter.format(rec(0, "edge", "csi \x9b2J del \x7f", level=""))
    text = formatter.finish()

    assert "\x9b" not in text
    assert "\x7f" not in text
    assert '"value": "csi \\u009b2J del \\u007f"' in text
