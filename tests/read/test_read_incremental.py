"""Stream: bytes fed in any pieces give exactly the records of a one-shot scan."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from tracerun.config.model import FileSourceConfig, Profile, to_spec
from tracerun.read.assemble import Assembler
from tracerun.read.incremental import HELD_TOO_LONG, IncrementalReader
from tracerun.read.match import Matcher
from tracerun.read.scan import Needles, scan
from tracerun.trace.plan import source_target
from tracerun.trace.session import TraceOptions, build_query

PROFILE = to_spec(
    Profile(
        version=1,
        sources={
            "app": FileSourceConfig(
                type="file", paths=["x"], multiline={"start": r"^\d{4}-"}
            )
        },
    )
)
SCANNER = source_target(PROFILE, "app", 0)
QUERY = build_query(PROFILE, TraceOptions(terms=("abc",)), now=0)

LINES = [
    b"2026-03-20T14:10:00.100Z INFO start request_id=abc\n",
    b"2026-03-20T14:10:00.200Z INFO other request_id=zzz\n",
    b"2026-03-20T14:10:00.300Z ERROR boom request_id=abc\n",
    b"Traceback (most recent call last):\n",
    b'  File "x.py", line 1, in <module>\n',
    b"2026-03-20T14:10:00.400Z INFO mentions abc but request_id=q\n",
    b"2026-03-20T14:10:00.500Z WARN done request_id=abc\n",
]


def one_shot(data: bytes) -> list[tuple[int, str, tuple[str, ...]]]:
    assembler = Assembler(SCANNER, Matcher(QUERY))
    hits = scan(io.BytesIO(data), Needles.of(("abc",)), SCANNER.is_start)
    records = [r for hit in hits for r in assembler.records(hit)]
    return [(r.line, r.message, r.continuation) for r in records]


def fed(data: bytes, cuts: list[int]) -> list[tuple[int, str, tuple[str, ...]]]:
    stream = IncrementalReader(SCANNER, QUERY)
    records = []
    previous = 0
    for cut in [*sorted(cuts), len(data)]:
        records += stream.feed(data[previous:cut])
        previous = cut
    records += stream.finish()
    return [(r.line, r.message, r.continuation) for r in records]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(LINES), min_size=1, max_size=30),
    st.lists(st.integers(min_value=0, max_value=2000), max_size=12),
    st.sampled_from([b"\n", b"\r\n", b"\r"]),
)
def test_any_split_of_the_bytes_gives_the_one_shot_records(lines, cuts, ending):
    data = b"".join(lines).replace(b"\n", ending)
    cuts = [min(c, len(data)) for c in cuts]

    assert fed(data, cuts) == one_shot(data)


def test_lone_cr_line_endings_are_lines_as_they_arrive():
    data = b"".join(LINES).replace(b"\n", b"\r")

    assert (
        [(line, message) for line, message, _ in fed(data, [30, 31, 100, 101])]
        == [
            (1, "start"),
            (3, "boom"),
            (7, "done"),
        ]
        == [(line, message) for line, message, _ in one_shot(data)]
    )


def test_last_record_is_held_until_a_record_start_or_flush():
    stream = IncrementalReader(SCANNER, QUERY)

    assert stream.feed(LINES[2] + LINES[3]) == []
    assert stream.feed(LINES[4][:5]) == []
    assert [r.message for r in stream.feed(LINES[4][5:] + LINES[0])] == ["boom"]
    assert stream.pending == len(LINES[0])
    assert [(r.line, r.message) for r in stream.flush()] == [(4, "start")]
    assert stream.pending == 0


def test_flush_keeps_an_unfinished_line_and_finish_takes_it():
    stream = IncrementalReader(SCANNER, QUERY)

    assert stream.feed(LINES[0][:-1]) == []
    assert stream.flush() == []
    assert stream.partial == len(LINES[0]) - 1
    assert [r.message for r in stream.finish()] == ["start"]


def test_unparsable_hit_is_reported_once():
    profile = to_spec(
        Profile(
            version=1,
            sources={"app": FileSourceConfig(type="file", paths=["x"], parser="json")},
        )
    )
    stream = IncrementalReader(source_target(profile, "app", 0), QUERY)

    stream.feed(b"not json abc\nnot json abc either\n")
    stream.finish()
    message = (
        "app:1: a line contains a search value but does not parse with parser "
        "'json'; such lines are skipped"
    )
    assert stream.warnings() == [message]
    stream.feed(b"still not json abc\n")
    stream.finish()
    assert stream.warnings() == []


def test_ignore_case_finds_what_casefold_accepts_in_fed_bytes():
    query = build_query(
        PROFILE, TraceOptions(terms=("straße", "k-42"), ignore_case=True), now=0
    )
    stream = IncrementalReader(SCANNER, query)

    records = stream.feed(
        b"2026-03-20T14:10:00Z INFO a request_id=STRASSE\n"
        b"2026-03-20T14:10:01Z INFO b request_id=\xe2\x84\xaa-42\n"
    )
    records += stream.finish()

    assert [r.message for r in records] == ["a", "b"]


def test_timeless_records_fed_are_warned_about_once_per_call():
    stream = IncrementalReader(SCANNER, QUERY)

    stream.feed(b"2026-?? request_id=abc x=1\n2026-?? request_id=abc x=2\n")
    stream.finish()

    assert stream.warnings() == [
        (
            "app:1: record has no timestamp and none precedes it; it is shown "
            "first, without a time; and 1 more like it (first at line 1, last at 2)"
        )
    ]
    assert stream.warnings() == []


def _growing_query():
    from tracerun.plain import replace
    from tracerun.query import Growing

    query = build_query(
        PROFILE, TraceOptions(terms=("abc",)), now=0
    )  # bare `abc`: matched on request_id
    return replace(query, grow=Growing(query))


def test_grown_ids_are_found_in_the_recent_bytes_once(monkeypatch) -> None:
    query = _growing_query()
    reader = IncrementalReader(SCANNER, query)
    first = reader.feed(b"".join(LINES)) + reader.flush()
    assert [r.line for r in first] == [1, 3, 7]

    found = query.grow.add(["zzz", "abc"])  # abc is known: only zzz is new

    assert [(r.line, r.raw) for r in found] == [(2, LINES[1].decode().rstrip())]
    assert query.grow.add(["zzz"]) == []  # nothing new: nothing searched again
    more = reader.feed(b"2026-03-20T14:10:01.000Z INFO later request_id=zzz\n")
    assert [r.line for r in more + reader.flush()] == [8]  # live: the new needles


def test_a_reader_made_after_growth_searches_the_grown_ids() -> None:
    query = _growing_query()
    query.grow.add(["zzz"])
    reader = IncrementalReader(SCANNER, query)  # a file that appeared later

    found = reader.feed(b"".join(LINES)) + reader.flush()

    assert [r.line for r in found] == [1, 2, 3, 7]


def test_recent_bytes_are_bounded(monkeypatch) -> None:
    from tracerun.read import incremental

    monkeypatch.setattr(incremental, "RECENT_BYTES", len(LINES[1]))
    query = _growing_query()
    reader = IncrementalReader(SCANNER, query)
    reader.feed(LINES[1])  # zzz: held as the last record
    reader.feed(LINES[0])  # releases line 1 (scanned), holds this one
    reader.feed(LINES[2])
    reader.feed(LINES[6])
    reader.flush()

    # only the last chunk scanned is kept: line 1 (zzz) is out of reach
    assert query.grow.add(["zzz"]) == []


def test_a_line_that_never_ends_is_skipped_in_bounded_memory_and_told_with_its_number():
    stream = IncrementalReader(SCANNER, QUERY)
    records = stream.feed(LINES[0])  # line 1, held (the next line may continue it)
    records += stream.feed(b"2026-03-20T14:10:00.150Z INFO huge request_id=abc msg=")
    peak = 0
    piece = b"x" * 65536
    for _ in range(20 * 2**20 // len(piece)):  # 20 MiB of line 2, never ended
        records += stream.feed(piece)
        peak = max(peak, stream.pending)
    records += stream.feed(b"ab")  # the needle cut across two pieces: still seen
    records += stream.feed(b"c tail\n" + LINES[6])
    records += stream.finish()

    assert [(r.line, r.message) for r in records] == [(1, "start"), (3, "done")]
    assert stream.warnings() == [
        "app:2: line longer than 8 MiB contains a search value; it was skipped"
    ]
    assert peak <= 8 * 2**20 + 2 * len(piece)


def test_an_over_long_line_without_the_needle_is_skipped_silently():
    stream = IncrementalReader(SCANNER, QUERY)
    records = stream.feed(b"2026-03-20T14:10:00.150Z INFO " + b"y" * (9 * 2**20))
    records += stream.feed(b"\n" + LINES[0])
    records += stream.finish()

    assert [(r.line, r.message) for r in records] == [(2, "start")]
    assert stream.warnings() == []


def test_an_over_long_line_cut_by_the_end_of_its_origin_is_told():
    stream = IncrementalReader(SCANNER, QUERY)
    records = stream.feed(LINES[0] + b"request_id=abc " + b"z" * (9 * 2**20))
    records += stream.finish()

    assert [(r.line, r.message) for r in records] == [(1, "start")]
    assert stream.warnings() == [
        "app:2: line longer than 8 MiB contains a search value; it was skipped"
    ]


def test_a_long_line_fed_whole_is_told_with_its_number_in_the_stream():
    stream = IncrementalReader(SCANNER, QUERY)
    records = stream.feed(LINES[0] + LINES[1])
    long_line = (
        b"2026-03-20T14:10:00.250Z INFO request_id=abc " + b"w" * (20 * 2**20) + b"\n"
    )
    records += stream.feed(long_line + LINES[6])
    records += stream.finish()

    assert [(r.line, r.message) for r in records] == [(1, "start"), (4, "done")]
    assert stream.warnings() == [
        "app:3: line longer than 8 MiB contains a search value; it was skipped"
    ]


def test_a_record_longer_than_what_is_held_is_told_when_its_rest_is_framed():
    # A trace of 300 frames, its id on the last: the first 200 lines could not
    # be held, so its rest was framed from a frame line, as a record of its
    # own, without a word.
    frames = [b"  at frame %03d\n" % i for i in range(300)]
    data = [LINES[0], b"2026-03-20T14:10:00.300Z ERROR boom\n", *frames]
    data += [b"  caused by request_id=abc\n", LINES[6]]
    stream = IncrementalReader(SCANNER, QUERY)
    records = stream.feed(b"".join(data[:250]))
    records += stream.feed(b"".join(data[250:]))
    records += stream.finish()
    assert [(r.line, r.raw, len(r.continuation)) for r in records] == [
        (1, LINES[0].decode().rstrip(), 0),
        (251, "  at frame 248", 52),
        (304, LINES[6].decode().rstrip(), 0),
    ]
    assert stream.warnings() == [HELD_TOO_LONG.join(("app:251: ", ""))]
    assert HELD_TOO_LONG == (
        "record longer than 200 lines or 1 MiB was still being written; it is "
        "printed from this line on, without its first lines (hint: a one-shot "
        "trace of the file frames it whole)"
    )
