"""The hour the clock shows twice when daylight saving time ends: records in true order."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from tracerun.cli import cli
from tracerun.extract import build_parser
from tracerun.origin import Origin
from tracerun.plain import replace
from tracerun.query import Query, Term
from tracerun.read import repeated
from tracerun.read.assemble import Assembler
from tracerun.read.incremental import IncrementalReader
from tracerun.read.match import Matcher
from tracerun.read.repeated import HitPasses
from tracerun.read.scan import Needles, scan
from tracerun.read.target import Target
from tracerun.timeparse import parse_time

BERLIN_LOG = [
    # 2024-10-27: at 03:00 CEST (01:00Z) the clock goes back to 02:00 CET.
    "2024-10-27 01:55:00 INFO before request_id=r1",
    "2024-10-27 02:10:00 INFO first pass a request_id=r1",
    "2024-10-27 02:50:00 INFO first pass b request_id=r1",
    "2024-10-27 02:05:00 INFO second pass a request_id=r1",
    "2024-10-27 02:40:00 INFO second pass b request_id=r1",
    "2024-10-27 03:05:00 INFO after request_id=r1",
]
UTC_LOG = [
    "2024-10-27T00:30:00Z INFO utc between the first pass's records request_id=r1",
    "2024-10-27T01:20:00Z INFO utc between the second pass's records request_id=r1",
]

UTC_FIRST = (
    "2024-10-27T00:30:00.000000Z",
    "utc",
    1,
    "utc between the first pass's records",
)
UTC_SECOND = (
    "2024-10-27T01:20:00.000000Z",
    "utc",
    2,
    "utc between the second pass's records",
)


def run(*args: str) -> Result:
    env = {"NO_COLOR": "", "FORCE_COLOR": "", "TRACERUN_PROFILE": ""}
    return CliRunner().invoke(cli, list(args), env=env)


def in_berlin(term: str, *paths: str) -> Result:
    """Trace `term` in `paths` (their naive times Berlin's), as ndjson."""
    found = [arg for path in paths for arg in ("--path", path)]
    return run(*found, "--timezone", "Europe/Berlin", term, "-o", "ndjson")


def between_the_utc_records(
    tmp_path: Path, berlin: str, term: str
) -> list[tuple[str, str, int, str]]:
    """Trace `term` in `berlin` and UTC_LOG; return the records between UTC_LOG's."""
    utc = write(tmp_path / "utc.log", [x.replace("r1", term) for x in UTC_LOG])
    result = in_berlin(term, berlin, utc)
    assert result.exit_code == 0
    found = timeline(result)
    assert [found[0], found[-1]] == [UTC_FIRST, UTC_SECOND]
    return found[1:-1]


def write(path: Path, lines: list[str]) -> str:
    path.write_text("".join(f"{line}\n" for line in lines))
    return str(path)


def timeline(result: Result) -> list[tuple[str, str, int, str]]:
    found = [json.loads(line) for line in result.stdout.splitlines()]
    return [(r["time"], r["source"], r["line"], r["message"]) for r in found]


def test_a_berlin_log_crossing_the_fall_back_hour_interleaves_with_a_utc_source(
    tmp_path: Path,
) -> None:
    berlin = write(tmp_path / "berlin.log", BERLIN_LOG)
    utc = write(tmp_path / "utc.log", UTC_LOG)

    result = run("--path", berlin, "--path", utc, "--timezone", "Europe/Berlin", "r1")

    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout == (
        "2024-10-26T23:55:00.000Z berlin INFO  before request_id=r1\n"
        "2024-10-27T00:10:00.000Z berlin INFO  first pass a request_id=r1\n"
        "2024-10-27T00:30:00.000Z utc    INFO  utc between the first pass's records request_id=r1\n"
        "2024-10-27T00:50:00.000Z berlin INFO  first pass b request_id=r1\n"
        "2024-10-27T01:05:00.000Z berlin INFO  second pass a request_id=r1\n"
        "2024-10-27T01:20:00.000Z utc    INFO  utc between the second pass's records request_id=r1\n"
        "2024-10-27T01:40:00.000Z berlin INFO  second pass b request_id=r1\n"
        "2024-10-27T02:05:00.000Z berlin INFO  after request_id=r1\n"
    )


def test_a_record_whose_id_is_only_in_the_second_pass_follows_the_first_pass(
    tmp_path: Path,
) -> None:
    # Only the 02:05 line of the second pass carries the id: the lines before
    # it, which tell the clock went back, are not hits.
    lines = [line.replace("r1", "other") for line in BERLIN_LOG]
    lines[3] = lines[3].replace("other", "r2")
    berlin = write(tmp_path / "berlin.log", lines)

    assert between_the_utc_records(tmp_path, berlin, "r2") == [
        ("2024-10-27T01:05:00.000000Z", "berlin", 4, "second pass a")
    ]


NEW_YORK_PROFILE = """\
version: 1
parsers:
  edge:
    type: regex
    pattern: '^\\[(?P<time>[^\\]]+)\\] (?P<msg>.*) rid=(?P<request_id>\\S+)'
    time: {field: time, format: '%d/%b/%Y:%H:%M:%S'}
    fields: {message: msg}
sources:
  edge: {type: file, paths: [edge.log], parser: edge, timezone: America/New_York}
  api: {type: file, paths: [api.log]}
"""


def test_new_york_times_of_a_strptime_format_are_placed_in_their_pass(
    tmp_path: Path,
) -> None:
    # 2024-11-03: at 02:00 EDT (06:00Z) New York's clock goes back to 01:00 EST.
    write(
        tmp_path / "edge.log",
        [
            "[03/Nov/2024:00:58:00] GET /a rid=x1",
            "[03/Nov/2024:01:30:00] GET /b rid=x1",
            "[03/Nov/2024:01:59:00] GET /c rid=zz",
            "[03/Nov/2024:01:02:00] GET /d rid=zz",
            "[03/Nov/2024:01:20:00] GET /e rid=x1",
        ],
    )
    write(
        tmp_path / "api.log",
        [
            "2024-11-03T05:45:00Z INFO first pass request_id=x1",
            "2024-11-03T06:10:00Z INFO second pass request_id=x1",
        ],
    )
    (tmp_path / "p.yaml").write_text(NEW_YORK_PROFILE)

    result = run("-p", str(tmp_path / "p.yaml"), "x1", "-o", "ndjson")

    assert result.exit_code == 0, result.stderr
    assert timeline(result) == [
        ("2024-11-03T04:58:00.000000Z", "edge", 1, "GET /a"),
        ("2024-11-03T05:30:00.000000Z", "edge", 2, "GET /b"),
        ("2024-11-03T05:45:00.000000Z", "api", 1, "first pass"),
        ("2024-11-03T06:10:00.000000Z", "api", 2, "second pass"),
        ("2024-11-03T06:20:00.000000Z", "edge", 5, "GET /e"),
    ]


def test_the_hour_skipped_in_spring_keeps_its_first_reading_beside_a_repeated_one(
    tmp_path: Path,
) -> None:
    # 2024-03-31 02:30 never showed in Berlin (02:00 CET became 03:00 CEST): it
    # is read with the offset before the change, +01:00, as before this fix.
    log = write(
        tmp_path / "berlin.log",
        [
            "2024-03-31 02:30:00 INFO skipped hour request_id=r1",
            "2024-10-27 02:50:00 INFO first pass request_id=r1",
            "2024-10-27 02:10:00 INFO second pass request_id=r1",
        ],
    )

    result = in_berlin("r1", log)

    assert timeline(result) == [
        ("2024-03-31T01:30:00.000000Z", "berlin", 1, "skipped hour"),
        ("2024-10-27T00:50:00.000000Z", "berlin", 2, "first pass"),
        ("2024-10-27T01:10:00.000000Z", "berlin", 3, "second pass"),
    ]


@pytest.mark.parametrize("kind", ["gz", "utf-16"])
def test_a_rotation_read_whole_holding_the_hour_places_its_second_pass(
    tmp_path: Path, kind: str
) -> None:
    # Neither can seek: its text is decoded again from the start to read back.
    text = "".join(f"{line}\n" for line in BERLIN_LOG)
    if kind == "gz":
        (tmp_path / "app.log.1.gz").write_bytes(gzip.compress(text.encode()))
    else:
        (tmp_path / "app.log.1").write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    write(tmp_path / "app.log", ["2024-10-27 04:00:00 INFO later request_id=r1"])

    result = in_berlin("r1", str(tmp_path))

    assert result.exit_code == 0, result.stderr
    assert [(t, line, m) for t, _, line, m in timeline(result)] == [
        ("2024-10-26T23:55:00.000000Z", 1, "before"),
        ("2024-10-27T00:10:00.000000Z", 2, "first pass a"),
        ("2024-10-27T00:50:00.000000Z", 3, "first pass b"),
        ("2024-10-27T01:05:00.000000Z", 4, "second pass a"),
        ("2024-10-27T01:40:00.000000Z", 5, "second pass b"),
        ("2024-10-27T02:05:00.000000Z", 6, "after"),
        ("2024-10-27T03:00:00.000000Z", 1, "later"),
    ]


def test_past_the_bytes_read_back_the_first_occurrence_is_kept_and_said_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(repeated, "READ_BACK", 200)
    filler = [
        f"2024-10-27 02:{m:02d}:00 INFO filler request_id=other" for m in range(6)
    ]
    log = write(
        tmp_path / "app.log",
        [
            "2024-10-27 02:50:00 INFO first pass request_id=r1",
            *filler,
            "2024-10-27 02:30:00 INFO second pass request_id=r1",
            "2024-10-27 02:31:00 INFO second pass too request_id=r1",
        ],
    )

    result = in_berlin("r1", log)

    assert result.exit_code == 0
    assert timeline(result) == [
        ("2024-10-27T00:30:00.000000Z", "app", 8, "second pass"),
        ("2024-10-27T00:31:00.000000Z", "app", 9, "second pass too"),
        ("2024-10-27T00:50:00.000000Z", "app", 1, "first pass"),
    ]
    assert result.stderr == (
        f"tracerun: warning: {log}:8: a time the clock showed twice (when daylight "
        "saving time ended) is read as its first occurrence: no line in the 0 MiB "
        "before it tells which (hint: log with an offset, `%z`, or in UTC)\n"
    )


BERLIN = ZoneInfo("Europe/Berlin")
FIRST_0230 = parse_time("2024-10-27T00:30:00Z")
assert FIRST_0230 is not None


def _target() -> Target:
    origin = Origin("app", 0, "file", "app.log", "app.log")
    return Target(origin, build_parser("auto", {}), BERLIN)


def test_a_followed_line_is_the_occurrence_nearest_before_its_arrival() -> None:
    query = Query(terms=(Term("request_id", "r1"),), keys=("request_id",))
    line = (
        b"2024-10-27 02:30:00 INFO now request_id=r1\n2024-10-27 02:31:00 INFO next\n"
    )
    times = []
    for arrival in ("2024-10-27T00:35:00Z", "2024-10-27T01:35:00Z"):
        now = parse_time(arrival)
        reader = IncrementalReader(_target(), query, clock=lambda now=now: now)
        times += [r.time for r in reader.feed(line)]

    assert [t - FIRST_0230 for t in times] == [0, 3_600_000_000]


def test_history_read_before_following_is_placed_by_the_order_of_its_hits() -> None:
    # No clock yet (a file's lines up to its end when following starts).
    query = Query(terms=(Term("request_id", "r1"),), keys=("request_id",))
    reader = IncrementalReader(_target(), query)
    data = b"".join(
        f"2024-10-27 02:{minute} INFO x request_id=r1\n".encode()
        for minute in ("30:00", "50:00", "30:00")
    )

    times = [r.time - FIRST_0230 for r in reader.feed(data) + reader.flush()]

    assert times == [0, 20 * 60_000_000, 3_600_000_000]


def test_hits_without_the_lines_between_them_are_placed_by_their_order() -> None:
    passes = HitPasses(_target())
    hits = [
        "2024-10-27 01:50:00 INFO a",  # before the hour
        "2024-10-27 02:30:00 INFO b",  # first pass
        "2024-10-27 02:50:00 INFO c",  # first pass
        "2024-10-27 02:10:00 INFO d",  # earlier by 40 minutes: the second pass
        "2024-10-27 02:30:00 INFO e",  # still the second pass
        "2024-10-27 03:10:00 INFO f",  # after
    ]
    placed = []
    for line in hits:
        first = parse_time(line[:19], tz=BERLIN)
        assert first is not None
        placed.append(passes.time(first, line, 0, 0) - FIRST_0230)
    minute = 60_000_000
    assert [t // minute for t in placed] == [-40, 0, 20, 40, 60, 100]


def test_a_fixed_offset_zone_makes_no_passes() -> None:
    assert repeated.passes_for(replace(_target(), tz=ZoneInfo("UTC")))
    from datetime import UTC

    assert not repeated.passes_for(replace(_target(), tz=UTC))


def test_a_line_its_transport_stamped_takes_the_occurrence_nearer_the_stamp() -> None:
    # A container's line: the Docker engine's stamp is the instant it was written.
    query = Query(terms=(Term("request_id", "r1"),), keys=("request_id",))
    data = b"2024-10-27 02:30:00 INFO hi request_id=r1\n"
    times = []
    for stamped in ("2024-10-27T00:30:00.2Z", "2024-10-27T01:30:00.2Z"):
        assembler = Assembler(_target(), Matcher(query))
        for hit in scan(io.BytesIO(data), Needles.of(("r1",)), _target().is_start):
            records = assembler.records(hit, fallback_time=parse_time(stamped))
            times += [r.time for r in records]

    assert [t - FIRST_0230 for t in times] == [0, 3_600_000_000]


def test_a_record_without_a_time_takes_the_second_pass_of_the_line_before_it(
    tmp_path: Path,
) -> None:
    log = write(
        tmp_path / "app.json",
        [
            '{"time": "2024-10-27 02:50:00", "msg": "first pass", "request_id": "x"}',
            '{"time": "2024-10-27 02:10:00", "msg": "second pass", "request_id": "x"}',
            '{"msg": "no time", "request_id": "r1"}',
        ],
    )

    assert between_the_utc_records(tmp_path, log, "r1") == [
        ("2024-10-27T01:10:00.000000Z", "app.json", 3, "no time")
    ]
