"""A file read in pieces places each record of the repeated hour by the file's order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tracerun.cli.adhoc import with_adhoc
from tracerun.plain import replace
from tracerun.query import Query, Term
from tracerun.sources.file import pieces as files
from tracerun.timeparse import format_rfc3339_us
from tracerun.trace import runner
from tracerun.trace.plan import build_plan

BERLIN = ZoneInfo("Europe/Berlin")


def berlin_log(path: Path) -> list[str]:
    """A line every 20 s from 01:30 CEST to 03:30 CET; every 9th carries the id.

    Returns the instants (UTC) of the lines with the id, in file order.
    """
    lines, expected = [], []
    at = datetime(2024, 10, 26, 23, 30, tzinfo=UTC)
    for n in range(540):  # 23:30Z to 02:30Z
        wall = at.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M:%S")
        rid = "r1" if n % 9 == 0 else f"other-{n}"
        lines.append(f"{wall} INFO step {n} request_id={rid}\n")
        if rid == "r1":
            expected.append(at.strftime("%Y-%m-%dT%H:%M:%S.000000Z"))
        at += timedelta(seconds=20)
    path.write_text("".join(lines))
    return expected


def test_a_piece_that_starts_inside_the_second_pass_places_its_records_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "app.log"
    expected = berlin_log(log)
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(files, "RANGE_MIN", 4096)
    profile = replace(with_adhoc(None, {"file": (str(log),)}), timezone="Europe/Berlin")
    plan = build_plan(profile)
    query = Query(terms=(Term("request_id", "r1"),), keys=("request_id",))

    pieces = files.file_jobs(list(plan.targets), query, 2)[0]
    result = runner.run(plan, query, workers=2)

    text = log.read_bytes()
    first_lines = [text.count(b"\n", 0, p.start) for p in pieces]
    # lines 270-449 are the second pass: 02:00:00 CET again after 02:59:40 CEST
    assert first_lines == [0, 138, 272, 407]
    assert [format_rfc3339_us(r.time) for r in result.records] == expected
    assert [r.message for r in result.records] == [
        f"step {n}" for n in range(0, 540, 9)
    ]
    assert result.warnings == []
