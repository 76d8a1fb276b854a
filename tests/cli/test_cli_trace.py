"""The trace command: the command line it shows, and where --summary goes."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tracerun.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def test_markdown_shows_the_command_as_typed_with_quoting(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner(env={"TRACERUN_PROFILE": ""}).invoke(
        cli,
        [
            "-p",
            "demo",
            "--source",
            "pay*",
            "--where",
            "level == 'error'",
            "-C",
            "1",
            "-o",
            "markdown",
            "request_id=req-7f3a9c2e",
        ],
    )

    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith(
        "\nProduced by:\n\n```sh\n"
        "tracerun -p demo --source 'pay*' --where 'level == '\"'\"'error'\"'\"'' "
        "-o markdown -C 1 request_id=req-7f3a9c2e\n```\n"
    )


def test_summary_with_summary_output_prints_it_once(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner(env={"COLUMNS": "100", "TRACERUN_PROFILE": ""}).invoke(
        cli, ["-p", "demo", "req-7f3a9c2e", "-o", "summary", "--summary"]
    )

    golden = (ROOT / "tests" / "testdata" / "demo.summary.txt").read_text("utf-8")
    assert result.stdout == golden
    assert result.stderr == ""
