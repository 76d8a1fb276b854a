"""tracerun/read/assemble.py: hits of real logs → Records (level, stack, hidden keys)."""

from __future__ import annotations

import io
from datetime import UTC

from helpers.real import REAL

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
