"""Timeline: spans per source, gaps, hops, first error and trace id of merged records."""

from __future__ import annotations

from helpers.records import BASE, rec

from tracerun.output.base import visible
from tracerun.output.timeline import Timeline, span_id, w3c_trace_id

RECORDS = [
    rec(0, "gateway"),
    rec(141, "orders"),
    rec(190, "payments"),
    rec(2193, "payments", "charge failed", level="error"),
    rec(2197, "orders", level="warn"),
    rec(3000, "gateway"),
]


def test_spans_are_in_order_of_first_appearance_with_counts() -> None:
    timeline = Timeline.of(RECORDS)

    assert [
        (s.name, s.first - BASE, s.last - BASE, s.records, s.errors)
        for s in timeline.spans
    ] == [
        ("gateway", 0, 3_000_000, 2, 0),
        ("orders", 141_000, 2_197_000, 2, 0),
        ("payments", 190_000, 2_193_000, 2, 1),
    ]
    assert (timeline.start - BASE, timeline.duration) == (0, 3_000_000)


def test_largest_gaps_are_named_by_the_sources_on_each_side() -> None:
    gaps = Timeline.of(RECORDS).gaps(2)

    assert [g.name() for g in gaps] == [
        "payments → payments: 2.003 s",
        "orders → gateway: 0.803 s",
    ]


def test_hops_are_the_hand_offs_between_different_sources() -> None:
    hops = Timeline.of(RECORDS).hops()

    assert [(h.before.source, h.after.source) for h in hops] == [
        ("gateway", "orders"),
        ("orders", "payments"),
        ("payments", "orders"),
        ("orders", "gateway"),
    ]


def test_first_error_is_the_first_record_at_error_or_fatal() -> None:
    assert Timeline.of(RECORDS).first_error() is RECORDS[3]
    assert Timeline.of(RECORDS[:3]).first_error() is None


def test_records_without_a_time_count_but_stay_off_the_axis() -> None:
    timeline = Timeline.of([rec(None, "a"), rec(5, "b"), rec(8, "b")])

    assert [(s.name, s.records, s.duration) for s in timeline.spans] == [
        ("a", 1, 0),
        ("b", 2, 3000),
    ]
    assert timeline.duration == 3000


def test_trace_id_is_the_logs_w3c_trace_id_when_they_carry_one() -> None:
    carried = [
        rec(0, "a"),
        rec(1, "b", fields={"trace_id": "4BF92F3577B34DA6A3CE929D0E0E4736"}),
    ]

    assert Timeline.of(carried).trace_id(["x"]) == "4bf92f3577b34da6a3ce929d0e0e4736"


def test_trace_id_is_derived_from_the_terms_otherwise_and_is_stable() -> None:
    first = Timeline.of(RECORDS).trace_id(["req-1"])

    assert first == Timeline.of(RECORDS[:2]).trace_id(["req-1"])
    assert first != Timeline.of(RECORDS).trace_id(["req-2"])
    assert len(first) == 32
    assert int(first, 16)


def test_w3c_trace_id_reads_traceparent_and_nested_keys_and_refuses_zeros() -> None:
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

    assert w3c_trace_id({"traceparent": parent}) == "0af7651916cd43dd8448eb211c80319c"
    assert w3c_trace_id({"trace": {"id": "a" * 32}}) == "a" * 32
    assert w3c_trace_id({"trace_id": "0" * 32}) is None
    assert w3c_trace_id({"trace_id": "not-hex"}) is None


def test_span_ids_are_16_hex_and_differ_per_source() -> None:
    assert len(span_id("t", "orders")) == 16
    assert span_id("t", "orders") != span_id("t", "payments")


def test_visible_shows_terminal_control_characters() -> None:
    assert visible("a\x1b]52;c;x\x07b\tc\x9b") == "a\\x1b]52;c;x\\x07b\tc\\x9b"
