"""Assemble: hits of real logs → Records (level, stack, hidden keys); a record without a
time takes the time before it, exactly and in linear time."""

from __future__ import annotations

import io
import json
from datetime import UTC
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.real import REAL

from tracerun.cli import cli
from tracerun.config.model import FileSourceConfig, Profile, to_spec
from tracerun.extract import build_parser
from tracerun.origin import Origin
from tracerun.query import Query, Term
from tracerun.read.assemble import (
    Assembler,
    Timeless,
    timeless_warning,
    timeless_warnings,
)
from tracerun.read.match import Matcher
from tracerun.read.scan import LOOKBACK, Needles, scan
from tracerun.read.target import Target
from tracerun.record import NO_TIME
from tracerun.timeparse import format_utc_ms, parse_time
from tracerun.trace.plan import source_target
from tracerun.trace.session import TraceOptions, build_query


def records(name: str, parser: str, *terms: Term):
    path = REAL / name
    origin = Origin(path.stem, 0, "file", name, str(path))
    target = Target(origin, build_parser(parser, {}), UTC)
    query = Query(terms=terms, keys=("request_id",))
    assembler = Assembler(target, Matcher(query))
    stream = io.BytesIO(path.read_bytes())
    hits = scan(stream, Needles.of(query.values), target.is_start)
    return [record for hit in hits for record in assembler.records(hit)]


def test_postgresql_statement_takes_the_level_of_the_error_it_annotates():
    # PostgreSQL 15.18: ERROR (11), DETAIL (12), STATEMENT (13) of one process
    found = records(
        "postgres-berlin/postgresql.log", "auto", Term(None, "req-e5f60718")
    )
    assert [(r.line, format_utc_ms(r.time), r.level) for r in found] == [
        (24, "2026-12-02T02:21:45.606Z", "info"),
        (27, "2026-12-02T02:21:45.606Z", "error"),
    ]


def test_a_statement_continued_on_later_lines_matches_by_its_last_line():
    found = records(
        "postgres-berlin/postgresql.log", "auto", Term("request_id", "req-a1b2c3d4")
    )
    record = next(r for r in found if r.line == 14)
    assert (record.message, record.continuation[-1]) == (
        "statement: SELECT id,",
        "\t WHERE sku = 'TEA' -- request_id=req-a1b2c3d4",
    )
    assert "request_id" not in record.fields  # matched, not shown


def test_a_json_stack_field_is_carried_as_lines_and_hidden_from_the_fields():
    # python-json-logger 4.2.0: exception() → exc_info holds the traceback
    found = records(
        "python-json-logger/default.log", "json", Term(None, "req-3c4d5e6f")
    )
    error = next(r for r in found if r.level == "error")
    assert error.stack == (
        "Traceback (most recent call last):",
        '  File "/work/main/tests/testdata/real/scripts/python_json_logger.py", line 32, in <module>',
        "    1 / 0",
        "    ~~^~~",
        "ZeroDivisionError: division by zero",
    )
    assert error.hidden == ("asctime", "levelname", "message", "exc_info")
    assert error.continuation == ()


def test_pairs_held_by_the_message_are_hidden_from_the_fields():
    found = records(
        "postgres-berlin/postgresql.log", "auto", Term(None, "req-a1b2c3d4")
    )
    assert found[0].hidden == ("time", "level", "msg", "request_id")


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
    records = [r for hit in hits for r in assembler.records(hit)]
    return [(r.message, r.time) for r in records]


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

    def counting(line, tz, written=None):
        calls.append(line)
        return parse(line, tz, written)

    monkeypatch.setattr(
        type(TARGET.parser),
        "parse",
        lambda _self, line, tz, written=None: counting(line, tz, written),
    )
    data = _json("timed", "x", "2026-03-20T14:10:00Z") + b"".join(
        _json(f"m{i}") + _json(f"n{i}", "x") for i in range(20_000)
    )

    times = _times(data)

    assert len(times) == 20_000
    assert {time for _, time in times} == {T0}
    assert len(calls) <= 20_000 + 20_000 + 1


def test_timeless_warning_summarises_an_origin():
    many = Timeless()
    for line in (12, 13, 100_011):
        many.add(line)
    one = Timeless()
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
        tally = Timeless()
        tally.add(1)
        tallies.append((f"f{i}.log", tally))

    assert timeless_warnings([("empty.log", Timeless()), *tallies]) == [
        *(timeless_warning(name, tally) for name, tally in tallies[:3]),
        (
            "and 2 more origins (f3.log … f4.log) have 2 record(s) with no "
            "timestamp and none before them; they are shown first, without a time"
        ),
    ]


# --- context lines, -A/-B/-C (#17) ---

LOG = [
    "2026-03-20T14:10:00Z level=info msg=boot",
    "2026-03-20T14:10:01Z level=info msg=idle",
    "2026-03-20T14:10:02Z level=info msg=start request_id=abc",
    "2026-03-20T14:10:03Z level=warn msg=pool-full",
    "2026-03-20T14:10:04Z level=error msg=failed request_id=abc",
    "2026-03-20T14:10:05Z level=info msg=other request_id=abc0",
    "2026-03-20T14:10:06Z level=info msg=later",
    "2026-03-20T14:10:07Z level=info msg=last",
]


def trace(tmp_path: Path, *args: str) -> list[tuple[int | None, bool, str]]:
    (tmp_path / "app.log").write_text("\n".join(LOG) + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["--path", str(tmp_path / "app.log"), "abc", "-o", "ndjson", *args]
    )
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    return [(r["line"], r.get("context", False), r["message"]) for r in rows]


def test_context_lines_come_around_their_record_with_their_own_line_numbers(
    tmp_path: Path,
) -> None:
    assert trace(tmp_path, "-B", "1", "-A", "0") == [
        (2, True, LOG[1]),
        (3, False, "start"),
        (4, True, LOG[3]),
        (5, False, "failed"),
    ]


def test_overlapping_context_prints_each_line_once_and_records_as_records(
    tmp_path: Path,
) -> None:
    assert trace(tmp_path, "-C", "2") == [
        (1, True, LOG[0]),
        (2, True, LOG[1]),
        (3, False, "start"),
        (4, True, LOG[3]),  # after `start` and before `failed`: once
        (5, False, "failed"),
        (6, True, LOG[5]),  # a hit for another id: context here
        (7, True, LOG[6]),
    ]


def test_a_context_line_that_is_itself_a_record_is_printed_as_the_record(
    tmp_path: Path,
) -> None:
    assert trace(tmp_path, "-A", "3") == [
        (3, False, "start"),
        (4, True, LOG[3]),
        (5, False, "failed"),
        (6, True, LOG[5]),
        (7, True, LOG[6]),
        (8, True, LOG[7]),
    ]


def test_text_output_marks_context_lines(tmp_path: Path) -> None:
    (tmp_path / "app.log").write_text("\n".join(LOG) + "\n", encoding="utf-8")

    result = CliRunner().invoke(
        cli, ["--path", str(tmp_path), "abc", "-B", "1", "--color", "never"]
    )

    assert result.stdout.splitlines()[:2] == [
        f"  ┊ {LOG[1]}",
        "2026-03-20T14:10:02.000Z app INFO  start request_id=abc",
    ]


# --- a line holding several records: an OTLP batch (the Collector's file exporter) ---


def _otlp(*records: tuple[str, str, str]) -> str:
    """A batch line: (timeUnixNano, request_id, body) per log record."""
    return json.dumps(
        {
            "resourceLogs": [
                {
                    "scopeLogs": [
                        {
                            "logRecords": [
                                {
                                    "timeUnixNano": time,
                                    "body": {"stringValue": body},
                                    "attributes": [
                                        {
                                            "key": "request_id",
                                            "value": {"stringValue": rid},
                                        }
                                    ],
                                }
                                for time, rid, body in records
                            ]
                        }
                    ]
                }
            ]
        }
    )


BATCH_LOG = [
    "2026-03-20T14:10:00Z level=info msg=before",
    _otlp(
        ("1774015801000000000", "abc", "first"),
        ("1774015802000000000", "abc0", "decoy"),
        ("1774015801000000000", "abc", "same instant"),
    ),
    "2026-03-20T14:10:04Z level=info msg=after",
]


def test_each_record_of_a_batch_line_that_carries_the_id_is_one_record(
    tmp_path: Path,
) -> None:
    (tmp_path / "app.log").write_text("\n".join(BATCH_LOG) + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["--path", str(tmp_path / "app.log"), "abc", "-o", "ndjson", "-C", "1"]
    )
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [
        (r["line"], r.get("context", False), r["message"], r["time"]) for r in rows
    ] == [
        (1, True, BATCH_LOG[0], None),
        (2, False, "first", "2026-03-20T14:10:01.000000Z"),
        (2, False, "same instant", "2026-03-20T14:10:01.000000Z"),
        (3, True, BATCH_LOG[2], None),
    ]


def test_the_records_of_a_batch_are_told_apart_in_order_and_across_passes():
    from tracerun.trace.expand import record_key

    data = ("\n".join(BATCH_LOG) + "\n").encode()
    assembler = Assembler(
        TARGET, Matcher(build_query(PROFILE, TraceOptions(terms=("abc",)), now=0))
    )
    hits = scan(io.BytesIO(data), Needles.of(("abc",)), TARGET.is_start)
    found = [r for hit in hits for r in assembler.records(hit)]

    assert [(r.line, r.message) for r in found] == [(2, "first"), (2, "same instant")]
    assert found[0].sort_key() < found[1].sort_key()  # total: the written order
    # --expand keeps a record once by its key: two records are two
    assert record_key(found[0]) != record_key(found[1])
    assert json.loads(found[1].raw)["body"] == {"stringValue": "same instant"}
