"""Pieces: a file cut into byte ranges reads as the whole file, times inherited included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.timeline import records_of
from hypothesis import given, settings
from hypothesis import strategies as st

from tracerun.cli.adhoc import with_adhoc
from tracerun.query import Query, Term
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
