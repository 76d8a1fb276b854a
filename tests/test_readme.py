"""The README is part of the feature: it must tell the truth about the CLI."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click

from tracerun.cli import cli
from tracerun.cli.app import COMMANDS
from tracerun.errors import ExitCode

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands() -> dict[str, click.Command]:
    found = {name: cli.get_command(click.Context(cli), name) for name in COMMANDS}
    assert None not in found.values()
    return found  # type: ignore[return-value]


def test_every_command_is_documented() -> None:
    assert len(commands()) == 7
    for name in commands():
        assert f"`tracerun {name}" in README, name


def test_every_trace_option_is_documented() -> None:
    trace = commands()["trace"]
    for param in trace.params:
        if isinstance(param, click.Option):
            longest = max(param.opts, key=len)
            assert f"`{longest}" in README or f", {longest}" in README, longest


def test_every_command_has_help_with_an_example() -> None:
    for name, command in commands().items():
        assert command.help, name
        assert "Example" in command.help, name


def test_every_exit_code_is_in_the_table() -> None:
    table = {int(code) for code in re.findall(r"^\| (\d+) \|", README, re.MULTILINE)}
    assert {int(code) for code in ExitCode} <= table


def test_ci_runs_the_readmes_test_command() -> None:
    assert "make test" in README
    assert (
        (ROOT / ".ci" / "run")
        .read_text(encoding="utf-8")
        .rstrip()
        .endswith("make test")
    )


def test_sample_output_is_what_the_demo_prints() -> None:
    sample = README.split("$ tracerun -p demo req-7f3a9c2e\n", 1)[1].split("```", 1)[0]
    actual = subprocess.run(
        [
            sys.executable,
            "-m",
            "tracerun",
            "-p",
            "demo",
            "req-7f3a9c2e",
            "--color",
            "never",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    shown = [line.removesuffix("…") for line in sample.splitlines() if line != "    …"]

    assert len(shown) > 10
    for line in shown:
        assert any(real.startswith(line) for real in actual), line


def test_readme_summary_example_is_the_demo_summary() -> None:
    # tests/testdata/demo.summary.txt is the golden `-o summary` of the demo
    # (COLUMNS=100); the README shows it as it is.
    golden = (ROOT / "tests" / "testdata" / "demo.summary.txt").read_text("utf-8")
    block = README.split("$ tracerun -p demo req-7f3a9c2e -o summary\n", 1)[1]

    assert block.split("```", 1)[0] == golden


def test_expand_example_is_what_the_demo_prints() -> None:
    block = README.split("$ tracerun -p demo --expand req-7f3a9c2e\n", 1)[1]
    sample, after = block.split("```", 1)
    done = subprocess.run(
        [sys.executable, "-m", "tracerun", "-p", "demo", "--expand", "req-7f3a9c2e"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )
    actual = done.stdout.splitlines()
    shown = [line.removesuffix("…") for line in sample.splitlines() if line != "…"]
    assert len(shown) == 9
    for line in shown:
        assert any(real.startswith(line) for real in actual), line
    assert actual[-6:] == [
        real for real in actual if "↳" in real
    ]  # the records expansion found come after the request's, in time order
    stderr = after.split("```\n", 2)[1].split("```", 1)[0]
    assert done.stderr == stderr
