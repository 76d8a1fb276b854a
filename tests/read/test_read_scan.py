import io
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from tracerun.read import scan as scan_module
from tracerun.read.endings import first_end_is_lone_cr
from tracerun.read.scan import LOOKBACK, Needles, Scan, ScanNotice, scan

START = re.compile(rb"^\d{4} ")


def is_start(line: bytes) -> bool:
    return START.match(line) is not None


def hits(data: bytes, needles: tuple[str, ...], chunk: int = 1 << 20, **kw):
    found = scan(io.BytesIO(data), Needles.of(needles, **kw), is_start, chunk=chunk)
    return [(h.line, h.data) for h in found]


def reference(data: bytes, needle: bytes) -> list[tuple[int, bytes]]:
    """Records (start line, bytes) with the needle in any of their lines, the slow way.

    A lone CR ends a line when the first line ends with one (old Mac OS files).
    """
    first = re.search(rb"\r\n|\r|\n", data)
    if first is not None and first.group() == b"\r":
        data = re.sub(rb"\r(?!\n)", b"\n", data)
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines.pop()
    records: list[tuple[int, list[bytes]]] = []
    for number, line in enumerate(lines, 1):
        if not records or is_start(line.removesuffix(b"\r")):
            records.append((number, [line]))
        else:
            records[-1][1].append(line)
    return [
        (number, b"\n".join(body).removesuffix(b"\r"))
        for number, body in records
        if any(needle in line for line in body)
    ]


def test_finds_records_with_their_continuation_lines():
    data = (
        b"2026 a request_id=r1\n"
        b"2026 b request_id=r2\n"
        b"2026 c request_id=r1 failed\n"
        b"Traceback (most recent call last):\n"
        b'  File "x.py", line 1\n'
        b"2026 d request_id=r3\n"
    )
    assert hits(data, ("r1",)) == [
        (1, b"2026 a request_id=r1"),
        (
            3,
            b'2026 c request_id=r1 failed\nTraceback (most recent call last):\n  File "x.py", line 1',
        ),
    ]


def test_needle_in_a_continuation_line_frames_the_record_it_continues():
    data = b"2026 a request_id=r2\n  caused by r1\n2026 b request_id=r1\n"
    assert hits(data, ("r1",)) == [
        (1, b"2026 a request_id=r2\n  caused by r1"),
        (3, b"2026 b request_id=r1"),
    ]


def test_needle_in_a_continuation_line_after_a_block_boundary_keeps_its_line():
    head = b"".join(b"2026 x%04d filler\n" % i for i in range(50))
    data = head + b"2026 a start\n  one\n  two request_id=r1\n2026 b end\n"
    assert hits(data, ("r1",), chunk=len(head) + 20) == [
        (51, b"2026 a start\n  one\n  two request_id=r1"),
    ]


def test_first_line_of_file_counts_as_a_record_even_without_a_timestamp():
    data = b"r1 at the very top\n2026 a other\n"
    assert hits(data, ("r1",)) == [(1, b"r1 at the very top")]


def test_final_line_without_newline_and_crlf_endings():
    data = b"2026 a r1\r\n2026 b x\r\n2026 c r1"
    assert hits(data, ("r1",)) == [(1, b"2026 a r1"), (3, b"2026 c r1")]


def test_several_needles_are_found_in_one_pass_in_file_order():
    data = b"2026 a beta\n2026 b alpha\n2026 c gamma\n2026 d alpha beta\n"
    assert [n for n, _ in hits(data, ("alpha", "beta"))] == [1, 2, 4]


def test_ignore_case_finds_any_case():
    data = b"2026 a REQ-ABC\n2026 b req-abc\n2026 c req-abd\n"
    assert [n for n, _ in hits(data, ("Req-Abc",), ignore_case=True)] == [1, 2]


def test_empty_stream_gives_nothing():
    assert hits(b"", ("r1",)) == []


def test_over_long_line_with_a_hit_is_skipped_with_a_notice(monkeypatch):
    monkeypatch.setattr(scan_module, "MAX_RECORD", 64)
    long_line = b"2026 x " + b"y" * 100 + b" r1 " + b"z" * 100
    data = b"2026 a r1\n" + long_line + b"\n2026 b r1\n"
    notices: list[ScanNotice] = []
    found = scan(io.BytesIO(data), Needles.of(("r1",)), is_start, notices, chunk=16)
    assert [(h.line, h.data) for h in found] == [
        (1, b"2026 a r1"),
        (3, b"2026 b r1"),
    ]
    assert [n.line for n in notices] == [2]
    assert "longer than" in notices[0].message


def test_a_multiline_record_over_the_cap_is_cut_with_a_notice(monkeypatch):
    monkeypatch.setattr(scan_module, "MAX_RECORD", 64)
    frames = b"".join(b"  frame %02d r1\n" % i for i in range(20))
    data = b"2026 a r1\n" + frames + b"2026 b r1\n"
    notices: list[ScanNotice] = []

    found = scan(io.BytesIO(data), Needles.of(("r1",)), is_start, notices, chunk=16)

    cut = [(h.line, h.data.count(b"\n") + 1) for h in found]
    assert cut[0][0] == 1
    assert 1 < cut[0][1] < 21  # the head and some of its frames, not all
    assert cut[1:] == [(22, 1)]
    assert [n.line for n in notices] == [1]
    assert notices[0].message.startswith("record longer than 0 MiB (a line and its")


def test_over_long_line_without_a_hit_is_skipped_silently(monkeypatch):
    monkeypatch.setattr(scan_module, "MAX_RECORD", 64)
    data = b"2026 a r1\n2026 " + b"q" * 500 + b"\n2026 b r1\n"
    notices: list[ScanNotice] = []
    found = scan(io.BytesIO(data), Needles.of(("r1",)), is_start, notices, chunk=16)
    assert [h.line for h in found] == [1, 3]
    assert notices == []


def test_lines_before_gives_the_earlier_lines_nearest_first_with_offsets():
    data = b"2026 a first\n  frame\r\n2026 b r1\n"
    found = scan(io.BytesIO(data), Needles.of(("r1",)), is_start, chunk=16)
    assert [list(h.lines_before(h.offset - LOOKBACK)) for h in found] == [
        [(13, b"  frame\r"), (0, b"2026 a first")]
    ]


def test_lines_before_stops_at_the_low_offset_exclusive():
    data = b"2026 a first\n2026 b second\n2026 c r1\n"
    found = scan(io.BytesIO(data), Needles.of(("r1",)), is_start)
    assert [list(h.lines_before(13)) for h in found] == [[]]
    found = scan(io.BytesIO(data), Needles.of(("r1",)), is_start)
    assert [list(h.lines_before(12)) for h in found] == [[(13, b"2026 b second")]]


def test_lines_before_a_range_never_gives_a_line_cut_by_the_range_base():
    data = b"x" * 100 + b"\n2026 a r1\n"
    stream = io.BytesIO(data)
    stream.seek(50)
    ranged = Scan(stream, Needles.of(("r1",)), is_start, base=50, start=101)
    assert [(h.offset, list(h.lines_before(h.offset - LOOKBACK))) for h in ranged] == [
        (101, [])
    ]


_line = st.one_of(
    st.sampled_from(
        [
            b"2026 info r1 ok",
            b"2026 info r2",
            b"2026 warn id=r10",
            b"  at frame r1",
            b"Traceback",
            b"",
            b"2026 x r1\r",
            b"plain r1",
        ]
    ),
    st.binary(max_size=12).filter(lambda b: b"\n" not in b),
)


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(_line, max_size=40),
    trailing_newline=st.booleans(),
    chunk=st.integers(min_value=1, max_value=64),
)
def test_block_size_never_changes_the_result(lines, trailing_newline, chunk):
    data = b"\n".join(lines) + (b"\n" if trailing_newline and lines else b"")
    assert hits(data, ("r1",), chunk=chunk) == reference(data, b"r1")


def test_ignore_case_of_a_long_all_letter_value_has_no_slow_path():
    data = b"2026 a ABCDEFGHIJKL\n2026 b abcdefghijkl\n2026 c abcdefghijkx\n"
    searcher = scan_module._Searcher(Needles.of(("AbcdefghijkL",), ignore_case=True))
    assert len(searcher._strategies) == 1  # folded SIMD search, not a lowered copy
    assert [n for n, _ in hits(data, ("AbcdefghijkL",), ignore_case=True)] == [1, 2]


def test_ignore_case_folds_like_casefold_beyond_one_to_one_letters():
    data = "2026 a STRASSE-1\n2026 b straße-1\n2026 c strase-1\n".encode()
    assert [n for n, _ in hits(data, ("Straße-1",), ignore_case=True)] == [1, 2]


def test_ignore_case_with_many_values_lowercases_blocks_of_long_ones():
    values = ("AbcdefghijkL", *(f"id-{n}" for n in range(40)))
    data = b"2026 a ABCDEFGHIJKL\n2026 b ID-7\n2026 c abcdefghijkx\n2026 d iD-39\n"
    assert [n for n, _ in hits(data, values, ignore_case=True)] == [1, 2, 4]


def test_ignore_case_finds_a_value_split_across_blocks():
    data = b"2026 a " + b"x" * 60 + b" REQ-ABC\n2026 b req-abd\n2026 c ReQ-aBc\n"
    for chunk in (16, 64, 70, 71, 72):
        found = hits(data, ("req-abc",), chunk=chunk, ignore_case=True)
        assert [n for n, _ in found] == [1, 3], chunk


def test_ignore_case_finds_non_ascii_letters_in_either_case():
    data = "2026 a ÉTÉ-1\n2026 b été-1\n2026 c ete-1\n".encode()
    assert [n for n, _ in hits(data, ("Été-1",), ignore_case=True)] == [1, 2]


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(_line, max_size=30),
    ignore_case=st.booleans(),
    strategy=st.integers(min_value=0, max_value=3),
)
def test_every_search_strategy_finds_the_same_records(lines, ignore_case, strategy):
    data = b"\n".join(lines).replace(b"r1", b"R1" if ignore_case else b"r1")
    needles = Needles.of(("r1", "x r", "frame"), ignore_case=ignore_case)
    searcher = scan_module._Searcher(needles)
    strategies = searcher._strategies
    searcher._strategies = [strategies[strategy % len(strategies)]]
    expected = sorted(
        {
            start
            for needle in needles.values
            for start in _all_starts(data.lower() if ignore_case else data, needle)
        }
    )
    found = searcher.find(bytearray(data), 0, len(data))
    assert _lines_of(data, found) == _lines_of(data, expected)


def _lines_of(data: bytes, starts: list[int]) -> list[int]:
    return sorted({data.count(b"\n", 0, s) for s in starts})


def _all_starts(hay: bytes, needle: bytes) -> list[int]:
    starts, at = [], hay.find(needle)
    while at != -1:
        starts.append(at)
        at = hay.find(needle, at + 1)
    return starts


def test_range_scan_counts_its_lines_and_stops_at_the_next_range():
    data = b"2026 a r1\n2026 b r1\n2026 c r1\n2026 d r1\n"
    start, stop = data.index(b"2026 b"), data.index(b"2026 d")
    stream = io.BytesIO(data)
    ranged = scan_module.Scan(
        stream, Needles.of(("r1",)), is_start, start=start, stop=stop
    )

    assert [(h.line, h.data, h.offset) for h in ranged] == [
        (1, b"2026 b r1", start),
        (2, b"2026 c r1", data.index(b"2026 c")),
    ]
    assert ranged.lines == 2


def test_escaped_spellings_of_a_value_are_needles_too():
    # python-json-logger 4.2.0 / structlog 26.1.0 write café as caf\u00e9
    data = (
        b'{"request_id": "caf\\u00e9-42"}\n'
        b'{"request_id": "caf\\u00E9-42"}\n'
        b'{"request_id": "caf\xc3\xa9-42"}\n'
        b'{"path": "a\\/b"}\n'
        b"GET /x?request_id=caf%C3%A9-42\n"
    )
    start = re.compile(rb"\{|GET")

    def found(value):
        stream = io.BytesIO(data)
        needles = Needles.of((value,))
        return [h.line for h in scan(stream, needles, lambda x: bool(start.match(x)))]

    assert found("café-42") == [1, 2, 3, 5]
    assert found("a/b") == [4]


def test_control_characters_are_found_as_json_writes_them():
    # JSON must escape U+0000-U+001F: \n \r \b \f or \u0001 (Python, Go), \u001B (.NET)
    data = (
        b'{"job_id": "x\\u0001y"}\n'
        b'{"job_id": "e\\u001b[1m"}\n'
        b'{"job_id": "e\\u001B[1m"}\n'
        b'{"job_id": "a\\nb"}\n'
    )

    def found(value: str) -> list[int]:
        needles = Needles.of((value,))
        return [h.line for h in scan(io.BytesIO(data), needles, lambda _: True)]

    assert found("x\x01y") == [1]
    assert found("e\x1b[1m") == [2, 3]
    assert found("a\nb") == [4]


def test_plain_values_get_no_extra_needles():
    assert Needles.of(("req-9f1c2a7b", "R9")).values == (b"req-9f1c2a7b", b"R9")
    assert set(Needles.of(('x"y\\z',)).values) == {
        b'x"y\\z',
        b'x\\"y\\\\z',
        b"x%22y%5Cz",
    }


class CutStream(io.BytesIO):
    """A stream that ended early, as a damaged archive's does (`cut`)."""

    cut = True


def cut_hits(data: bytes, chunk: int = 1 << 20) -> list[tuple[int, bytes]]:
    found = scan(CutStream(data), Needles.of(("r1",)), is_start, chunk=chunk)
    return [(h.line, h.data) for h in found]


def test_cut_stream_drops_its_partial_last_line():
    data = b"2026 a r1\n2026 b r1 and the rest was lo"

    assert hits(data, ("r1",)) == [
        (1, b"2026 a r1"),
        (2, b"2026 b r1 and the rest was lo"),
    ]
    assert cut_hits(data) == [(1, b"2026 a r1")]
    assert cut_hits(data, chunk=4) == [(1, b"2026 a r1")]


def test_cut_stream_drops_a_record_whose_continuation_was_cut():
    data = b"2026 a r1\n2026 b r1 failed\nTraceback:\n  File"

    assert cut_hits(data) == [(1, b"2026 a r1")]


def test_cut_stream_keeps_a_last_record_that_ends_at_the_cut():
    assert cut_hits(b"2026 a r1\n2026 b r1\n") == [(1, b"2026 a r1"), (2, b"2026 b r1")]


def test_lone_cr_line_endings_frame_each_line_with_right_numbers():
    data = b"2026 a r1\r2026 b r2\r2026 c r1\rcontinued\r2026 d r1\r"

    for chunk in (4, 7, 1 << 20):
        assert hits(data, ("r1",), chunk=chunk) == [
            (1, b"2026 a r1"),
            (3, b"2026 c r1\ncontinued"),
            (5, b"2026 d r1"),
        ]


def test_crlf_and_a_lone_cr_inside_an_lf_file_stay_as_they_were():
    crlf = b"2026 a r1\r\n2026 b r1\r\n"
    progress = b"2026 a r0\n2026 b r1 10%\r20%\n2026 c r1\n"

    assert hits(crlf, ("r1",)) == [(1, b"2026 a r1"), (2, b"2026 b r1")]
    assert hits(progress, ("r1",)) == [(2, b"2026 b r1 10%\r20%"), (3, b"2026 c r1")]


def test_first_line_end_decides_and_a_cr_at_the_end_waits_for_the_next_byte():
    assert first_end_is_lone_cr(b"no end yet", 0, 10) is None
    assert first_end_is_lone_cr(b"a\r", 0, 2) is None
    assert first_end_is_lone_cr(b"a\r", 0, 2, final=True) is True
    assert first_end_is_lone_cr(b"a\r\nb\r", 0, 5) is False
    assert first_end_is_lone_cr(b"a\rb\n", 0, 4) is True


def context_of(data: bytes, needle: str, chunk: int = 1 << 20, **kw):
    found = scan(io.BytesIO(data), Needles.of((needle,)), is_start, chunk=chunk, **kw)
    return [(h.line, h.before, h.after, h.extent) for h in found]


CONTEXT_LOG = b"2026 one\n2026 two\n2026 hit r1\n  frame\n2026 three\n2026 four\n"


def test_context_lines_around_a_hit_with_offsets_from_its_start():
    assert context_of(CONTEXT_LOG, "r1", before=2, after=1) == [
        (3, ((-18, b"2026 one"), (-9, b"2026 two")), ((20, b"2026 three"),), 20)
    ]


def test_context_stops_at_the_file_start_and_end():
    assert context_of(CONTEXT_LOG, "one", before=3, after=0)[0][1] == ()
    assert context_of(CONTEXT_LOG, "four", before=0, after=3)[0][2] == ()


def test_after_context_crossing_a_block_boundary_is_read_in_full():
    data = b"2026 hit r1\n" + b"".join(b"2026 line %02d\n" % n for n in range(20))

    for chunk in (16, 20, 33, 64):
        ((_, _, after, _),) = context_of(data, "r1", chunk=chunk, after=5)
        assert [text for _, text in after] == [b"2026 line %02d" % n for n in range(5)]


def test_without_context_hits_carry_none():
    assert context_of(CONTEXT_LOG, "r1") == [(3, (), (), 20)]


def test_before_context_is_kept_across_blocks_and_loses_its_cr():
    data = b"".join(b"2026 line %02d\r\n" % n for n in range(20)) + b"2026 hit r1\r\n"

    for chunk in (16, 40, 1 << 20):
        ((line, before, _, _),) = context_of(data, "r1", chunk=chunk, before=3)
        assert line == 21
        assert [text for _, text in before] == [
            b"2026 line 17",
            b"2026 line 18",
            b"2026 line 19",
        ]


def test_a_hit_past_the_kept_bytes_of_a_record_ends_when_they_start_a_line(
    monkeypatch,
):
    # The bytes kept before a block (LOOKBACK) began exactly at a continuation
    # line: the search for the record's start looked at rfind(..., 0, -1), the
    # whole buffer, and went round for ever (or framed a later record).
    monkeypatch.setattr(scan_module, "LOOKBACK", 22)  # two continuation lines
    data = (
        b"2026 start\n"
        + b"".join(b"  cont %03d\n" % i for i in range(30))
        + b"  cont r1\n2026 next\n"
    )
    found = {
        chunk: [
            (h.line, h.data)
            for h in scan(io.BytesIO(data), Needles.of(("r1",)), is_start, chunk=chunk)
        ]
        for chunk in range(8, 90)
    }
    # The record began before the LOOKBACK bytes: its start is kept too, so
    # every block size frames it whole, and never another record instead.
    assert found == {chunk: [(1, data[:-11])] for chunk in range(8, 90)}


@given(
    st.integers(1, 400),
    st.sampled_from([b"\n", b"\r\n"]),
    st.booleans(),
    st.integers(16, 300),
)
@settings(max_examples=60, deadline=None)
def test_a_hit_far_into_a_long_record_frames_it_whole_at_any_block_size(
    frames, newline, final_newline, chunk
):
    # A Java trace carrying the id only on its `Caused by:` line, far more than
    # LOOKBACK (monkeypatched small) after its first line: it was lost when a
    # block boundary fell inside it.
    old = scan_module.LOOKBACK
    scan_module.LOOKBACK = 16
    try:
        lines = [b"2026 a r1 begins", b"2026 b boom"]
        lines += [b"\tat com.example.F%d(F.java)" % i for i in range(frames)]
        lines += [b"Caused by: x r1", b"\tat End", b"2026 c r1 ends"]
        data = newline.join(lines) + (newline if final_newline else b"")
        found = [
            (h.line, h.data)
            for h in scan(io.BytesIO(data), Needles.of(("r1",)), is_start, chunk=chunk)
        ]
    finally:
        scan_module.LOOKBACK = old
    assert found == [
        (1, b"2026 a r1 begins"),
        (2, b"\n".join(lines[1:-1]) if newline == b"\n" else newline.join(lines[1:-1])),
        (frames + 5, b"2026 c r1 ends"),
    ]


def test_a_hit_in_a_record_longer_than_the_cap_is_printed_from_the_kept_lines(
    monkeypatch,
):
    # The record's first line is further back than MAX_RECORD, so its start is
    # not kept: the hit was dropped without a word; now it is framed from the
    # earliest whole line kept, and the scan says so once.
    monkeypatch.setattr(scan_module, "MAX_RECORD", 200)
    monkeypatch.setattr(scan_module, "LOOKBACK", 16)
    lines = [b"2026 a r1 begins", b"2026 b boom"]
    lines += [b"\tat com.example.F%d(F.java)" % i for i in range(40)]
    lines += [b"Caused by: x r1 and r1", b"\tat End", b"2026 c r1 ends"]
    data = b"\r\n".join(lines)  # CRLF, no final newline
    notices: list[ScanNotice] = []
    found = [
        (h.line, h.data)
        for h in scan(io.BytesIO(data), Needles.of(("r1",)), is_start, notices, 100)
    ]
    assert found == [
        (1, b"2026 a r1 begins"),
        (43, b"\r\n".join(lines[42:-1])),
        (45, b"2026 c r1 ends"),
    ]
    assert notices == [
        ScanNotice(
            43,
            "record longer than 0 MiB holds a search value far from its first "
            "line; it is printed from this line on, without its start (hint: a "
            "wrong multiline.start rule makes records this long)",
        )
    ]


def test_a_utf8_bom_at_the_stream_start_is_skipped_and_offsets_stay_exact():
    # Notepad / PowerShell 7 `Out-File -Encoding utf8BOM` start a file with one.
    data = b"\xef\xbb\xbfr1 at the very top\n2026 a r1\n"
    found = list(scan(io.BytesIO(data), Needles.of(("r1",)), is_start, chunk=8))
    assert [(h.line, h.offset, h.data) for h in found] == [
        (1, 3, b"r1 at the very top"),
        (2, 22, b"2026 a r1"),
    ]
