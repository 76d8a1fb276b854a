"""Assemble: context lines (-A/-B/-C) around records, each log line printed once."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tracerun.cli import cli

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
