"""The README is part of the feature: it must tell the truth about the CLI."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest

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
    # in the options table, where a user looks an option up
    table = "\n".join(line for line in README.splitlines() if line.startswith("| `-"))
    trace = commands()["trace"]
    group = cli.get_params(click.Context(cli))  # --help and --version
    for param in [*trace.params, *group]:
        if isinstance(param, click.Option):
            longest = max(param.opts, key=len)
            assert f"`{longest}" in table or f", {longest}" in table, longest


def test_every_commands_options_are_in_its_row_of_the_commands_table() -> None:
    for name, command in commands().items():
        if name == "trace":  # its options have a table of their own
            continue
        row = next(
            line
            for line in README.splitlines()
            if line.startswith(f"| `tracerun {name}")
        )
        usage = row.split("`")[1]
        for param in command.params:
            if isinstance(param, click.Option) and param.name not in {"debug", "help"}:
                shown = [
                    o for o in param.opts if f"[{o} " in usage or f"[{o}]" in usage
                ]
                assert shown, (name, param.opts)


def test_every_command_has_help_with_an_example() -> None:
    for name, command in commands().items():
        assert command.help, name
        assert "Example" in command.help, name


def _expanded(word: str) -> list[str]:
    """A word of a help example as the shell would pass it (globs from ROOT)."""
    if "*" not in word:
        return [word]
    return [str(path.relative_to(ROOT)) for path in sorted(ROOT.glob(word))]


@pytest.mark.parametrize("name", ["validate", "profiles", "sources", "schema", "trust"])
def test_the_help_examples_of_the_profile_commands_run(
    name: str, tmp_path: Path
) -> None:
    # A user pastes them from `--help` in a clone: each must work there.
    block = commands()[name].help.split("Example:", 1)[1]  # type: ignore[union-attr]
    examples = [line.strip() for line in block.splitlines() if line.strip()]
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path),
    }
    assert examples
    for example in examples:
        words = shlex.split(example.split(" > ", 1)[0])
        assert words[0] == "tracerun", example
        args = [arg for word in words[1:] for arg in _expanded(word)]
        done = subprocess.run(
            [sys.executable, "-m", "tracerun", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert (done.returncode, done.stderr) == (0, ""), example


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


def _as_shown(lines: list[str], width: int = 96) -> list[str]:
    """The README's view of text output: lines cut at `width`, a record's later
    lines (a stack trace) as their first one and `    …`."""
    shown: list[str] = []
    for line in lines:
        if line.startswith(" ") and shown[-1] == "    …":
            continue
        if line.startswith(" ") and shown[-1].startswith(" "):
            shown.append("    …")
            continue
        shown.append(line if len(line) <= width else line[: width - 1] + "…")
    return shown


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

    # Every record, in order, nothing more; and the README says how it is cut.
    assert sample.splitlines() == _as_shown(actual)
    assert "Here each line is cut at 96 characters" in README


def _tracerun(*args: str) -> subprocess.CompletedProcess[str]:
    """Run tracerun in the repository as a user would there, without colour."""
    return subprocess.run(
        [sys.executable, "-m", "tracerun", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )


def test_readme_summary_example_is_the_demo_summary() -> None:
    # tests/testdata/demo.summary.txt is the golden `-o summary` of the demo
    # (COLUMNS=100); the README shows it as it is.
    golden = (ROOT / "tests" / "testdata" / "demo.summary.txt").read_text("utf-8")
    block = README.split("$ tracerun -p demo req-7f3a9c2e -o summary\n", 1)[1]

    assert block.split("```", 1)[0] == golden


def test_expand_example_is_what_the_demo_prints() -> None:
    block = README.split("$ tracerun -p demo --expand req-7f3a9c2e\n", 1)[1]
    sample, after = block.split("```", 1)
    done = _tracerun("-p", "demo", "--expand", "req-7f3a9c2e")
    actual = done.stdout.splitlines()
    # the first record, `…` for the request's others, then the last eight as shown
    assert sample.splitlines() == [*_as_shown(actual)[:1], "…", *_as_shown(actual)[-8:]]
    assert actual[-6:] == [
        real for real in actual if "↳" in real
    ]  # the records expansion found come after the request's, in time order
    stderr = after.split("```\n", 2)[1].split("```", 1)[0]
    assert done.stderr == stderr


def test_template_example_is_what_its_profile_prints() -> None:
    yaml_block = README.split("plus this output:\n\n```yaml\n", 1)[1].split("```", 1)[0]
    command = (
        "$ tracerun -p examples/template.yaml req-7f3a9c2e -o short --source orders\n"
    )
    sample = README.split(command, 1)[1].split("```", 1)[0]
    done = _tracerun(*command.split()[2:])

    assert (done.stdout, done.stderr) == (sample, "")
    assert yaml_block in (ROOT / "examples" / "template.yaml").read_text("utf-8")


def test_mermaid_example_is_the_start_of_the_demo_diagram() -> None:
    # tests/testdata/demo.mermaid.md is the golden `-o mermaid` of the demo.
    golden = (ROOT / "tests" / "testdata" / "demo.mermaid.md").read_text("utf-8")
    block = README.split("$ tracerun -p demo req-7f3a9c2e -o mermaid\n```\n", 1)[1]
    shown = block.split("\n```\n", 1)[0].splitlines()

    assert shown[-1] == "    …"
    assert shown[:-1] == golden.splitlines()[: len(shown) - 1]
    assert len(shown) > 10


def test_sources_check_example_is_what_it_prints_for_the_demo() -> None:
    block = README.split("$ tracerun sources -p demo --check\n", 1)[1]
    # the block is indented by two spaces, in a list item
    lines = block.split("```", 1)[0].rstrip(" ").splitlines()
    shown = [line.removeprefix("  ") for line in lines]
    done = _tracerun("sources", "-p", "demo", "--check")
    actual = done.stdout.splitlines()

    assert shown[-1] == "…"
    assert shown[:-1] == actual[: len(shown) - 1]
