"""Session: the trace options → a Query that says whether records need line numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracerun.cli import cli
from tracerun.config.model import FileSourceConfig, Profile, to_spec
from tracerun.trace.session import TraceOptions, build_query

PROFILE = to_spec(
    Profile(version=1, sources={"app": FileSourceConfig(type="file", paths=["x"])})
)


@pytest.mark.parametrize(
    ("options", "lines"),
    [
        (TraceOptions(terms=("abc",)), False),
        (TraceOptions(terms=("abc",), output="ndjson"), True),
        (TraceOptions(terms=("abc",), output="summary"), True),
        (TraceOptions(terms=("abc",), summary=True), True),
        (TraceOptions(terms=("abc",), where="level == 'info'"), True),
        (TraceOptions(terms=("abc",), expand=True), True),
        (TraceOptions(terms=("abc",), auto_window=True), True),
    ],
)
def test_only_the_text_output_alone_does_without_record_lines(options, lines):
    assert build_query(PROFILE, options, now=0).lines is lines


def test_the_text_output_names_the_lines_of_its_warnings_as_ndjson_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its records carry no line; the explanation's `file:line` is counted
    # after the read (read/numbers.py), and must be the numbered read's.
    monkeypatch.chdir(tmp_path)
    filler = "".join(
        json.dumps({"ts": f"2026-03-20T10:00:{i % 60:02d}Z", "request_id": f"r{i}"})
        + "\n"
        for i in range(3000)
    )
    late = {"ts": "2026-03-20T10:02:00Z", "msg": "done", "request_id": "abc"}
    (tmp_path / "j.log").write_text(
        filler + "not json request_id=abc\n" + filler + json.dumps(late) + "\n"
    )
    (tmp_path / "p.yaml").write_text(
        "version: 1\nparsers:\n  app: {type: json}\n"
        "sources:\n  app: {type: file, paths: [j.log], parser: app}\n"
    )
    env = {"NO_COLOR": "", "FORCE_COLOR": "", "TRACERUN_PROFILE": ""}

    def trace(*extra: str):
        args = ["-p", "p.yaml", "abc", "--until", "2026-03-20T10:01:00Z", *extra]
        return CliRunner().invoke(cli, args, env=env)

    text, ndjson = trace(), trace("-o", "ndjson")

    assert text.exit_code == ndjson.exit_code == 1
    assert text.stderr == ndjson.stderr
    assert text.stderr.splitlines()[-1] == (
        "tracerun: nothing matched: 1 record carries it but lies outside the "
        "window … → 2026-03-20T10:01:00.000Z UTC (first: j.log:6002)"
    )
