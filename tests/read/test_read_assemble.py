"""tracerun/read/assemble.py: hits of real logs → Records (level, stack, hidden keys)."""

from __future__ import annotations

import io
import json
from datetime import UTC
from pathlib import Path

from click.testing import CliRunner
from helpers.real import REAL

from tracerun.cli import cli
from tracerun.extract import build_parser
from tracerun.origin import Origin
from tracerun.query import Query, Term
from tracerun.read.assemble import Assembler
from tracerun.read.match import Matcher
from tracerun.read.scan import Needles, scan
from tracerun.read.target import Target
from tracerun.timeparse import format_utc_ms


def records(name: str, parser: str, *terms: Term):
    path = REAL / name
    origin = Origin(path.stem, 0, "file", name, str(path))
    target = Target(origin, build_parser(parser, {}), UTC)
    query = Query(terms=terms, keys=("request_id",))
    assembler = Assembler(target, Matcher(query))
    stream = io.BytesIO(path.read_bytes())
    hits = scan(stream, Needles.of(query.values), target.is_start)
    found = [assembler.record(hit) for hit in hits]
    return [record for record in found if record is not None]


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
