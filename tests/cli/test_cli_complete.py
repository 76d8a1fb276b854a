"""tracerun/complete.py through click's real completion protocol, as a shell runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracerun.cli import cli

ROOT = Path(__file__).resolve().parents[2]

BROKEN = "version: 1\nsources:\n  edge: {type: file, paths: [a.log]\n"
WITH_ENV = """\
version: 1
keys: [rid, trace_id]
sources:
  edge: {type: file, paths: ['${LOG_DIR}/edge.log']}
  edge-archive: {type: file, paths: ['${LOG_DIR}/old/*.gz']}
outputs:
  slack: {type: text, color: never}
"""


def _environ(line: str, shell: str, env: dict[str, str]) -> dict[str, str]:
    """The variables click's shell scripts set for the completion of `line`."""
    words = line.split()
    cword = len(words) if line.endswith(" ") else len(words) - 1
    return {
        "TRACERUN_PROFILE": "",
        "TRACERUN_PROFILE_PATH": "",
        "_TRACERUN_COMPLETE": f"{shell}_complete",
        "COMP_WORDS": line,
        "COMP_CWORD": str(cword) if shell != "fish" else (words[cword:] or [""])[0],
        **env,
    }


def complete(
    line: str, shell: str = "bash", cwd: Path = ROOT, **env: str
) -> tuple[str, str]:
    """Ask for the completions of `line` (the cursor at its end); (stdout, stderr).

    In process, through click's own completion entry point (what `tracerun`
    runs when _TRACERUN_COMPLETE is set); test_the_installed_command_completes
    checks the same through a real process.
    """
    here = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(
            cli, [], prog_name="tracerun", env=_environ(line, shell, env)
        )
    finally:
        os.chdir(here)
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


def test_the_installed_command_completes() -> None:
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TRACERUN")},
        **_environ("tracerun -p demo --source o", "bash", {}),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tracerun"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )
    assert (done.stdout, done.stderr) == ("plain,orders\n", "")


def candidates(line: str, **kwargs) -> list[str]:
    stdout, stderr = complete(line, **kwargs)
    assert stderr == ""
    return [line for line in stdout.splitlines() if line]


def test_profile_names_after_p() -> None:
    assert candidates("tracerun -p d") == ["plain,demo"]
    assert candidates("tracerun sources -p ") == ["plain,demo"]


def test_the_first_word_completes_the_trace_options_too() -> None:
    # `tracerun --sin` is the default command's --since, as after `-p demo`.
    assert candidates("tracerun --sin") == ["plain,--since"]
    assert candidates("tracerun -p demo --sin") == ["plain,--since"]
    assert candidates("tracerun --ver") == ["plain,--version"]
    assert candidates("tracerun --ma") == [
        "plain,--max-records",
        "plain,--max-depth",
        "plain,--max-ids",
        "plain,--max-fanout",
        "plain,--margin",
    ]
    assert candidates("tracerun va") == ["plain,validate"]


def test_a_path_after_p_is_left_to_the_shell() -> None:
    assert candidates("tracerun -p ./prof") == ["file,./prof"]


def test_source_names_after_source() -> None:
    assert candidates("tracerun -p demo --source ") == [
        "plain,gateway",
        "plain,orders",
        "plain,inventory",
        "plain,payments",
        "plain,worker",
    ]
    assert candidates("tracerun -p demo x=1 --source p") == ["plain,payments"]


def test_output_names_after_o_include_the_profiles() -> None:
    assert candidates("tracerun -p demo -o ") == [
        "plain,text",
        "plain,ndjson",
        "plain,summary",
        "plain,markdown",
        "plain,html",
        "plain,jaeger",
        "plain,otlp",
        "plain,mermaid",
        "plain,runbook",
    ]


def test_keys_before_equals() -> None:
    assert candidates("tracerun -p demo re") == ["plain,request_id=", "plain,req_id="]
    assert candidates("tracerun -p demo request_id=") == []


def test_profile_from_the_environment_is_used() -> None:
    assert candidates("tracerun --source g", TRACERUN_PROFILE="demo") == [
        "plain,gateway"
    ]


def test_unset_env_vars_do_not_hide_names(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(WITH_ENV)

    assert candidates("tracerun -p p.yaml --source ", cwd=tmp_path) == [
        "plain,edge",
        "plain,edge-archive",
    ]
    assert candidates("tracerun -p p.yaml -o sl", cwd=tmp_path) == ["plain,slack"]
    assert candidates("tracerun -p p.yaml ", cwd=tmp_path) == [
        "plain,rid=",
        "plain,trace_id=",
    ]


@pytest.mark.parametrize(
    "line",
    [
        "tracerun -p broken.yaml --source ",
        "tracerun -p no-such-profile --source ",
        "tracerun --source ",
    ],
)
def test_broken_or_missing_profile_gives_no_candidates_and_no_noise(
    tmp_path: Path, line: str
) -> None:
    (tmp_path / "broken.yaml").write_text(BROKEN)

    assert complete(line, cwd=tmp_path) == ("\n", "")


def test_without_a_profile_the_default_keys_are_offered(tmp_path: Path) -> None:
    assert candidates("tracerun --path x.log ", cwd=tmp_path) == [
        "plain,request_id=",
        "plain,req_id=",
        "plain,rid=",
        "plain,trace_id=",
        "plain,correlation_id=",
    ]


def test_zsh_and_fish_get_the_same_names() -> None:
    assert candidates("tracerun -p demo -o r", shell="zsh") == ["plain", "runbook", "_"]
    assert candidates("tracerun -p demo -o r", shell="fish") == ["plain,runbook"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_source_script_for_each_shell(shell: str) -> None:
    environ = {**os.environ, "_TRACERUN_COMPLETE": f"{shell}_source"}
    done = subprocess.run(
        [sys.executable, "-m", "tracerun"],
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "_TRACERUN_COMPLETE" in done.stdout
    assert done.stderr == ""


def test_keys_that_are_not_a_list_give_no_candidates(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(WITH_ENV.replace("[rid, trace_id]", "rid"))

    assert candidates("tracerun -p p.yaml r", cwd=tmp_path) == []
