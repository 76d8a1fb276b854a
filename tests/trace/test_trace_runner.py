"""Runner: the parallel path (processes, byte ranges) gives the sequential answer, byte for byte."""

from __future__ import annotations

import functools
import io
import json
import re
from pathlib import Path

import pytest
from helpers.loglines import IDS, KEY, SPECS, Spec, render
from helpers.timeline import records_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracerun.cli.adhoc import with_adhoc
from tracerun.output.ndjson import NdjsonFormatter
from tracerun.output.text import TextFormatter
from tracerun.plain import replace
from tracerun.query import Query, Term
from tracerun.sources.base import OriginResult
from tracerun.sources.file import pieces as files
from tracerun.sources.file import seek
from tracerun.sources.file.pieces import Piece, join_pieces, read_piece
from tracerun.trace import runner
from tracerun.trace.plan import Plan, build_plan
from tracerun.trace.runner import RunResult, run

NEEDLE = "req-77"


def corpus(lines: int = 6000) -> bytes:
    """CRLF lines, stack traces, timeless lines, decoys, a final line without newline."""
    out = []
    for i in range(lines):
        ts = f"2026-03-20T10:{i // 600 % 60:02d}:{i // 10 % 60:02d}.{i % 10}00Z"
        rid = NEEDLE if i % 37 == 0 else f"req-{i}"
        if i % 37 == 0 and i % 3 == 0:
            rid = NEEDLE + "0"  # a longer id: a decoy
        out.append(f"{ts} INFO svc: step {i} request_id={rid} pad={'x' * (i % 90)}")
        if i % 111 == 0:
            out += [
                f"{ts} ERROR svc: failed request_id={NEEDLE}",
                "Traceback (most recent call last):",
                f'  File "app.py", line {i}, in handle {NEEDLE}',
                "ValueError: boom",
            ]
        if i % 173 == 0:
            out.append(f"no time here request_id={NEEDLE}")  # a continuation line
    return (
        "\r\n".join(out) + f"\r\n2026-03-20T11:00:00Z INFO end request_id={NEEDLE}"
    ).encode()


def reference_count() -> int:
    """Records with `request_id=` the exact id in any of their lines, the slow way.

    A record starts at a line with a timestamp; the lines without one continue it.
    """
    records: list[list[str]] = []
    for line in corpus().decode().split("\r\n"):
        if line[:4].isdigit() or not records:
            records.append([line])
        else:
            records[-1].append(line)
    exact = re.compile(rf"request_id={NEEDLE}(\s|$)")
    return sum(1 for record in records if any(exact.search(x) for x in record))


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("runner") / "svc.log"
    path.write_bytes(corpus())
    return path


def query() -> Query:
    return Query(terms=(Term("request_id", NEEDLE),), keys=("request_id",))


def rendered(result: RunResult | OriginResult) -> str:
    ndjson, text = NdjsonFormatter(), TextFormatter(("svc",), color=False)
    records = result.records if isinstance(result, RunResult) else records_of(result)
    return "".join(ndjson.format(r) + text.format(r) for r in records) + "\n".join(
        result.warnings
    )


def sequential(path: Path) -> RunResult:
    return run(build_plan(with_adhoc(None, {"file": (str(path),)})), query(), workers=1)


def test_processes_and_byte_ranges_give_the_sequential_output(
    log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = rendered(sequential(log))
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(files, "RANGE_MIN", 4096)
    monkeypatch.setattr(files, "READ_CHUNK", 1000)
    plan = build_plan(with_adhoc(None, {"file": (str(log),)}))
    pieces = files.file_jobs(list(plan.targets), query(), 2)

    parallel = run(plan, query(), workers=2)

    assert len(pieces[0]) == 4  # the file was cut into ranges
    assert rendered(parallel) == expected
    assert len(parallel.records) == reference_count() == 199


@pytest.mark.parametrize("cri", [True, False], ids=["cri", "docker-json-file"])
def test_a_file_of_pieced_lines_is_never_cut_inside_a_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cri: bool
) -> None:
    # containerd (CRI `P`..`F`) and docker's json-file driver write a line over
    # 16 KiB in pieces; the pieces are joined before the scan (read/cri.py). A
    # byte-range cut between two pieces of one line would hand each worker
    # half of it: the id at the end of the line would be lost, or found on a
    # fragment. Each line here is a JSON record in three pieces, the id last.
    lines = []
    for i in range(400):
        rid = NEEDLE if i % 3 == 0 else f"other-{i}"
        text = json.dumps({"msg": f"step {i}", "pad": "x" * 300, "request_id": rid})
        parts = [text[:120], text[120:240], text[240:]]
        for n, part in enumerate(parts):
            ts = f"2026-03-20T10:{i // 60:02d}:{i % 60:02d}.{n:03d}000000Z"
            last = n == len(parts) - 1
            if cri:
                lines.append(f"{ts} stdout {'F' if last else 'P'} {part}")
            else:
                log = json.dumps(part + ("\n" if last else ""))
                lines.append(f'{{"log":{log},"stream":"stdout","time":"{ts}"}}')
    path = tmp_path / "0.log"
    path.write_text("\n".join(lines) + "\n")
    expected = rendered(sequential(path))
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(files, "RANGE_MIN", 997)
    plan = build_plan(with_adhoc(None, {"file": (str(path),)}))

    parallel = run(plan, query(), workers=2)

    assert len(files.file_jobs(list(plan.targets), query(), 2)[0]) == 4
    assert rendered(parallel) == expected
    assert [r.message for r in parallel.records] == [
        f"step {i}" for i in range(0, 400, 3)
    ]
    assert {r.fields["request_id"] for r in parallel.records} == {NEEDLE}


def test_context_lines_are_printed_once_when_the_file_would_be_cut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A hit every 7th line and -C 5: the contexts of neighbouring records meet,
    # and every cut point lies inside one of them.
    log = tmp_path / "app.log"
    log.write_text(
        "".join(
            f"2026-12-02T10:{i // 60:02d}:{i % 60:02d}Z INFO line {i} "
            f"request_id={NEEDLE if i % 7 == 0 else 'other'}\n"
            for i in range(600)
        )
    )
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(files, "RANGE_MIN", 1024)
    plan = build_plan(with_adhoc(None, {"file": (str(log),)}))
    context = replace(query(), before=5, after=5)

    result = run(plan, context, workers=2)

    assert len(files.file_jobs(list(plan.targets), query(), 2)[0]) > 1
    assert len(files.file_jobs(list(plan.targets), context, 2)[0]) == 1
    shown = [
        line.delta + r.line
        for r in result.records
        for line in (*r.context.before, *r.context.after)  # type: ignore[union-attr]
    ] + [r.line for r in result.records]
    assert sorted(shown) == list(range(1, 601))  # every line once, none twice


# Untraced, in the properties' own process (scripts/test): 41 s under coverage.
@pytest.mark.no_cover
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    cuts=st.lists(st.integers(min_value=1, max_value=2**20), max_size=12),
    chunk=st.sampled_from([97, 4096, 1 << 20]),
)
def test_any_cut_points_and_block_size_give_the_whole_file_result(
    log: Path, cuts: list[int], chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    size = log.stat().st_size
    with log.open("rb") as raw:
        starts = sorted({files.line_start(raw, c % size) for c in cuts} - {None, 0})
    target = build_plan(with_adhoc(None, {"file": (str(log),)})).targets[0]
    whole = join_pieces(target, [read_piece(Piece(target), query())])
    monkeypatch.setattr(files, "READ_CHUNK", chunk)
    bounds = [0, *starts]
    stops = [*starts, None]
    pieces = [Piece(target, a, b) for a, b in zip(bounds, stops, strict=True)]

    joined = join_pieces(target, [read_piece(p, query()) for p in pieces])

    assert rendered(joined) == rendered(whole)


def test_line_start_finds_the_next_line(tmp_path: Path) -> None:
    path = tmp_path / "x.log"
    path.write_bytes(b"ab\ncd\r\nef")
    with path.open("rb") as raw:
        found = [files.line_start(raw, i) for i in range(9)]
    assert found == [0, 3, 3, 3, 7, 7, 7, 7, None]


def test_records_across_a_range_boundary_keep_their_continuation(
    tmp_path: Path,
) -> None:
    data = (
        b"2026-03-20T10:00:00Z ERROR x request_id=req-77\n"
        b"Traceback (most recent call last):\n"
        b"  boom request_id=req-77\n"
        b"2026-03-20T10:00:01Z INFO y request_id=req-77"
    )
    path = tmp_path / "svc.log"
    path.write_bytes(data)
    target = build_plan(with_adhoc(None, {"file": (str(path),)})).targets[0]
    cut = data.index(b"  boom")
    pieces = [Piece(target, 0, cut), Piece(target, cut, None)]

    joined = join_pieces(target, [read_piece(p, query()) for p in pieces])

    assert [(r.line, r.continuation) for r in records_of(joined)] == [
        (1, ("Traceback (most recent call last):", "  boom request_id=req-77")),
        (4, ()),
    ]
    assert io.BytesIO(data).read().count(b"\n") == 3


def test_windowed_parallel_read_equals_the_sequential_one(
    log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracerun.timeparse import parse_bound

    monkeypatch.setattr(seek, "BISECT_MIN", 0)
    monkeypatch.setattr(seek, "MARGIN_US", 0)
    since = parse_bound("2026-03-20T10:03:00Z", 0)
    until = parse_bound("2026-03-20T10:07:00Z", 0)
    windowed = Query(
        terms=query().terms, keys=("request_id",), since=since, until=until
    )
    plan = build_plan(with_adhoc(None, {"file": (str(log),)}))
    expected = run(plan, windowed, workers=1)
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(files, "RANGE_MIN", 4096)

    parallel = run(plan, windowed, workers=2)

    assert len(files.file_jobs(list(plan.targets), windowed, 2)[0]) == 4
    assert rendered(parallel) == rendered(expected)
    whole = sequential(log).records
    # Numbered from the file's start across the cut pieces, as a whole read.
    assert [(r.line, r.offset) for r in parallel.records] == [
        (r.line, r.offset) for r in whole if since <= r.time <= until
    ]
    assert len(parallel.records) == 79


@functools.cache
def _oracle_plan(path: str) -> Plan:
    """One plan for the one reused file (a whole-file read does not use its size)."""
    return build_plan(with_adhoc(None, {"file": (path,)}))


# 10,000 examples under CI: run untraced, or coverage doubles its time (scripts/test).
@pytest.mark.no_cover
@given(st.sampled_from(IDS), st.lists(SPECS, min_size=1, max_size=12))
def test_a_trace_returns_exactly_the_records_whose_key_field_equals_the_id(
    tmp_path_factory: pytest.TempPathFactory, rid: str, specs: list[Spec]
) -> None:
    """The oracle: JSON (nested, escaped, unicode, huge numbers, deep), logfmt and
    text records with decoys of the id in and around the key field, CRLF,
    continuation lines; traced in-process as the CLI does, and printed.

    A record comes back when its key field equals the id, or it has none and a
    nested one does, or a continuation line has the pair (Spec.matches).
    """
    data, line, expected, at = b"", 1, set(), {}
    for index, spec in enumerate(specs):
        chunk = render(spec, rid, index)
        if spec.matches():
            expected.add(line)
        at[line] = spec
        data += chunk
        line += chunk.count(b"\n")
    path = tmp_path_factory.getbasetemp() / "oracle.log"
    path.write_bytes(data)
    plan = _oracle_plan(str(path))

    result = run(plan, Query(terms=(Term(KEY, rid),), keys=(KEY,)), workers=1)

    assert {r.line for r in result.records} == expected
    assert all(r.fields[KEY] == rid for r in result.records if at[r.line].slot == "id")
    text = TextFormatter(plan.source_names, color=False)
    for record in result.records:
        assert json.loads(NdjsonFormatter().format(record))["line"] == record.line
        text.format(record).encode()
    assert result.failures == []
