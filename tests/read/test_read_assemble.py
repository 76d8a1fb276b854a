"""Assemble: a record without a time takes the time before it, exactly and in linear time."""

from __future__ import annotations

import io
import json

import pytest

from tracerun.config.model import FileSourceConfig, Profile, to_spec
from tracerun.read.assemble import (
    Assembler,
    Tally,
    timeless_warning,
    timeless_warnings,
)
from tracerun.read.match import Matcher
from tracerun.read.scan import LOOKBACK, Needles, scan
from tracerun.record import NO_TIME
from tracerun.timeparse import parse_time
from tracerun.trace.plan import source_target
from tracerun.trace.session import TraceOptions, build_query

PROFILE = to_spec(
    Profile(version=1, sources={"app": FileSourceConfig(type="file", paths=["x"])})
)
TARGET = source_target(PROFILE, "app", 0)
QUERY = build_query(PROFILE, TraceOptions(terms=("R1",)), now=0)
T0 = parse_time("2026-03-20T14:10:00Z")


def _json(msg: str, rid: str = "R1", ts: str | None = None) -> bytes:
    fields = {"ts": ts} if ts else {}
    return json.dumps({**fields, "msg": msg, "request_id": rid}).encode() + b"\n"


def _times(data: bytes, chunk: int = 1 << 20) -> list[tuple[str, int]]:
    assembler = Assembler(TARGET, Matcher(QUERY))
    hits = scan(io.BytesIO(data), Needles.of(("R1",)), TARGET.is_start, chunk=chunk)
    records = [assembler.record(hit) for hit in hits]
    return [(r.message, r.time) for r in records if r is not None]


def test_a_record_without_a_time_takes_the_nearest_earlier_time():
    data = (
        _json("first", "x", "2026-03-20T14:10:00Z")
        + _json("second", "x", "2026-03-20T14:10:05Z")
        + b"  a continuation line\n"
        + _json("no time, no id", "x")
        + _json("untimed")
    )

    assert _times(data) == [("untimed", T0 + 5_000_000)]


def test_a_run_of_matching_records_without_a_time_takes_the_time_before_the_run():
    run = b"".join(_json(f"m{i}") for i in range(3 * LOOKBACK // 40))
    data = _json("timed", "x", "2026-03-20T14:10:00Z") + run

    times = _times(data, chunk=4096)

    assert len(run) > 2 * LOOKBACK
    assert {time for _, time in times} == {T0}


def test_lines_further_back_than_the_lookback_are_not_looked_at():
    filler = b"".join(_json(f"n{i}", "x") for i in range(LOOKBACK // 30))
    data = _json("timed", "x", "2026-03-20T14:10:00Z") + filler + _json("untimed")

    assert len(filler) > LOOKBACK
    assert _times(data) == [("untimed", NO_TIME)]


@pytest.mark.parametrize("chunk", [64, 4096, 1 << 20])
def test_the_answer_does_not_depend_on_the_block_size(chunk):
    data = b"".join(
        _json(
            f"m{i}",
            "R1" if i % 3 else "x",
            None if i % 5 else f"2026-03-20T14:10:{i % 60:02d}Z",
        )
        for i in range(400)
    )

    assert _times(data, chunk) == _times(data)


def test_each_hit_is_parsed_once_and_lines_between_hits_at_most_once(monkeypatch):
    calls = []
    parse = TARGET.parser.parse

    def counting(line, tz):
        calls.append(line)
        return parse(line, tz)

    monkeypatch.setattr(
        type(TARGET.parser), "parse", lambda _self, line, tz: counting(line, tz)
    )
    data = _json("timed", "x", "2026-03-20T14:10:00Z") + b"".join(
        _json(f"m{i}") + _json(f"n{i}", "x") for i in range(20_000)
    )

    times = _times(data)

    assert len(times) == 20_000
    assert {time for _, time in times} == {T0}
    assert len(calls) <= 20_000 + 20_000 + 1


def test_timeless_warning_summarises_an_origin():
    many = Tally()
    for line in (12, 13, 100_011):
        many.add(line)
    one = Tally()
    one.add(7)

    assert timeless_warning("orders.log", many) == (
        "orders.log:12: record has no timestamp and none precedes it; it is shown "
        "first, without a time; and 2 more like it (first at line 12, last at 100,011)"
    )
    assert timeless_warning("orders.log", one) == (
        "orders.log:7: record has no timestamp and none precedes it; it is shown "
        "first, without a time"
    )


def test_timeless_warnings_of_many_origins_are_summarised_after_three():
    tallies = []
    for i in range(5):
        tally = Tally()
        tally.add(1)
        tallies.append((f"f{i}.log", tally))

    assert timeless_warnings([("empty.log", Tally()), *tallies]) == [
        *(timeless_warning(name, tally) for name, tally in tallies[:3]),
        (
            "and 2 more origins (f3.log … f4.log) have 2 record(s) with no "
            "timestamp and none before them; they are shown first, without a time"
        ),
    ]
