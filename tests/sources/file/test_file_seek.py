"""Seek: time bisection on real files, and skipping rotations outside the window."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tracerun.cli.adhoc import with_adhoc
from tracerun.plain import replace
from tracerun.query import Query, Term
from tracerun.read.target import Target
from tracerun.sources.file import seek
from tracerun.sources.file.pieces import file_jobs
from tracerun.timeparse import parse_bound
from tracerun.trace.plan import build_plan
from tracerun.trace.runner import run

START = datetime(2026, 3, 20, tzinfo=UTC)
NEEDLE = "req-5"


def lines(count: int, first: int = 0, step_s: float = 3.0) -> list[str]:
    out = []
    for i in range(first, first + count):
        ts = (START + timedelta(seconds=i * step_s)).isoformat(timespec="milliseconds")
        rid = NEEDLE if i % 50 == 0 else f"req-{i}"
        out.append(f"{ts.replace('+00:00', 'Z')} INFO svc: step {i} request_id={rid}")
        if i % 70 == 0:
            out.append(f"Traceback (most recent call last): step {i} {NEEDLE}")
    return out


def us(text: str) -> int:
    return parse_bound(text, 0)


def scanner_of(path: Path) -> Target:
    return build_plan(with_adhoc(None, {"file": (str(path),)})).targets[0]


@pytest.fixture
def day(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(seek, "BISECT_MIN", 0)
    monkeypatch.setattr(seek, "PROBE", 2048)
    path = tmp_path / "svc.log"
    path.write_text("\n".join(lines(28_800)) + "\n")  # 24 h, one line per 3 s
    return path


def test_bisection_narrows_to_the_window_and_keeps_every_record_in_it(
    day: Path,
) -> None:
    since, until = us("2026-03-20T12:00:00Z"), us("2026-03-20T12:30:00Z")
    size = day.stat().st_size

    start, stop = seek.window_range(scanner_of(day), since, until, size) or (0, None)

    data = day.read_bytes()
    assert 0 < start < stop < size  # type: ignore[operator]
    assert data[start - 1 : start] == b"\n"
    assert data[stop - 1 : stop] == b"\n"  # type: ignore[operator]
    kept = data[start:stop].decode()
    assert "2026-03-20T11:59:00.000Z" in kept  # the margin before the window
    assert "2026-03-20T12:31:00.000Z" in kept  # and after it
    assert stop - start < size / 10  # type: ignore[operator]


def test_windowed_run_finds_what_a_full_read_finds_with_exact_lines(
    day: Path,
) -> None:
    plan = build_plan(with_adhoc(None, {"file": (str(day),)}))
    since, until = us("2026-03-20T12:00:00Z"), us("2026-03-20T12:30:00Z")
    terms = (Term("request_id", NEEDLE),)
    full = run(plan, Query(terms=terms, keys=("request_id",)), workers=1)
    expected = [r for r in full.records if since <= r.time <= until]

    windowed = run(plan, Query(terms=terms, since=since, until=until), workers=1)

    assert [(r.time, r.raw, r.continuation) for r in windowed.records] == [
        (r.time, r.raw, r.continuation) for r in expected
    ]
    assert len(expected) == 13  # 12:00:00 .. 12:30:00 inclusive, every 150 s
    # Lines counted over the skipped prefix: the same numbers as a full read.
    assert [(r.line, r.offset) for r in windowed.records] == [
        (r.line, r.offset) for r in expected
    ]
    (piece,) = file_jobs(plan.targets, Query(terms=terms, since=since, until=until), 1)[
        0
    ]
    assert piece.size < day.stat().st_size / 10  # only the window is scanned


def test_file_wholly_outside_the_window_is_not_read(day: Path) -> None:
    size = day.stat().st_size
    target = scanner_of(day)

    assert seek.window_range(target, us("2026-03-22T00:00:00Z"), None, size) is None
    assert seek.window_range(target, None, us("2026-03-19T00:00:00Z"), size) is None
    assert seek.window_range(target, us("2026-03-19T00:00:00Z"), None, size) == (
        0,
        None,
    )


def test_small_files_are_read_whole_with_exact_lines(
    day: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(seek, "BISECT_MIN", day.stat().st_size + 1)
    since = us("2026-03-20T12:00:00Z")

    assert seek.window_range(scanner_of(day), since, None, day.stat().st_size) == (
        0,
        None,
    )


def test_unordered_file_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "svc.log"
    path.write_text("\n".join(reversed(lines(2000))) + "\n")

    found = seek.window_range(
        scanner_of(path), us("2026-03-20T01:00:00Z"), None, path.stat().st_size
    )

    assert found == (0, None)


def test_rotations_that_ended_before_the_window_are_skipped(tmp_path: Path) -> None:
    hours = [lines(1200, first=i * 1200) for i in range(4)]  # 1 h per file
    names = ["app.log.3.gz", "app.log.2.gz", "app.log.1", "app.log"]
    for name, body in zip(names, hours, strict=True):
        data = ("\n".join(body) + "\n").encode()
        if name.endswith(".gz"):
            data = gzip.compress(data, mtime=0)
        (tmp_path / name).write_bytes(data)
    (tmp_path / "other.log.1.gz").write_bytes(gzip.compress(b"", mtime=0))
    plan = build_plan(with_adhoc(None, {"file": (str(tmp_path),)}))
    targets = list(plan.targets)
    heads = {s.origin.locator: seek.head_time(s) for s in targets}

    skipped = seek.rotation_skips(targets, us("2026-03-20T02:30:00Z"), heads)

    # app.log.2.gz (01:00-02:00) ended when app.log.1 began (02:00), before 02:30;
    # app.log.1 itself is judged by its own tail (plain file), not here.
    assert sorted(Path(p).name for p in skipped) == ["app.log.2.gz", "app.log.3.gz"]
    assert seek.rotation_skips(targets, None, heads) == set()


def test_windowed_run_over_rotations_reads_only_the_newest(tmp_path: Path) -> None:
    for i, name in enumerate(["app.log.2.gz", "app.log.1.gz", "app.log"]):
        data = ("\n".join(lines(1200, first=i * 1200)) + "\n").encode()
        (tmp_path / name).write_bytes(gzip.compress(data) if i < 2 else data)
    plan = build_plan(with_adhoc(None, {"file": (str(tmp_path),)}))
    since = us("2026-03-20T02:10:00Z")
    query = Query(terms=(Term(None, NEEDLE),), keys=("request_id",), since=since)

    result = run(plan, query, workers=1)

    assert {Path(r.origin).name for r in result.records} == {"app.log"}
    assert len(result.records) == 20


def test_head_time_of_an_unreadable_archive_is_unknown(tmp_path: Path) -> None:
    damaged = tmp_path / "app.log.1.gz"
    damaged.write_bytes(b"\x1f\x8b\x08\x00garbage")

    assert seek.head_time(scanner_of(damaged)) is None


def test_head_time_of_a_cut_archive_is_its_first_record(
    tmp_path: Path,
) -> None:
    body = "\n".join(lines(2000)) + "\n"
    packed = gzip.compress(body.encode(), mtime=0)
    cut = tmp_path / "app.log.1.gz"
    cut.write_bytes(packed[: len(packed) // 3])
    newer = tmp_path / "app.log"
    newer.write_text("\n".join(lines(10)) + "\n")
    first = seek.head_time(scanner_of(newer))

    assert first is not None
    assert seek.head_time(scanner_of(cut)) == first  # both begin with lines(…)[0]


def test_small_file_cut_by_the_window_is_bisected_with_exact_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A few MiB file bisected (BISECT_MIN lowered): a window that cuts it reads
    # its byte range only, and the lines are those of a full read.
    monkeypatch.setattr(seek, "BISECT_MIN", 1024 * 1024)
    path = tmp_path / "svc.log"
    path.write_text("\n".join(lines(28_800)) + "\n")
    size = path.stat().st_size
    assert size > seek.BISECT_MIN
    since, until = us("2026-03-20T12:00:00Z"), us("2026-03-20T12:30:00Z")
    plan = build_plan(with_adhoc(None, {"file": (str(path),)}))
    terms = (Term("request_id", NEEDLE),)
    full = run(plan, Query(terms=terms), workers=1)

    windowed = run(plan, Query(terms=terms, since=since, until=until), workers=1)

    query = Query(terms=terms, since=since, until=until)
    (piece,) = file_jobs(plan.targets, query, 1)[0]
    assert 0 < piece.start < piece.stop < size  # type: ignore[operator]
    assert piece.size < size / 10
    expected = [(r.line, r.raw) for r in full.records if since <= r.time <= until]
    assert [(r.line, r.raw) for r in windowed.records] == expected
    assert len(expected) == 13


def test_file_wholly_inside_the_window_is_read_whole(day: Path) -> None:
    size = day.stat().st_size

    found = seek.window_range(
        scanner_of(day), us("2026-03-19T00:00:00Z"), us("2026-03-22T00:00:00Z"), size
    )

    assert found == (0, None)


def test_file_whose_middle_goes_back_in_time_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Head older than tail, yet not in order: hours 0-6, 12-24, then 6-12. A
    # bisection for 09:00 lands at 06:00 in the second part and finds nothing
    # after it older than 09:01: the probes that went back in time tell.
    monkeypatch.setattr(seek, "BISECT_MIN", 0)
    monkeypatch.setattr(seek, "PROBE", 2048)
    day = lines(28_800)
    quarter = len(day) // 4
    body = day[:quarter] + day[2 * quarter :] + day[quarter : 2 * quarter]
    path = tmp_path / "svc.log"
    path.write_text("\n".join(body) + "\n")
    since, until = us("2026-03-20T09:00:00Z"), us("2026-03-20T09:30:00Z")
    plan = build_plan(with_adhoc(None, {"file": (str(path),)}))
    terms = (Term("request_id", NEEDLE),)
    full = run(plan, Query(terms=terms), workers=1)
    expected = [r.raw for r in full.records if since <= r.time <= until]

    windowed = run(plan, Query(terms=terms, since=since, until=until), workers=1)

    assert seek.window_range(scanner_of(path), since, until, path.stat().st_size) == (
        0,
        None,
    )
    assert [r.raw for r in windowed.records] == expected
    assert len(expected) == 13


def test_file_under_64_mib_whose_clock_went_back_keeps_every_window_record(
    tmp_path: Path,
) -> None:
    # Time goes back an hour halfway (a clock fix, a DST change in a naive-time
    # log): 13:00-13:30 occurs twice. The probes of a bisection see times that
    # only grow (12:00 head, 12:23 mid, 13:05 at 3/4), so it would keep only
    # the second half's records; a file this size is read whole.
    body = []
    for i in range(40_000):
        at = START.replace(hour=12) + timedelta(seconds=i * 0.25)
        if i > 20_000:
            at -= timedelta(hours=1)
        rid = NEEDLE if i % 40 == 0 else f"req-{i}"
        ts = at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        body.append(f"{ts} INFO svc: step {i} {'y' * 60} request_id={rid}")
    path = tmp_path / "svc.log"
    path.write_text("\n".join(body))
    since, until = us("2026-03-20T13:00:00Z"), us("2026-03-20T13:30:00Z")
    plan = build_plan(with_adhoc(None, {"file": (str(path),)}))
    terms = (Term("request_id", NEEDLE),)
    full = run(plan, Query(terms=terms), workers=1)
    expected = [(r.line, r.raw) for r in full.records if since <= r.time <= until]

    windowed = run(plan, Query(terms=terms, since=since, until=until), workers=1)

    assert [(r.line, r.raw) for r in windowed.records] == expected
    assert len(expected) == 322  # 181 before the step back, 141 after it


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r"])
def test_lines_before_counts_the_lines_the_scan_numbers(
    tmp_path: Path, ending: bytes
) -> None:
    # Lone CRs end lines when they end the first one (read/endings.py), as
    # the scan of the bisected range numbers them.
    path = tmp_path / "a.log"
    lines = [b"2026-03-20T10:00:%02dZ line %d" % (i, i) for i in range(40)]
    data = ending.join(lines) + ending
    path.write_bytes(data)
    starts = [sum(len(x) + len(ending) for x in lines[:i]) for i in range(40)]
    assert [seek.lines_before(path, at) for at in starts] == list(range(40))


@pytest.mark.parametrize("workers", [1, 2])
def test_an_unnumbered_bisected_read_counts_the_prefix_only_for_a_warning(
    day: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    from tracerun.sources.file import pieces
    from tracerun.trace import runner

    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(pieces, "RANGE_MIN", 4096)  # the window in several pieces
    plan = build_plan(with_adhoc(None, {"file": (str(day),)}))
    since, until = us("2026-03-20T12:00:00Z"), us("2026-03-20T12:30:00Z")
    window = Query(
        terms=(Term("request_id", NEEDLE),), since=since, until=until, lines=False
    )
    counted: list[int] = []
    real = pieces.lines_before
    monkeypatch.setattr(
        pieces, "lines_before", lambda p, at: counted.append(at) or real(p, at)
    )

    quiet = run(plan, window, workers=workers)

    assert counted == []  # no warning names a line: the prefix is not counted
    assert [r.line for r in quiet.records] == [0] * 13
    failing = replace(window, where="abs(request_id) > `0`")  # fails: a string
    numbered = run(plan, replace(failing, lines=True), workers=workers)

    told = run(plan, failing, workers=workers)

    assert told.warnings == numbered.warnings
    # The first record of the window, step 14,400, after 206 traceback lines.
    assert told.warnings == [
        '--where "abs(request_id) > `0`": abs() needs a number, got a string at '
        + f"{day}:14607; records where it fails do not match"
    ]
    # Once up front for the numbered read, once at the join for the warning.
    assert len(counted) == 2
    assert counted[0] == counted[1] > 0


def test_large_file_whose_clock_goes_back_into_the_window_is_read(
    tmp_path: Path,
) -> None:
    # The first line is after --until, the last too, but the clock was set
    # back in between: those lines are in the window. Judged by its head and
    # tail, the file was skipped unread, and the run said that no source had
    # records in the window.
    def block(time: str, text: str, count: int) -> bytes:
        return f"2026-03-20T{time}.000Z INFO svc: {text}\n".encode() * count

    hit = "2026-03-20T10:00:01.000Z INFO svc: back in window request_id=req-5\n"
    filler = 22 * 2**20 // 50
    path = tmp_path / "svc.log"
    path.write_bytes(
        block("12:00:00", "first request_id=x", filler)
        + block("10:00:00", "set back request_id=x", filler // 2)
        + hit.encode()
        + block("10:00:02", "set back request_id=x", filler // 2)
        + block("12:30:00", "last request_id=x", filler)
    )
    assert path.stat().st_size > seek.BISECT_MIN
    plan = build_plan(with_adhoc(None, {"file": (str(path),)}))
    until = us("2026-03-20T11:00:00Z")
    query = Query(terms=(Term("request_id", NEEDLE),), until=until)

    found = run(plan, query, workers=1)

    assert [r.raw for r in found.records] == [hit.rstrip("\n")]


def test_small_file_outside_the_window_by_its_head_and_tail_is_read_whole(
    tmp_path: Path,
) -> None:
    path = tmp_path / "svc.log"
    path.write_text(
        "2026-03-20T12:00:00.000Z INFO svc: first\r\n"
        "2026-03-20T10:00:00.000Z INFO svc: set back request_id=req-5\r\n"
        "2026-03-20T12:30:00.000Z INFO svc: last"  # CRLF, no final newline
    )
    size = path.stat().st_size
    until = us("2026-03-20T11:00:00Z")

    assert seek.window_range(scanner_of(path), None, until, size) == (0, None)
