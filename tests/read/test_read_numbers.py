"""Numbers: the placeholder offsets of an unnumbered scan → exact line numbers."""

from __future__ import annotations

import io

from tracerun.read import numbers
from tracerun.read.assemble import Timeless
from tracerun.read.numbers import line_numbers, number, placeholder_offset
from tracerun.read.scan import Needles, Scan, ScanNotice, unnumbered
from tracerun.read.tally import Tally


def reader(data: bytes):
    def read_into(view: memoryview, at: int) -> int:
        got = data[at : at + len(view)]
        view[: len(got)] = got
        return len(got)

    return read_into


def test_each_offset_gets_the_line_it_is_on_counted_from_the_start():
    data = b"a\nbb\r\nccc\n\nd"
    offsets = [data.index(x) for x in (b"a", b"bb", b"\r", b"ccc", b"d")]
    assert line_numbers(reader(data), 0, offsets) == dict(
        zip(offsets, [1, 2, 2, 3, 5], strict=True)
    )
    assert line_numbers(reader(data), 2, [2, 6]) == {2: 1, 6: 2}


def test_lone_crs_end_lines_when_the_scan_read_them_so(monkeypatch):
    monkeypatch.setattr(
        numbers, "BLOCK", 3
    )  # a CR last in a block: its next byte decides
    data = b"ab\rc\r\nde\rf\r"
    offsets = [data.index(x) for x in (b"c", b"de", b"f")] + [len(data) - 1]
    assert line_numbers(reader(data), 0, offsets, cr=True) == dict(
        zip(offsets, [2, 3, 4, 4], strict=True)
    )


def test_an_offset_past_the_end_of_a_shrunk_file_is_unknown():
    assert line_numbers(reader(b"a\nb\n"), 0, [2, 10]) == {2: 2, 10: 0}


def test_placeholders_are_replaced_and_real_lines_kept():
    data = b"x\n" * 5 + b"y\n"
    tally, timeless = Tally(), Timeless()
    tally.unparsed.note(unnumbered(4), "z")
    tally.outside.note(7)
    tally.unkeyed.note(unnumbered(2))
    timeless.add(unnumbered(10))
    notices = [ScanNotice(unnumbered(0), "long")]

    number(reader(data), 0, tally=tally, timeless=timeless, notices=notices)

    assert (tally.unparsed.line, tally.outside.line) == (3, 7)
    assert tally.unkeyed.line == 2  # a trace that matched nothing names it
    assert (timeless.first, timeless.last) == (6, 6)
    assert notices[0].line == 1
    assert placeholder_offset(unnumbered(0)) == 0
    assert placeholder_offset(3) is None


def test_a_file_that_changed_since_the_read_gets_no_line_numbers():
    tally = Tally()
    tally.dropped.note(unnumbered(2))
    number(
        reader(b"a\nb\n"),
        0,
        tally=tally,
        timeless=Timeless(),
        notices=[],
        unchanged=lambda: False,
    )
    assert tally.dropped.line == 0


def test_an_unnumbered_scan_gives_placeholders_that_number_as_the_numbered_one():
    data = b"2026 a r1\n  cont\n2026 b x\n2026 c r1\r\n2026 d r1"
    needles = Needles.of(("r1",))

    def run(count_lines: bool):
        found = Scan(
            io.BytesIO(data),
            needles,
            lambda b: b[:4].isdigit(),
            chunk=7,
            count_lines=count_lines,
            count_to_end=False,
        )
        return [(h.line, h.offset) for h in found]

    numbered, unnumbered_hits = run(True), run(False)
    assert [line for line, _ in numbered] == [1, 4, 5]
    assert [line for line, _ in unnumbered_hits] == [
        unnumbered(offset) for _, offset in numbered
    ]
    resolved = line_numbers(
        reader(data), 0, [placeholder_offset(line) for line, _ in unnumbered_hits]
    )
    assert list(resolved.values()) == [1, 4, 5]
