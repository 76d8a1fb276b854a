"""The real third-party logs of tests/testdata/real, and a trace that reads them back.

Each record comes back as (file:line, UTC instant at ms, level, first line of
the message), the form tests/testdata/real/SOURCES.md gives its ground truth in.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tracerun.cli import cli

REAL = Path(__file__).resolve().parents[1] / "testdata" / "real"

Row = tuple[str, str | None, str, str]


def trace(*args: str, cwd: Path = REAL) -> tuple[int, list[Row], str]:
    """Run `tracerun ARGS -o ndjson`; return the exit code, the rows and stderr."""
    result = CliRunner().invoke(cli, [*args, "--color", "never", "-o", "ndjson"])
    rows = [_row(json.loads(line), cwd) for line in result.stdout.splitlines()]
    return result.exit_code, rows, result.stderr


def _row(record: dict[str, object], cwd: Path) -> Row:
    origin = Path(str(record["origin"]))
    where = origin.relative_to(cwd) if origin.is_absolute() else origin
    time = record["time"]
    shown = None if time is None else f"{str(time)[:23]}Z"
    message = str(record["message"]).split("\n")[0]
    return f"{where.as_posix()}:{record['line']}", shown, str(record["level"]), message
