"""Pieces: a file cut into byte ranges reads as the whole file, times inherited included."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers.timeline import records_of
from hypothesis import given, settings
from hypothesis import strategies as st

from tracerun.cli.adhoc import with_adhoc
from tracerun.output.ndjson import NdjsonFormatter
from tracerun.plain import replace
from tracerun.query import Query, Term
from tracerun.read import scan as scan_module
from tracerun.sources.file import pieces as files
from tracerun.sources.file.pieces import Piece, join_pieces, read_piece
from tracerun.trace.plan import build_plan

QUERY = Query(terms=(Term(None, "R1"),), keys=("request_id",))


def _line(i: int, timed: bool, rid: str) -> bytes:
    fields = {"ts": f"2026-03-20T14:{i // 60 % 60:02d}:{i % 60:02d}Z"} if timed else {}
    return json.dumps({**fields, "msg": f"m{i}", "request_id": rid}).encode() + b"\n"


def test_a_cut_is_made_only_at_a_record_with_a_time(tmp_path: Path) -> None:
    path = tmp_path / "a.log"
    path.write_bytes(
        _line(0, True, "x")
        + _line(1, False, "x")
        + b"  continued\n"
        + _line(2, True, "x")
    )
    target = build_plan(with_adhoc(None, {"file": (str(path),)})).targets[0]
    data = path.read_bytes()

    with path.open("rb") as raw:
        found = [
            files.timed_record_start(raw, at, target) for at in (0, 1, len(data) - 1)
        ]

    assert found == [0, data.index(b'{"ts": "2026-03-20T14:00:02Z"'), None]


@settings(max_examples=300)
@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=120))
def test_pieces_cut_for_workers_give_the_whole_file_answer(
    tmp_path_factory: pytest.TempPathFactory, lines: list[tuple[bool, bool]]
) -> None:
    """Records without a time (some matching, some not) in any arrangement."""
    path = tmp_path_factory.getbasetemp() / "pieces.log"
    path.write_bytes(
        b"".join(
            _line(i, timed, "R1" if hit else "x")
            for i, (timed, hit) in enumerate(lines)
        )
    )
    target = build_plan(with_adhoc(None, {"file": (str(path),)})).targets[0]
    whole = join_pieces(target, [read_piece(Piece(target), QUERY)])
    size = path.stat().st_size
    each = max(1, size // 7)
    cuts = files._range_cuts(target, 0, size, each)
    pieces = [
        Piece(target, a, b) for a, b in zip([0, *cuts], [*cuts, None], strict=True)
    ]

    joined = join_pieces(target, [read_piece(p, QUERY) for p in pieces])

    def seen(result):
        return [(r.line, r.time, r.message) for r in records_of(result)]

    assert seen(joined) == seen(whole)
    assert joined.timeless == whole.timeless


# The differential test of issue #18 point 7: the fast path (block reads, hits
# numbered as they are found, or not numbered at all and the warnings' lines
# counted after the read) against the simple reference scan, on random corpora.

_KINDS = st.sampled_from(["hit", "other", "text", "trace", "notime", "blank"])
_ENDINGS = st.sampled_from(["\n", "\r\n", "\r"])
_EXACT = re.compile(r"request_id=R1(\s|$)")


def _corpus(kinds: list[tuple[str, int]], ending: str, final: bool) -> str:
    """Text records: hits, decoys, the id as message text, stack traces, no time."""
    lines: list[str] = []
    if kinds[0][0] == "blank":  # an empty first record has nothing to match
        kinds = [("other", 0), *kinds]
    for i, (kind, pad) in enumerate(kinds):
        ts = f"2026-03-20T14:{i // 60 % 60:02d}:{i % 60:02d}Z"
        padding = "p" * pad
        if kind == "hit":
            lines.append(f"{ts} INFO svc: step {i} request_id=R1 pad={padding}")
        elif kind == "other":
            lines.append(f"{ts} INFO svc: step {i} request_id=x{i} pad={padding}")
        elif kind == "text":
            lines.append(f"{ts} INFO svc: retry of R1 request_id=y pad={padding}")
        elif kind == "trace":
            lines += [
                f"{ts} ERROR svc: failed {i} request_id=R1",
                "Traceback (most recent call last):",
                f"  at frame R1 {padding}",
            ]
        elif kind == "notime":
            lines.append(f"no time here {i} request_id=R1 {padding}")
        else:
            lines.append("")
    return ending.join(lines) + (ending if final and lines else "")


def _reference(text: str, ending: str) -> list[tuple[int, str]]:
    """(line, first line) of each record with `request_id=R1` in a line, the slow way."""
    lines = text.split(ending)
    if text.endswith(ending):
        lines.pop()
    records: list[tuple[int, list[str]]] = []
    for number, line in enumerate(lines, 1):
        if not records or line[:4].isdigit():
            records.append((number, [line]))
        else:
            records[-1][1].append(line)
    return [
        (number, body[0])
        for number, body in records
        if any(_EXACT.search(line) for line in body)
    ]


def _read(target, query: Query, starts: list[int], numbered: bool):
    stops: list[int | None] = [*starts[1:], None]
    last = len(starts) - 1
    pieces = [
        Piece(target, a, b, numbered, numbers_next=i < last)
        for i, (a, b) in enumerate(zip(starts, stops, strict=True))
    ]
    return join_pieces(target, [read_piece(p, query) for p in pieces])


@settings(max_examples=250, deadline=None)
@given(
    kinds=st.lists(st.tuples(_KINDS, st.integers(0, 150)), min_size=1, max_size=60),
    ending=_ENDINGS,
    final=st.booleans(),
    chunk=st.sampled_from([61, 97, 256, 1000, 1 << 20]),
    cuts=st.lists(st.integers(min_value=1, max_value=2**16), max_size=4),
    where=st.booleans(),
    cap=st.booleans(),
)
def test_numbered_and_unnumbered_reads_agree_with_the_reference_scan(
    tmp_path_factory: pytest.TempPathFactory,
    kinds: list[tuple[str, int]],
    ending: str,
    final: bool,
    chunk: int,
    cuts: list[int],
    where: bool,
    cap: bool,
) -> None:
    """Ids at block boundaries, CRLF and lone CRs, no final newline, records
    across blocks and pieces: the same records in the same order; numbered,
    each at its reference line (ndjson `line` too); unnumbered, at line 0 with
    every warning naming the numbered read's line."""
    text = _corpus(kinds, ending, final)
    path = tmp_path_factory.getbasetemp() / "differential.log"
    path.write_bytes(text.encode())
    target = build_plan(with_adhoc(None, {"file": (str(path),)})).targets[0]
    size = path.stat().st_size
    with path.open("rb") as raw:  # cut where the runner cuts: at timed records
        found = {files.timed_record_start(raw, c % size, target) for c in cuts}
    starts = [0, *sorted(found - {None, 0})]
    query = Query(
        terms=(Term("request_id", "R1"),),
        keys=("request_id",),
        where="abs(request_id) > `0`" if where else None,  # fails: a string
    )

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(files, "READ_CHUNK", chunk)
        if cap:
            patch.setattr(scan_module, "MAX_RECORD", 120)
        numbered = _read(target, query, starts, numbered=True)
        unnumbered = _read(target, replace(query, lines=False), starts, False)

    shown = [(r.line, r.raw) for r in records_of(numbered)]
    if not cap and not where:
        assert shown == _reference(text, ending)
        ndjson = NdjsonFormatter()
        assert [json.loads(ndjson.format(r))["line"] for r in records_of(numbered)] == [
            n for n, _ in shown
        ]
    assert [(r.line, r.raw) for r in records_of(unnumbered)] == [
        (0, raw) for _, raw in shown
    ]
    assert unnumbered.warnings == numbered.warnings
    assert unnumbered.capped == numbered.capped
    assert _notes(unnumbered) == _notes(numbered)


def _notes(result):
    tally = result.tally
    failures = [(s, f.line) for s, f in tally.failures.items()]
    misses = (tally.unparsed, tally.outside, tally.dropped)
    # The first message-text hit's line is named only by a trace that matched
    # nothing: an unnumbered read that gave records does not count it.
    shown = None if records_of(result) else tally.unkeyed.line
    unkeyed = (tally.unkeyed.count, tally.unkeyed.detail, shown)
    return misses, unkeyed, failures, result.timeless
