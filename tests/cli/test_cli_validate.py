"""tracerun/validate.py, and the pre-commit hook that runs it on every commit."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from tracerun.cli import cli
from tracerun.cli.validate import validate_profile
from tracerun.errors import ProfileError

ROOT = Path(__file__).resolve().parents[2]
HOOKS = ROOT / ".pre-commit-hooks.yaml"

FAILING = """\
version: 1
parsers:
  app:
    type: json
    time: {field: ts}
    samples:
      - line: '{"ts": "2026-03-20T14:10:00Z", "request_id": "abc"}'
        expect: {request_id: abd}
sources:
  app: {type: file, paths: [app.log], parser: app}
"""


def _hook() -> dict:
    (hook,) = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    return hook


def test_the_repo_ships_a_tracerun_validate_hook() -> None:
    hook = _hook()

    assert hook["id"] == "tracerun-validate"
    assert hook["entry"] == "tracerun validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True


@pytest.mark.parametrize(
    ("path", "checked"),
    [
        ("profiles/staging.yaml", True),
        ("deploy/profiles/prod.yml", True),
        ("profiles/nested/x.yaml", False),
        ("schemas/profile.schema.json", False),
        (".github/workflows/ci.yaml", False),
    ],
)
def test_the_hook_checks_profile_files_only(path: str, checked: bool) -> None:
    assert bool(re.search(_hook()["files"], path)) is checked


def _run_hook(files: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the hook's entry as pre-commit does: the entry, then the file names."""
    entry = shlex.split(_hook()["entry"])
    assert entry[0] == "tracerun"
    command = [sys.executable, "-m", "tracerun", *entry[1:], *files]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def test_the_hook_passes_on_the_shipped_profiles() -> None:
    files = sorted(
        str(p.relative_to(ROOT))
        for p in (ROOT / "profiles").iterdir()
        if re.search(_hook()["files"], str(p.relative_to(ROOT)))
    )

    done = _run_hook(files, ROOT)

    assert files
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "profiles/demo.yaml: valid (5 sources, 4 parsers, 1 output)\n"


def test_the_hook_fails_the_commit_on_a_failing_sample(tmp_path: Path) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "app.yaml").write_text(FAILING, encoding="utf-8")

    done = _run_hook(["profiles/app.yaml"], tmp_path)

    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "tracerun: profiles/app.yaml has 1 problem\n"
        "\n"
        "profiles/app.yaml:8:30: parsers.app.samples[0].expect.request_id:"
        " the parser extracts a different value\n"
        "      8 |         expect: {request_id: abd}\n"
        "        |                              ^^^\n"
        "  expected: 'abd'\n"
        "       got: 'abc'\n"
    )


def test_validate_profile_returns_the_profile_when_samples_pass(tmp_path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(FAILING.replace("abd", "abc"), encoding="utf-8")

    assert list(validate_profile(path, env={}).parsers) == ["app"]


def test_validate_profile_raises_with_every_sample_problem(tmp_path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(FAILING, encoding="utf-8")

    with pytest.raises(ProfileError) as caught:
        validate_profile(path, env={})

    assert [issue.key_path for issue in caught.value.issues] == [
        "parsers.app.samples[0].expect.request_id"
    ]


INLINE = """\
version: 1
sources:
  pay:
    type: file
    paths: [pay.log]
    timezone: Europe/Berlin
    parser:
      type: regex
      pattern: '^(?P<time>\\S+ \\S+) (?P<msg>.*)$'
      time: {field: time, format: '%Y-%m-%d %H:%M:%S'}
      samples:
        - line: '2026-03-20 15:10:00 charged'
          expect: {time: '2026-03-20T14:10:00Z', msg: charged}
        - line: '2026-03-20 15:10:00 refunded'
          expect: {time: 'not a time', msg: null, level: null}
        - line: 'garbage'
          expect: {time: '2026-03-20T14:10:00Z'}
        - line: '20/03/2026 15:10:00 x'
          expect: {time: '2026-03-20T14:10:00Z'}
"""


def test_inline_parser_samples_use_their_sources_zone(tmp_path) -> None:
    path = tmp_path / "inline.yaml"
    path.write_text(INLINE, encoding="utf-8")

    with pytest.raises(ProfileError) as caught:
        validate_profile(path, env={})

    assert [
        (issue.key_path, issue.message, issue.details, issue.hint)
        for issue in caught.value.issues
    ] == [
        (
            "sources.pay.parser.samples[1].expect.time",
            "not a readable timestamp",
            (),
            "write an RFC 3339 time, e.g. '2026-03-20T14:10:00Z'",
        ),
        (
            "sources.pay.parser.samples[1].expect.msg",
            "extracted, but expect says it has no value",
            ("     got: 'refunded'",),
            None,
        ),
        (
            "sources.pay.parser.samples[2].line",
            "this line does not parse",
            (),
            "the pattern does not match this line",
        ),
        (
            "sources.pay.parser.samples[3].expect.time",
            "the parser extracts no time",
            ("expected: 2026-03-20T14:10:00.000000Z",),
            (
                "'20/03/2026 15:10:00' was not read as a time; set time.format to a"
                " strptime pattern that reads it"
            ),
        ),
    ]


FIELD_FAILS = """\
version: 1
parsers:
  app:
    type: json
    fields: {x: "abs(msg)"}
    time: {field: ts}
    samples:
      - line: '{"ts": "2026-03-20T14:10:00Z", "msg": "hi", "request_id": "r1"}'
        expect: {request_id: r1}
sources:
  app: {type: file, paths: [app.log], parser: app}
"""


def test_a_field_expression_that_can_fail_at_run_time_passes_validate(tmp_path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(FIELD_FAILS, encoding="utf-8")

    assert list(validate_profile(path, env={}).parsers) == ["app"]


def test_a_sample_expecting_a_field_whose_expression_fails_says_why(tmp_path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(FIELD_FAILS.replace("{request_id: r1}", "{x: 5}"), encoding="utf-8")

    with pytest.raises(ProfileError) as caught:
        validate_profile(path, env={})

    [issue] = caught.value.issues
    assert (issue.line, issue.col, issue.message, issue.hint) == (
        9,
        21,
        "the parser extracts no x",
        (
            "the parser could not evaluate fields.x on this line: abs() needs a number, "
            "got a string"
        ),
    )


SECRET_SAMPLES = """\
version: 1
parsers:
  app:
    type: json
    samples:
      - line: '{"request_id": "${CI_TOKEN}-x", "msg": "ok"}'
        expect: {request_id: '${CI_TOKEN}'}
      - line: '${CI_TOKEN}'
        expect: {request_id: abc}
sources:
  a: {type: file, paths: [a.log], parser: app}
"""


def test_a_failing_sample_never_shows_an_expanded_secret(tmp_path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(SECRET_SAMPLES, encoding="utf-8")

    with pytest.raises(ProfileError) as caught:
        validate_profile(path, env={"CI_TOKEN": "s3cr3t-token-value"})

    first, second = caught.value.issues
    assert first.details == ("expected: '${CI_TOKEN}'", "     got: '${CI_TOKEN}-x'")
    assert second.message == "this line does not parse"
    assert "s3cr3t" not in repr(caught.value.issues)


BACKTRACKING = """\
version: 1
parsers:
  app:
    type: regex
    pattern: '^(?P<msg>(a+)+)$'
    samples:
      - line: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!'
        expect: {msg: a}
sources:
  a: {type: file, paths: [a.log], parser: app}
"""


def test_samples_that_backtrack_forever_are_stopped_and_located(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr("tracerun.cli.validate.SAMPLE_SECONDS", 0.2)
    path = tmp_path / "p.yaml"
    path.write_text(BACKTRACKING, encoding="utf-8")

    with pytest.raises(ProfileError) as caught:
        validate_profile(path, env={})

    [issue] = caught.value.issues
    assert (issue.line, issue.key_path) == (6, "parsers.app.samples")
    assert issue.message == "checking these samples took over 0.2 s"
    assert (
        issue.hint == "a regex with nested repeats such as (a+)+ can backtrack forever"
    )


@pytest.mark.parametrize("command", ["validate", "trust"])
def test_without_a_profile_the_hint_names_them_and_offers_no_path_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    # `validate` and `trust` have no --path: the hint must not offer it.
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "local.yaml").write_text("version: 1\n")
    monkeypatch.chdir(tmp_path)
    env = {"HOME": str(tmp_path), "TRACERUN_PROFILE": "", "NO_COLOR": ""}
    result = CliRunner().invoke(cli, [command], env=env)

    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "tracerun: error: no profile given\n"
        "  hint: use -p NAME (profiles found: local) or set TRACERUN_PROFILE\n"
    )
