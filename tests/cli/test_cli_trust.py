"""Trust end to end through the CLI (#15): a profile that runs programs runs only
once its exact content (its `extends` chain included) is trusted."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers.probe import run_and_check_import

from tracerun.cli import cli

RECORD = '{"ts":"2026-03-20T14:10:00Z","msg":"from vendor","request_id":"req-42"}'
BASE = """\
version: 1
sources:
  vendor:
    type: command
    argv: [./vendor, --region, eu-1, "{since}"]
    env: {API_TOKEN: "${API_TOKEN}"}
    follow: [./vendor, --follow]
    parser: json
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository: `profiles/prod.yaml` running ./profiles/vendor, which notes each run."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "profiles"
    folder.mkdir()
    vendor = folder / "vendor"
    vendor.write_text(
        f"#!{sys.executable}\n"
        "import pathlib, sys\n"
        "with (pathlib.Path(__file__).parent / 'ran').open('a') as f: f.write('ran\\n')\n"
        f"print({RECORD!r})\n"
    )
    vendor.chmod(0o755)
    (folder / "prod.yaml").write_text(BASE)
    return folder


def run(*args: str, **env: str) -> Result:
    base = {"NO_COLOR": "", "FORCE_COLOR": "", "TRACERUN_PROFILE": ""}
    return CliRunner().invoke(cli, list(args), env={**base, **env})


SECRET = "tok-s3cr3t-value"
PROGRAMS = (
    "    source vendor: profiles/vendor --region eu-1 '{since}'  "
    "(env API_TOKEN=${API_TOKEN})\n"
    "    source vendor (under -f): profiles/vendor --follow  (env API_TOKEN=${API_TOKEN})\n"
)
UNTRUSTED = (
    "tracerun: error: profiles/prod.yaml runs programs and you have not trusted it; "
    "it would run:\n" + PROGRAMS + "  hint: check them, then run: tracerun trust -p "
    "prod (in CI: TRACERUN_TRUST=all)\n"
)
TRACED = "2026-03-20T14:10:00.000Z vendor -     from vendor request_id=req-42\n"


def test_untrusted_then_trusted_then_edited_must_be_trusted_again(repo: Path) -> None:
    untrusted = run("-p", "prod", "req-42", API_TOKEN=SECRET)
    assert (untrusted.exit_code, untrusted.stdout) == (2, "")
    assert untrusted.stderr == UNTRUSTED
    assert not (repo / "ran").exists()  # nothing ran

    trusted = run("trust", "-p", "prod", API_TOKEN=SECRET)
    assert trusted.exit_code == 0
    assert trusted.stdout == (
        "profiles/prod.yaml may run:\n"
        + PROGRAMS.replace("    source", "  source")
        + "trusted: this content of profiles/prod.yaml (1 file), recorded in "
        f"{trust_record()}\n"
    )
    assert SECRET not in trusted.stdout + trusted.stderr

    traced = run("-p", "prod", "req-42", API_TOKEN=SECRET)
    assert (traced.exit_code, traced.stdout, traced.stderr) == (0, TRACED, "")
    assert (repo / "ran").read_text() == "ran\n"

    (repo / "prod.yaml").write_text(BASE.replace("eu-1", "us-1"))
    edited = run("-p", "prod", "req-42", API_TOKEN=SECRET)
    assert edited.exit_code == 2
    assert edited.stderr.splitlines()[0] == (
        "tracerun: error: profiles/prod.yaml runs programs and it (or a profile it "
        "extends) changed since you trusted it; it would run:"
    )
    assert edited.stderr.splitlines()[1] == (
        "    source vendor: profiles/vendor --region us-1 '{since}'  "
        "(env API_TOKEN=${API_TOKEN})"
    )
    assert (repo / "ran").read_text() == "ran\n"


def trust_record() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "tracerun" / "trusted.json"


def test_a_base_changed_under_extends_must_be_trusted_again(repo: Path) -> None:
    (repo / "base.yaml").write_text(BASE)
    (repo / "prod.yaml").write_text("version: 1\nextends: base\ndescription: prod\n")
    env = {"API_TOKEN": SECRET}
    assert run("trust", "-p", "prod", **env).stdout.endswith(
        f"(2 files), recorded in {trust_record()}\n"
    )
    assert run("-p", "prod", "req-42", **env).stdout == TRACED

    (repo / "base.yaml").write_text(BASE.replace("--follow", "--follow-all"))
    changed = run("-p", "prod", "req-42", **env)

    assert changed.exit_code == 2
    assert "changed since you trusted it" in changed.stderr.splitlines()[0]
    assert changed.stderr.splitlines()[2] == (
        "    source vendor (under -f): profiles/vendor --follow-all  "
        "(env API_TOKEN=${API_TOKEN})"
    )
    assert (repo / "ran").read_text() == "ran\n"  # the one trusted run only


def test_trust_is_per_profile_file_not_per_content(repo: Path) -> None:
    (repo / "copy.yaml").write_text(BASE)
    assert run("trust", "-p", "prod", API_TOKEN=SECRET).exit_code == 0

    copy = run("-p", "copy", "req-42", API_TOKEN=SECRET)

    assert copy.exit_code == 2
    assert copy.stderr.startswith(
        "tracerun: error: profiles/copy.yaml runs programs and you have not trusted it"
    )


def test_tracerun_trust_all_skips_the_check(repo: Path) -> None:
    traced = run("-p", "prod", "req-42", API_TOKEN=SECRET, TRACERUN_TRUST="all")

    assert (traced.exit_code, traced.stdout, traced.stderr) == (0, TRACED, "")
    assert not trust_record().exists()


def test_validate_and_sources_work_on_an_untrusted_profile_and_run_nothing(
    repo: Path,
) -> None:
    validated = run("validate", "-p", "prod", API_TOKEN=SECRET)
    listed = run("sources", "-p", "prod", API_TOKEN=SECRET)

    assert (validated.exit_code, validated.stdout) == (
        0,
        "profiles/prod.yaml: valid (1 source, 0 parsers, 0 outputs)\n",
    )
    assert listed.exit_code == 0
    assert listed.stdout == (
        "vendor (command, parser json): 1 origin, not trusted\n"
        "  profiles/vendor  ?  runs: profiles/vendor --region eu-1 '{since}'\n"
    )
    assert listed.stderr == (
        "tracerun: warning: this profile runs programs (not trusted): a trace stops "
        "until you check them and run: tracerun trust -p prod\n"
    )
    assert not (repo / "ran").exists()
    run("trust", "-p", "prod", API_TOKEN=SECRET)
    assert run("sources", "-p", "prod", API_TOKEN=SECRET).stdout.splitlines()[0] == (
        "vendor (command, parser json): 1 origin, trusted"
    )


def test_a_profile_that_runs_nothing_needs_no_trust(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text(RECORD + "\n")
    profile = tmp_path / "files.yaml"
    profile.write_text("version: 1\nsources:\n  a: {type: file, paths: [a.log]}\n")

    traced = run("-p", str(profile), "req-42")
    trusted = run("trust", "-p", str(profile))

    assert traced.exit_code == 0
    assert (trusted.exit_code, trusted.stdout) == (
        0,
        f"{profile} runs no programs: there is nothing to trust\n",
    )
    assert not trust_record().exists()


def test_a_trace_of_files_never_loads_the_trust_check(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text(RECORD + "\n")
    profile = tmp_path / "files.yaml"
    profile.write_text("version: 1\nsources:\n  a: {type: file, paths: [a.log]}\n")

    checks = [
        run_and_check_import(["-p", str(profile), "req-42"], module)[:2]
        for module in (
            "tracerun.cli.trust",
            "tracerun.config.trust",
            "tracerun.sources.command.source",
        )
    ]

    assert checks == [(0, False)] * 3


def test_the_trust_record_is_json_naming_the_real_path(repo: Path) -> None:
    run("trust", "-p", "prod", API_TOKEN=SECRET)

    entries = json.loads(trust_record().read_text())["profiles"]

    assert list(entries) == [str((repo / "prod.yaml").resolve())]
    assert entries[str((repo / "prod.yaml").resolve())]["digest"].startswith("sha256:")


def test_the_journald_example_validates_and_names_its_journalctl_runs() -> None:
    example = str(Path(__file__).parents[2] / "examples" / "journald.yaml")

    validated = run("validate", "-p", example)
    untrusted = run("-p", example, "req-7f3a9c2e")

    assert (validated.exit_code, untrusted.exit_code) == (0, 2)
    assert untrusted.stderr.splitlines()[1:3] == [
        (
            "    source orders: journalctl --unit orders --output short-iso --no-pager "
            "--since '@{since_epoch}' --until '@{until_epoch}'"
        ),
        (
            "    source orders (under -f): journalctl --unit orders --output short-iso "
            "--no-pager --since '@{since_epoch}' --follow"
        ),
    ]


def test_an_expanded_secret_in_argv_is_never_shown(repo: Path) -> None:
    (repo / "prod.yaml").write_text(
        BASE.replace("eu-1, ", 'eu-1, --token, "${API_TOKEN}", ')
    )

    untrusted = run("-p", "prod", "req-42", API_TOKEN=SECRET)
    listed = run("sources", "-p", "prod", API_TOKEN=SECRET)
    trusted = run("trust", "-p", "prod", API_TOKEN=SECRET)

    shown = untrusted.stderr + listed.stdout + listed.stderr + trusted.stdout
    assert SECRET not in shown
    assert shown.count("--token ${API_TOKEN} ") == 3


def test_a_damaged_record_is_told_and_trust_refuses_to_replace_it(repo: Path) -> None:
    run("trust", "-p", "prod", API_TOKEN=SECRET)
    record = trust_record()
    record.write_text("{not json")

    traced = run("-p", "prod", "req-42", API_TOKEN=SECRET)
    trusted = run("trust", "-p", "prod", API_TOKEN=SECRET)

    damaged = (
        f"the trust record {record} is not valid JSON (Expecting property name "
        "enclosed in double quotes: line 1 column 2 (char 1)), so no profile is "
        "trusted\n  hint: fix it, or delete it and trust your profiles again "
        "(tracerun trust -p NAME); it is not rewritten, so no entry is lost\n"
    )
    assert (traced.exit_code, traced.stderr) == (
        2,
        "tracerun: warning: " + damaged + UNTRUSTED,
    )
    assert (trusted.exit_code, trusted.stderr) == (2, "tracerun: error: " + damaged)
    assert record.read_text() == "{not json"
