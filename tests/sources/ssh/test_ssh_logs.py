"""Framing what a host's grep sends back into records, with the source's own start rule."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from tracerun.extract import build_parser
from tracerun.extract.shapes import starts_record
from tracerun.query import Query, Term
from tracerun.read.tally import Miss
from tracerun.read.target import Target
from tracerun.sources.ssh.logs import (
    LOST_START,
    Framer,
    _File,
    hits_of,
    lost_notices,
)
from tracerun.sources.ssh.select import RemoteOrigin
from tracerun.timeparse import format_utc_ms


def frames(lines: list[bytes]) -> list[tuple[int, bytes]]:
    return [(hit.line, hit.data) for hit in hits_of(lines, starts_record)]


def test_a_hit_takes_its_continuation_lines() -> None:
    assert frames(
        [
            b"@F 0",
            b"4:2026-03-20T14:10:00Z boom",
            b"5-  frame",
            b"6-  frame 2",
            b"@R 0",
            b"@E 0",
        ]
    ) == [(4, b"2026-03-20T14:10:00Z boom\n  frame\n  frame 2")]


def test_a_context_line_that_starts_a_record_ends_the_record() -> None:
    assert frames(
        [b"1:2026-03-20T14:10:00Z a", b"2-2026-03-20T14:10:01Z b", b"3-  c"]
    ) == [(1, b"2026-03-20T14:10:00Z a")]


def test_adjacent_hits_are_two_records_and_a_gap_ends_one() -> None:
    assert frames(
        [b"1:2026-03-20T14:10:00Z a", b"2:2026-03-20T14:10:01Z b", b"5-  late"]
    ) == [(1, b"2026-03-20T14:10:00Z a"), (2, b"2026-03-20T14:10:01Z b")]


def test_a_hit_inside_a_continuation_belongs_to_its_record() -> None:
    assert frames([b"1:2026-03-20T14:10:00Z a", b"2:  id in a frame"]) == [
        (1, b"2026-03-20T14:10:00Z a\n  id in a frame")
    ]


def test_a_hit_that_continues_an_unsent_record_is_not_a_record() -> None:
    assert frames([b"7:  only a frame holds the id"]) == []
    assert frames([b"1:  but the first line of a file is"]) == [
        (1, b"  but the first line of a file is")
    ]


def test_grep_status_and_crlf_are_read() -> None:
    framer = Framer(starts_record)
    hits = framer.take(b"3:2026-03-20T14:10:00Z a\r") + framer.take(b"@R 2")
    hits += framer.take(b"@E 0")
    assert [(h.line, h.data) for h in hits] == [(3, b"2026-03-20T14:10:00Z a")]
    assert framer.grep_status == 2


def test_lines_that_are_not_grep_output_are_ignored() -> None:
    assert frames([b"garbage", b"12", b"x:y", b"-1:z"]) == []


def test_the_hosts_count_of_message_text_hits_is_read() -> None:
    framer = Framer(starts_record)
    for line in (b"@F 0", b"@R 1", b"@U 3 17", b"@E 0"):
        assert framer.take(line) == []
    assert framer.unkeyed == Miss(3, 17)
    assert framer.grep_status == 1


def test_a_context_start_and_its_continuation_up_to_a_hit_are_the_record() -> None:
    # The host sends the lines before a hit on a continuation line; the record
    # is numbered from its start line, as a local scan walks back to it.
    assert frames(
        [
            b"1:2026-03-20T14:10:00Z a",
            b"2-  frame of a",
            b"3-2026-03-20T14:10:01Z b",
            b"4-Traceback (most recent call last):",
            b"5:  caused by the id",
            b"6-ValueError: declined",
            b"7-2026-03-20T14:10:02Z c",
        ]
    ) == [
        (1, b"2026-03-20T14:10:00Z a\n  frame of a"),
        (
            3,
            b"2026-03-20T14:10:01Z b\nTraceback (most recent call last):"
            + b"\n  caused by the id\nValueError: declined",
        ),
    ]


def test_a_held_start_is_dropped_by_a_gap_another_start_or_the_file_end() -> None:
    assert frames([b"2-2026-03-20T14:10:00Z a", b"4:  after a gap"]) == []
    assert frames(
        [b"2-2026-03-20T14:10:00Z a", b"3-2026-03-20T14:10:01Z b", b"4:  id"]
    ) == [(3, b"2026-03-20T14:10:01Z b\n  id")]
    assert (
        frames([b"2-2026-03-20T14:10:00Z a", b"@R 0", b"@E 0", b"3:  id", b"@E 1"])
        == []
    )
    assert frames([b"2-2026-03-20T14:10:00Z a", b"3-  frame"]) == []


def test_context_that_does_not_reach_a_start_brings_no_record() -> None:
    assert frames([b"7-  frame", b"8-  frame", b"9:  caused by the id"]) == []
    assert frames([b"1-  a file's first line", b"2:  caused by the id"]) == [
        (1, b"  a file's first line\n  caused by the id")
    ]


def test_a_utf8_bom_before_line_1_is_dropped_and_nowhere_else() -> None:
    assert frames([b"1:\xef\xbb\xbf{} id", b"2:\xef\xbb\xbf{} id"]) == [
        (1, b"{} id\n\xef\xbb\xbf{} id")
    ]


def test_a_hit_whose_record_began_too_far_back_is_kept_to_be_told() -> None:
    framer = Framer(starts_record)
    for line in (b"@F 0", b"@L 9000", b"9000:  caused by the id", b"@R 0"):
        assert framer.take(line) == []
    assert lost_notices("web-1:/a.log", framer) == [f"web-1:/a.log:9000: {LOST_START}"]
    assert framer.lost == []


def test_a_hosts_hits_of_the_repeated_hour_are_placed_by_their_order() -> None:
    # Only the hits come back: the 02:20 hit after the 02:50 one is past the
    # clock going back (Europe/Berlin, 2024-10-27), and so is the 02:30 after it.
    origin = RemoteOrigin("app", 0, "ssh", "h:/app.log", "/app.log")
    target = Target(origin, build_parser("auto", {}), ZoneInfo("Europe/Berlin"))
    query = Query(terms=(Term("request_id", "r1"),), keys=("request_id",))
    read = _File(target, query, as_run=False)
    for line in [
        b"@F 0",
        b"1:2024-10-27 02:50:00 INFO a request_id=r1",
        b"7:2024-10-27 02:20:00 INFO b request_id=r1",
        b"9:2024-10-27 02:30:00 INFO c request_id=r1",
        b"@R 0",
        b"@E 0",
    ]:
        read.take(line)
    records = read.result.records
    records += [r for hit in read.framer.flush() for r in read.assembler.records(hit)]

    assert [(r.line, format_utc_ms(r.time)) for r in records] == [
        (1, "2024-10-27T00:50:00.000Z"),
        (7, "2024-10-27T01:20:00.000Z"),
        (9, "2024-10-27T01:30:00.000Z"),
    ]
