"""End-to-end CLI tests: real log files in a temp dir, the real command, exact output."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from helpers.hostile import MESSAGES, write_hostile
from helpers.probe import (
    LAZY_MODULES,
    TEXT_LAZY_MODULES,
    imported_of,
    run_and_check_import,
    run_with_peak,
)

from tracerun.cli import cli

ORDERS = [
    '{"ts":"2026-03-20T14:10:00.100Z","level":"info","msg":"received","request_id":"abc"}',
    '{"ts":"2026-03-20T14:10:00.200Z","level":"info","msg":"other","request_id":"abc0"}',
    '{"ts":"2026-03-20T14:10:00.300Z","level":"error","msg":"boom","request_id":"abc"}',
    '{"ts":"2026-03-20T14:10:00.400Z","level":"info","msg":"says abc","request_id":"x"}',
]
PAYMENTS = [
    "time=2026-03-20T15:10:00.150+01:00 level=warn msg=slow req_id=abc",
    "time=2026-03-20T14:10:00.250Z level=info msg=unrelated req_id=zzz",
]
PAYMENTS_ROTATED = [
    "time=2026-03-20T14:09:59Z level=info msg=earlier request_id=abc",
    "time=2026-03-20T14:09:59.5Z level=info msg=noise request_id=q",
]


def write_logs(root: Path) -> Path:
    """A small two-service incident: JSON orders, logfmt payments + a rotated .gz."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "orders.log").write_text("\n".join(ORDERS) + "\n")
    (root / "payments.log").write_text("\n".join(PAYMENTS) + "\n")
    with gzip.open(root / "payments.log.1.gz", "wt") as archive:
        archive.write("\n".join(PAYMENTS_ROTATED) + "\n")
    return root


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    return write_logs(tmp_path / "logs")


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    runner = CliRunner()
    base = {"NO_COLOR": "", "FORCE_COLOR": "", "TRACERUN_PROFILE": ""}
    return runner.invoke(cli, list(args), env={**base, **(env or {})})


def ndjson(result: Result) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def summary(result: Result) -> list[tuple[str, str, str, int, str]]:
    """(time, source, origin file name, line, message) of each ndjson record."""
    return [
        (r["time"], r["source"], Path(r["origin"]).name, r["line"], r["message"])
        for r in ndjson(result)
    ]


def test_adhoc_trace_merges_files_and_gz_in_time_order(logs: Path) -> None:
    result = run("--path", str(logs), "-o", "ndjson", "abc")

    assert result.exit_code == 0, result.output
    assert summary(result) == [
        ("2026-03-20T14:09:59.000000Z", "payments", "payments.log.1.gz", 1, "earlier"),
        ("2026-03-20T14:10:00.100000Z", "orders", "orders.log", 1, "received"),
        ("2026-03-20T14:10:00.150000Z", "payments", "payments.log", 1, "slow"),
        ("2026-03-20T14:10:00.300000Z", "orders", "orders.log", 3, "boom"),
    ]
    assert result.stderr == ""


def test_ndjson_record_has_exactly_the_documented_keys(logs: Path) -> None:
    result = run("--path", str(logs / "orders.log"), "-o", "ndjson", "abc")

    first = ndjson(result)[0]
    assert first == {
        "time": "2026-03-20T14:10:00.100000Z",
        "source": "orders",
        "origin": str(logs / "orders.log"),
        "line": 1,
        "level": "info",
        "message": "received",
        "fields": {
            "ts": "2026-03-20T14:10:00.100Z",
            "level": "info",
            "msg": "received",
            "request_id": "abc",
        },
    }


def test_text_layout_is_time_padded_source_level_message_fields(logs: Path) -> None:
    result = run("--path", str(logs), "--color", "never", "abc")

    assert result.stdout == (
        "2026-03-20T14:09:59.000Z payments INFO  earlier request_id=abc\n"
        "2026-03-20T14:10:00.100Z orders   INFO  received request_id=abc\n"
        "2026-03-20T14:10:00.150Z payments WARN  slow req_id=abc\n"
        "2026-03-20T14:10:00.300Z orders   ERROR boom request_id=abc\n"
    )


def test_color_always_tints_levels_and_sources(logs: Path) -> None:
    result = run("--path", str(logs / "orders.log"), "--color", "always", "abc")

    lines = result.stdout.splitlines()
    assert lines[1] == (
        "\x1b[2m2026-03-20T14:10:00.300Z\x1b[0m "
        f"{_source_color('orders')}orders\x1b[0m "
        "\x1b[1;31mERROR\x1b[0m \x1b[1;31mboom\x1b[0m "
        "\x1b[2mrequest_id=abc\x1b[0m"
    )


def _source_color(name: str) -> str:
    from tracerun.output.color import source_color

    return source_color(name)


@pytest.mark.parametrize(
    ("env", "expect_color"),
    [({"NO_COLOR": "1"}, False), ({"FORCE_COLOR": "1"}, True), ({}, False)],
)
def test_color_auto_honours_no_color_and_force_color(
    logs: Path, env: dict[str, str], expect_color: bool
) -> None:
    result = run("--path", str(logs / "orders.log"), "abc", env=env)

    assert ("\x1b[" in result.stdout) is expect_color


def test_key_value_term_matches_only_that_field(logs: Path) -> None:
    result = run("--path", str(logs), "-o", "ndjson", "req_id=abc")

    assert [r[4] for r in summary(result)] == ["slow"]


def test_value_inside_message_or_prefix_of_longer_id_does_not_match(
    logs: Path,
) -> None:
    result = run("--path", str(logs / "orders.log"), "-o", "ndjson", "abc")

    messages = [r[4] for r in summary(result)]
    assert "other" not in messages  # request_id=abc0
    assert "says abc" not in messages  # only in the message
    assert messages == ["received", "boom"]


def test_several_terms_are_ored(logs: Path) -> None:
    result = run("--path", str(logs), "-o", "ndjson", "abc0", "req_id=zzz")

    assert [r[4] for r in summary(result)] == ["other", "unrelated"]


def test_ignore_case_matches_other_case(logs: Path) -> None:
    assert run("--path", str(logs), "ABC").exit_code == 1
    result = run("--path", str(logs), "-i", "-o", "ndjson", "ABC")

    assert [r[4] for r in summary(result)] == ["earlier", "received", "slow", "boom"]


def test_ignore_case_matches_like_casefold(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text(
        "2026-03-20T14:10:00Z INFO one user=STRASSE\n"
        "2026-03-20T14:10:01Z INFO two user=Straße\n"
        "2026-03-20T14:10:02Z INFO three user=strase\n",
        encoding="utf-8",
    )
    result = run("--path", str(log), "-i", "-o", "ndjson", "user=straße")

    assert [r[4] for r in summary(result)] == ["one", "two"]


def test_source_filter_limits_sources(logs: Path) -> None:
    result = run("--path", str(logs), "--source", "pay*", "-o", "ndjson", "abc")

    assert {r[1] for r in summary(result)} == {"payments"}


def test_source_filter_matching_nothing_is_a_usage_error(logs: Path) -> None:
    result = run("--path", str(logs), "--source", "nope", "abc")

    assert result.exit_code == 2
    assert result.stderr == (
        "tracerun: error: --source nope matches none of the profile's sources\n"
        "  hint: sources here: orders, payments\n"
    )


def test_limit_keeps_newest_printed_oldest_first(logs: Path) -> None:
    result = run("--path", str(logs), "--limit", "2", "-o", "ndjson", "abc")

    assert [r[4] for r in summary(result)] == ["slow", "boom"]


def test_since_and_until_bound_the_window(logs: Path) -> None:
    result = run(
        "--path",
        str(logs),
        "--since",
        "2026-03-20T14:10:00.100Z",
        "--until",
        "2026-03-20T15:10:00.200+01:00",
        "-o",
        "ndjson",
        "abc",
    )

    assert [r[4] for r in summary(result)] == ["received", "slow"]


def test_since_accepts_unix_seconds(logs: Path) -> None:
    # 2026-03-20T14:10:00Z = 1774015800
    result = run("--path", str(logs), "--since", "1774015800", "-o", "ndjson", "abc")

    assert [r[4] for r in summary(result)] == ["received", "slow", "boom"]


def test_where_filters_on_fields(logs: Path) -> None:
    result = run("--path", str(logs), "--where", "level == 'error'", "abc")

    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "2026-03-20T14:10:00.300Z orders   ERROR boom request_id=abc"
    ]


def test_bad_where_is_a_usage_error_with_example(logs: Path) -> None:
    result = run("--path", str(logs), "--where", "level ==", "abc")

    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        (
            "tracerun: error: --where 'level ==': not a valid JMESPath expression: "
            "it ends too early"
        ),
        "  hint: it ends with '==': write what follows it, or remove it",
    ]


def test_bad_since_is_a_usage_error(logs: Path) -> None:
    result = run("--path", str(logs), "--since", "yesterday-ish", "abc")

    assert result.exit_code == 2
    assert result.stderr.startswith("tracerun: error: ")
    assert "yesterday-ish" in result.stderr


@pytest.mark.parametrize(
    ("flag", "value"),
    [("--since", "999999999999d"), ("--until", "99999999999999999999h")],
)
def test_a_bound_before_the_year_1_is_a_usage_error(
    logs: Path, flag: str, value: str
) -> None:
    result = run("--path", str(logs), flag, value, "abc")

    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"tracerun: error: {flag} '{value}' is before the year 1\n"
        "  hint: give a time in the years 1 to 9999, e.g. 30d\n"
    )


def test_until_before_since_is_a_usage_error(logs: Path) -> None:
    window = ("--since", "2026-03-21", "--until", "2026-03-20")
    result = run("--path", str(logs), *window, "abc")

    assert result.exit_code == 2
    assert result.stderr == (
        "tracerun: error: --until '2026-03-20' is before --since '2026-03-21': the "
        "window 2026-03-21T00:00:00.000Z → 2026-03-20T00:00:00.000Z UTC is empty\n"
        "  hint: swap them: --since '2026-03-20' --until '2026-03-21'\n"
    )


def test_an_oversized_where_is_cut_in_the_error(logs: Path) -> None:
    result = run("--path", str(logs), "--where", "a == " + "b" * 100_000 + " ==", "x")

    assert result.exit_code == 2
    assert result.stderr.startswith("tracerun: error: --where 'a == bbbb")
    assert "…' (100,008 characters): not a valid JMESPath" in result.stderr
    assert len(result.stderr) < 1_000


def test_a_deeply_nested_where_is_a_usage_error(logs: Path) -> None:
    result = run("--path", str(logs), "--where", "(" * 2000 + "a" + ")" * 2000, "x")

    assert result.exit_code == 2
    assert "characters): not a valid JMESPath expression: it is nested too deeply" in (
        result.stderr
    )


def test_no_match_exits_1_with_empty_stdout(logs: Path) -> None:
    result = run("--path", str(logs), "nothing-like-this")

    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "")


def test_no_terms_is_a_usage_error(logs: Path) -> None:
    result = run("--path", str(logs))

    assert result.exit_code == 2
    assert "give at least one TERM" in result.stderr


@pytest.mark.parametrize(
    ("profiles", "hint"),
    [
        (
            (),
            (
                "use -p NAME (none found yet), set TRACERUN_PROFILE, or --path "
                "LOG_DIR; to write one: tracerun init --path LOG_DIR -o profiles/NAME.yaml"
            ),
        ),
        (
            ("staging", "local"),
            (
                "use -p NAME (profiles found: local, staging), set TRACERUN_PROFILE, "
                "or --path LOG_DIR"
            ),
        ),
    ],
)
def test_no_profile_and_no_path_says_how_to_choose(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    profiles: tuple[str, ...],
    hint: str,
) -> None:
    for name in profiles:
        (tmp_path / "profiles").mkdir(exist_ok=True)
        (tmp_path / "profiles" / f"{name}.yaml").write_text("version: 1\n")
    monkeypatch.chdir(tmp_path)
    result = run("abc", env={"HOME": str(tmp_path)})

    assert result.exit_code == 2
    assert result.stderr == f"tracerun: error: no profile given\n  hint: {hint}\n"


def test_unknown_output_suggests_closest(logs: Path) -> None:
    result = run("--path", str(logs), "-o", "ndjsn", "abc")

    assert result.exit_code == 2
    assert result.stderr == (
        "tracerun: error: unknown output 'ndjsn'\n"
        "  hint: did you mean 'ndjson'? outputs: html, jaeger, markdown, mermaid, "
        "ndjson, otlp, summary, text\n"
    )


@pytest.mark.parametrize(
    ("typed", "guess"),
    [
        ("--sinse", " Did you mean '--since'?"),  # not '--ignore-case' and '--ssh' too
        ("--colour", " Did you mean '--color'?"),
        ("--versoin", " Did you mean '--version'?"),  # the group's, not '--since'
    ],
)
def test_a_misspelled_option_gets_the_closest_name_only(
    logs: Path, typed: str, guess: str
) -> None:
    args = ["--path", str(logs), typed, "1h", "abc"]
    result = CliRunner().invoke(cli, args, prog_name="tracerun")

    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "Usage: tracerun trace [OPTIONS] TERM...\n"
        "Try 'tracerun trace --help' for help.\n\n"
        f"Error: No such option '{typed}'.{guess}\n"
    )


COMMAND_AS_ID = (
    "tracerun: nothing matched: 'validate' was searched as an id; to run the "
    "command, write it first: tracerun validate [OPTIONS]\n"
)


def test_a_bare_term_naming_a_command_that_matched_nothing_says_how_to_run_it(
    logs: Path,
) -> None:
    result = run("--path", str(logs), "validate")

    assert (result.exit_code, result.stdout, result.stderr) == (1, "", COMMAND_AS_ID)
    assert run("--path", str(logs), "request_id=validate").stderr == ""


def test_a_plain_trace_says_it_too(logs: Path) -> None:
    # cli/quick.py reads this command line without click: the same line.
    done = subprocess.run(
        [sys.executable, "-m", "tracerun", "--path", str(logs), "validate"],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": os.environ["PATH"], "NO_COLOR": "1"},
    )

    assert (done.returncode, done.stdout, done.stderr) == (1, "", COMMAND_AS_ID)


def test_path_matching_nothing_warns_and_others_still_answer(logs: Path) -> None:
    result = run(
        "--path", str(logs / "orders.log"), "--path", "/nonexistent/x.log", "abc"
    )

    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 2
    assert result.stderr == (
        "tracerun: warning: source x: /nonexistent/x.log matches no file\n"
    )


def test_damaged_gzip_fails_that_source_others_still_print(logs: Path) -> None:
    data = (logs / "payments.log.1.gz").read_bytes()
    (logs / "payments.log.1.gz").write_bytes(data[: len(data) // 2])

    result = run("--path", str(logs), "-o", "ndjson", "abc")

    assert result.exit_code == 3
    assert [r[4] for r in summary(result)] == ["received", "slow", "boom"]
    assert result.stderr.startswith(
        f"tracerun: error: source payments: {logs / 'payments.log.1.gz'}: "
        "compressed data is damaged or truncated"
    )


def test_unparsed_time_takes_previous_records_time(tmp_path: Path) -> None:
    log = tmp_path / "svc.log"
    log.write_text(
        '{"ts":"2026-03-20T14:10:00Z","msg":"start","request_id":"abc"}\n'
        '{"msg":"no time of its own","request_id":"abc"}\n'
    )

    result = run("--path", str(log), "-o", "ndjson", "abc")

    assert [(r["time"], r["line"]) for r in ndjson(result)] == [
        ("2026-03-20T14:10:00.000000Z", 1),
        ("2026-03-20T14:10:00.000000Z", 2),
    ]


def test_record_without_any_earlier_time_is_kept_with_a_warning(
    tmp_path: Path,
) -> None:
    log = tmp_path / "svc.log"
    log.write_text('{"msg":"no time","request_id":"abc"}\n')

    result = run("--path", str(log), "-o", "ndjson", "abc")

    assert result.exit_code == 0
    assert [(r["time"], r["message"]) for r in ndjson(result)] == [(None, "no time")]
    assert result.stderr == (
        f"tracerun: warning: {log}:1: record has no timestamp and none precedes it; "
        "it is shown first, without a time\n"
    )


def test_multiline_record_continuation_is_indented_in_text(tmp_path: Path) -> None:
    log = tmp_path / "svc.log"
    log.write_text(
        "2026-03-20T14:10:00Z ERROR request_id=abc failed\n"
        "Traceback (most recent call last):\n"
        '  File "x.py", line 1\n'
        "2026-03-20T14:10:01Z INFO request_id=other next\n"
    )

    text = run("--path", str(log), "--color", "never", "abc")
    data = run("--path", str(log), "-o", "ndjson", "abc")

    assert text.stdout.splitlines()[1:] == [
        "    Traceback (most recent call last):",
        '      File "x.py", line 1',
    ]
    assert ndjson(data)[0]["message"].splitlines()[1:] == [
        "Traceback (most recent call last):",
        '  File "x.py", line 1',
    ]


def test_an_id_on_a_later_continuation_line_matches_after_another_value(
    tmp_path: Path,
) -> None:
    log = tmp_path / "svc.log"
    log.write_text(
        "2026-03-20T14:10:00Z ERROR failed\n"
        "  retry request_id=abc0\n"
        "  caused by request_id=abc\n"
        "2026-03-20T14:10:01Z ERROR other\n"
        "  retry request_id=abc0\n"
    )

    result = run("--path", str(log), "-o", "ndjson", "request_id=abc")

    assert [r["message"].splitlines() for r in ndjson(result)] == [
        ["failed", "  retry request_id=abc0", "  caused by request_id=abc"]
    ]


def test_invalid_utf8_and_nul_bytes_do_not_stop_the_trace(tmp_path: Path) -> None:
    log = tmp_path / "svc.log"
    log.write_bytes(
        b"\xff\xfe\x00garbage\x00\n"
        b'{"ts":"2026-03-20T14:10:00Z","msg":"caf\xe9","request_id":"abc"}\n'
        b"time=2026-03-20T14:10:01Z msg=ok\x00 request_id=abc\n"
    )

    result = run("--path", str(log), "-o", "ndjson", "abc")

    assert result.exit_code == 0
    assert [r["message"] for r in ndjson(result)] == ["caf\ufffd", "ok\x00"]


def test_empty_file_is_no_match(tmp_path: Path) -> None:
    (tmp_path / "empty.log").write_bytes(b"")

    result = run("--path", str(tmp_path), "abc")

    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "")


def test_huge_single_line_is_skipped_with_an_error_and_memory_stays_bounded(
    tmp_path: Path,
) -> None:
    log = tmp_path / "svc.log"
    with log.open("wb") as out:
        out.write(b'{"ts":"2026-03-20T14:10:00Z","msg":"before","request_id":"abc"}\n')
        out.write(b'{"blob":"' + b"x" * (50 * 1024 * 1024) + b'","request_id":"abc"}\n')
        out.write(b'{"ts":"2026-03-20T14:10:02Z","msg":"after","request_id":"abc"}\n')

    proc, peak_mb = run_with_peak(["--path", str(log), "-o", "ndjson", "abc"])

    assert proc.returncode == 3, proc.stderr
    assert [json.loads(x)["message"] for x in proc.stdout.splitlines()] == [
        "before",
        "after",
    ]
    assert proc.stderr.splitlines() == [
        (
            f"tracerun: error: {log}:2: line longer than 8 MiB contains a search "
            "value; it was skipped"
        ),
        "  hint: records of up to 8 MiB are read; look at that one with another tool",
    ]
    # The line is never held whole more than once or twice (a copy per chunk would be GBs).
    assert peak_mb < 200


def test_tracerun_never_writes_next_to_the_logs(logs: Path) -> None:
    before = {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in logs.iterdir()}
    os.utime(logs, ns=(0, 0))

    run("--path", str(logs), "abc")

    after = {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in logs.iterdir()}
    assert after == before
    assert logs.stat().st_mtime_ns == 0  # no file created or removed in the folder


def test_unreadable_file_fails_that_source_others_still_print(tmp_path: Path) -> None:
    """Run as an unprivileged user, so that the permission check is real even as root."""
    shared = Path(tmp_path_shared())
    write_logs(shared)
    (shared / "payments.log").chmod(0o000)
    command = [sys.executable, "-m", "tracerun", "--path", str(shared), "abc"]
    command += ["-o", "ndjson"]
    if os.geteuid() == 0:
        command = [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            *command,
        ]

    proc = subprocess.run(command, capture_output=True, text=True, check=False)

    assert proc.returncode == 3, proc.stderr
    messages = [json.loads(x)["message"] for x in proc.stdout.splitlines()]
    assert messages == ["earlier", "received", "boom"]
    assert proc.stderr == (
        f"tracerun: error: source payments: {shared / 'payments.log'}: permission denied\n"
        "  hint: check that your user may read the file (ls -l), or run with access\n"
    )


def tmp_path_shared() -> str:
    """A temp dir any user can enter (pytest's tmp_path is private to its owner)."""
    import tempfile

    path = tempfile.mkdtemp(prefix="tracerun-test-")
    Path(path).chmod(0o755)
    return path


def test_closed_pipe_ends_quietly() -> None:
    root = Path(__file__).resolve().parents[2]
    trace = subprocess.Popen(
        [sys.executable, "-m", "tracerun", "-p", "demo", "req-7f3a9c2e"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert trace.stdout is not None
    assert trace.stdout.readline().startswith(b"2026-03-20T14:09:59.000Z gateway")
    trace.stdout.close()
    _, err = trace.communicate(timeout=30)

    assert trace.returncode in (0, 141)  # done before the pipe closed, or told so
    assert err == b""


def test_a_plain_trace_imports_no_module_listed_as_lazy(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_text("2026-03-20T14:10:00Z hello request_id=abc\n")

    assert imported_of(["--path", str(log), "abc"], LAZY_MODULES) == (0, [])
    assert imported_of(["--path", str(log), "abc", "-o", "ndjson"], LAZY_MODULES) == (
        0,
        [],
    )
    assert imported_of(["--path", str(log), "abc"], TEXT_LAZY_MODULES) == (0, [])


def test_version_takes_the_short_path_and_says_what_click_says() -> None:
    fast = subprocess.run(
        [sys.executable, "-c", "from tracerun.cli import main; main()", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    probe = "import sys; from tracerun.cli import main; main()\n"
    imports = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", probe, "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert (fast.returncode, fast.stdout) == (0, run("--version").stdout)
    assert " click\n" not in imports.stderr


def test_version_and_help() -> None:
    from tracerun import __version__

    assert run("--version").stdout == f"tracerun, version {__version__}\n"
    help_text = run("--help").stdout
    for command in ("trace", "validate", "profiles", "sources", "schema"):
        assert f"  {command} " in help_text


def test_group_help_shows_the_trace_usage_and_options_then_the_commands() -> None:
    from tracerun.cli.trace import trace_command

    help_text = CliRunner().invoke(cli, ["--help"], prog_name="tracerun").stdout
    lines = help_text.splitlines()

    assert lines[:2] == [
        "Usage: tracerun [OPTIONS] TERM...",
        "   or: tracerun COMMAND [ARGS]...",
    ]
    options = lines.index("Options (of trace, the default command):")
    commands = lines.index("Commands:")
    listed = "\n".join(lines[options:commands])
    for param in trace_command.params:
        if isinstance(param, click.Option):
            assert f" {max(param.opts, key=len)}" in listed, param.opts
    assert "--version" in listed
    assert listed.count("-h, --help") == 1
    assert "  trace     Print every record carrying TERM" in help_text


def test_a_trace_without_follow_options_never_imports_follow_mode(
    tmp_path: Path,
) -> None:
    log = tmp_path / "a.log"
    log.write_text("2026-03-20T14:10:00Z hello request_id=abc\n")

    plain = run_and_check_import(["--path", str(log), "abc"], "tracerun.follow.driver")
    timed = run_and_check_import(
        ["--path", str(log), "--timeout", "1s", "abc"], "tracerun.follow.driver"
    )

    assert plain[:2] == (0, False)
    assert timed[:2] == (2, True)  # the usage error comes from follow.py


def _tracerun(*args: str, **popen: Any) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "tracerun", *args],
        stderr=subprocess.PIPE,
        timeout=60,
        check=False,
        **popen,
    )


@pytest.mark.parametrize(
    "args",
    [
        ("--path", "LOGS", "abc"),
        ("--path", "LOGS", "-o", "ndjson", "abc"),
        ("--path", "LOGS", "-f", "--timeout", "2s", "abc"),
        ("sources", "--path", "LOGS"),
        ("schema",),
    ],
)
def test_a_full_disk_on_stdout_is_one_error_line_and_exit_5(
    logs: Path, args: tuple[str, ...]
) -> None:
    argv = [str(logs) if arg == "LOGS" else arg for arg in args]
    with Path("/dev/full").open("wb") as full:
        trace = _tracerun(*argv, stdout=full)

    assert trace.returncode == 5
    assert trace.stderr == (
        b"tracerun: error: cannot write to stdout: No space left on device\n"
    )


def test_a_closed_stdout_is_one_error_line_and_exit_5(logs: Path) -> None:
    trace = _tracerun("--path", str(logs), "abc", preexec_fn=lambda: os.close(1))

    assert trace.returncode == 5
    assert (
        trace.stderr
        == b"tracerun: error: cannot write to stdout: Bad file descriptor\n"
    )


def test_ctrl_c_while_importing_ends_quietly_with_130() -> None:
    # The interrupt arrives while `tracerun.cli.main` imports click, before any
    # `try` of ours can catch a KeyboardInterrupt.
    probe = (
        "import builtins, os, signal\n"
        "real = builtins.__import__\n"
        "def importing(name, *args, **kwargs):\n"
        "    if name == 'click':\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "    return real(name, *args, **kwargs)\n"
        "builtins.__import__ = importing\n"
        "from tracerun.cli import main\n"
        "main(['--version'])\n"
    )
    started = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, timeout=60, check=False
    )

    assert (started.returncode, started.stdout) == (130, b"")
    assert started.stderr == b"\ntracerun: interrupted\n"


def _five_out_of_order(tmp_path: Path) -> Path:
    log = tmp_path / "svc.log"
    log.write_text(
        "".join(
            f'{{"ts":"2026-03-20T14:10:0{s}Z","msg":"m{s}","request_id":"abc"}}\n'
            for s in (3, 1, 4, 5, 2)
        )
    )
    return log


def test_max_records_prints_the_first_n_says_what_was_dropped_and_exits_3(
    tmp_path: Path,
) -> None:
    log = _five_out_of_order(tmp_path)

    result = run("--path", str(log), "--max-records", "3", "-o", "ndjson", "abc")

    assert result.exit_code == 3
    assert [r["message"] for r in ndjson(result)] == ["m1", "m2", "m3"]
    assert result.stderr == (
        "tracerun: error: stopped after the first 3 records (--max-records 3); "
        "2 more matched and were not printed\n"
        "  hint: narrow the query (--since, --until, --source, --where) or raise "
        "--max-records\n"
    )


@pytest.mark.parametrize(
    ("limit", "code", "messages"),
    [("2", 0, ["m4", "m5"]), ("4", 3, ["m3", "m4", "m5"])],
)
def test_limit_within_max_records_is_no_cap_beyond_it_is(
    tmp_path: Path, limit: str, code: int, messages: list[str]
) -> None:
    log = _five_out_of_order(tmp_path)

    result = run(
        "--path",
        str(log),
        "--limit",
        limit,
        "--max-records",
        "3",
        "-o",
        "ndjson",
        "abc",
    )

    assert result.exit_code == code
    assert [r["message"] for r in ndjson(result)] == messages
    assert result.stderr == (
        ""
        if code == 0
        else "tracerun: error: printed the newest 3 records (--max-records 3); 1 more "
        "of the --limit 4 were not printed\n"
        "  hint: narrow the query (--since, --until, --source, --where) or raise "
        "--max-records\n"
    )


def test_lines_that_once_aborted_a_run_each_cost_at_most_their_odd_value(
    tmp_path: Path,
) -> None:
    log = write_hostile(tmp_path / "bad.log")

    as_json = run("--path", str(log), "-o", "ndjson", "R1")
    as_text = run("--path", str(log), "--color", "never", "R1")

    assert (as_json.exit_code, as_json.stderr) == (0, "")
    assert [r["message"] for r in ndjson(as_json)] == MESSAGES
    assert ndjson(as_json)[2]["fields"]["x"] == {"n": 123456789012345678901234567890}
    assert ndjson(as_json)[5]["fields"]["n"] == "1" * 5000
    assert [r["time"] for r in ndjson(as_json)][-3:] == [
        "2026-03-20T14:10:00.000000Z",  # out of range: the time before it
    ] * 3
    assert as_text.exit_code == 0
    assert as_text.stdout.splitlines()[-1] == (
        "2026-03-20T14:10:00.000Z bad -     esc \\x1b]0;x\\x07 request_id=R1"
    )
    assert "x=\\ud800" in as_text.stdout.splitlines()[3]


def test_a_plain_trace_imports_none_of_the_whole_timeline_formats(logs: Path) -> None:
    # Every format beyond text and ndjson (summary, markdown, html, jaeger, otlp,
    # mermaid, template) imports output/timeline.py: a plain trace must not.
    plain = run_and_check_import(
        ["--path", str(logs), "abc"], "tracerun.output.timeline"
    )
    html = run_and_check_import(
        ["--path", str(logs), "abc", "-o", "html"], "tracerun.output.html"
    )

    assert plain[:2] == (0, False)
    assert html[:2] == (0, True)
    assert html[2].startswith("<!DOCTYPE html>")


# --- secrets: no expanded ${VAR} value in any message (issue #12) -------------

SECRET = "s3cr3t-token-value"


def write_profile(folder: Path, body: str) -> Path:
    (folder / "app.log").write_text(ORDERS[0] + "\n")
    profile = folder / "p.yaml"
    profile.write_text("version: 1\nsources:\n" + body)
    return profile


def test_a_warning_about_a_path_shows_the_variable_not_its_value(
    tmp_path: Path,
) -> None:
    profile = write_profile(
        tmp_path,
        "  good: {type: file, paths: [app.log], parser: json}\n"
        "  bad: {type: file, paths: ['/logs/${CI_TOKEN}/x.log']}\n",
    )
    result = run("-p", str(profile), "abc", env={"CI_TOKEN": SECRET})

    assert result.exit_code == 0
    assert result.stderr == (
        "tracerun: warning: source bad: /logs/${CI_TOKEN}/x.log matches no file\n"
    )


def test_sources_lists_origins_with_the_variable_not_its_value(tmp_path: Path) -> None:
    folder = tmp_path / SECRET
    folder.mkdir()
    profile = write_profile(
        folder, "  good: {type: file, paths: ['${LOGS}/app.log'], parser: json}\n"
    )
    result = run("sources", "-p", str(profile), env={"LOGS": str(folder)})

    assert result.exit_code == 0
    assert SECRET not in result.stdout + result.stderr
    assert "${LOGS}/app.log" in result.stdout


def test_profiles_shows_the_description_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles/sec.yaml").write_text(
        "version: 1\ndescription: 'token ${CI_TOKEN}'\n"
        "sources: {a: {type: file, paths: [a.log]}}\n"
    )
    monkeypatch.chdir(tmp_path)
    result = run("profiles", env={"CI_TOKEN": SECRET, "HOME": str(tmp_path)})

    assert result.stdout == "sec  profiles/sec.yaml  token ${CI_TOKEN}\n"


def test_profiles_without_any_says_how_to_write_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("profiles", env={"HOME": str(tmp_path)})

    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (
        "tracerun: warning: no profiles found (looked in profiles/ here and in each "
        "parent folder, $TRACERUN_PROFILE_PATH, ~/.config/tracerun/profiles)\n"
        "  hint: write one for your logs: tracerun init --path LOG_DIR "
        "-o profiles/NAME.yaml\n"
    )


def test_a_bad_docker_host_in_the_environment_fails_that_source_naming_it(
    tmp_path: Path,
) -> None:
    profile = write_profile(
        tmp_path,
        "  good: {type: file, paths: [app.log], parser: json}\n"
        "  d: {type: docker, containers: [x]}\n",
    )
    result = run(
        "-p",
        str(profile),
        "abc",
        "-o",
        "ndjson",
        env={"DOCKER_HOST": "tcp://localhost:99999"},
    )

    assert result.exit_code == 3
    assert [r["message"] for r in ndjson(result)] == ["received"]
    assert result.stderr == (
        "tracerun: error: source d: DOCKER_HOST tcp://localhost:99999 is not a "
        "Docker engine URL: port out of range 0-65535\n"
        "  hint: set DOCKER_HOST to an engine's URL, e.g. "
        "unix:///var/run/docker.sock\n"
    )


def test_an_unreachable_engine_named_with_a_secret_shows_the_variable(
    tmp_path: Path,
) -> None:
    profile = write_profile(
        tmp_path,
        "  good: {type: file, paths: [app.log], parser: json}\n"
        "  d: {type: docker, containers: [x], host: 'unix:///nonexistent/${CI_TOKEN}'}\n",
    )
    result = run("-p", str(profile), "abc", env={"CI_TOKEN": SECRET})

    assert result.exit_code == 3
    assert SECRET not in result.stdout + result.stderr
    assert result.stderr.startswith(
        "tracerun: error: source d: cannot reach the Docker engine at "
        "unix:///nonexistent/${CI_TOKEN}: no such socket\n"
    )


def trace_lines(log: Path, lines: Iterable[str], term: str) -> Result:
    """Write the lines to `log` and trace `term` there, as text without colour."""
    log.write_text("\n".join(lines) + "\n")
    return run("--path", str(log), "--color", "never", term)


# MongoDB 4.4+ structured log (docs "Log Messages": `t`, `s`, `c`, `id`, `ctx`,
# `msg`, `attr`); the second line's `t` is extended JSON's canonical form.
MONGO = [
    (
        '{"t":{"$date":"2020-05-01T15:16:17.180+00:00"},"s":"I","c":"NETWORK",'
        '"id":23016,"ctx":"listener","msg":"Waiting for connections",'
        '"attr":{"port":27017,"request_id":"abc123"}}'
    ),
    (
        '{"t":{"$date":{"$numberLong":"1588346178180"}},"s":"W","c":"NETWORK",'
        '"id":23017,"ctx":"conn1","msg":"slow","attr":{"request_id":"abc123"}}'
    ),
    (
        '{"t":{"$date":"2020-05-01T15:16:19.180+00:00"},"s":"D2","c":"COMMAND",'
        '"id":51803,"ctx":"conn1","msg":"done","attr":{"request_id":"abc123"}}'
    ),
]


def test_mongodb_structured_log_has_its_time_and_level(tmp_path: Path) -> None:
    result = trace_lines(tmp_path / "mongod.log", MONGO, "abc123")

    assert result.stdout == (
        "2020-05-01T15:16:17.180Z mongod INFO  Waiting for connections c=NETWORK"
        ' id=23016 ctx=listener attr={"port":27017,"request_id":"abc123"}\n'
        "2020-05-01T15:16:18.180Z mongod WARN  slow c=NETWORK id=23017 ctx=conn1"
        ' attr={"request_id":"abc123"}\n'
        "2020-05-01T15:16:19.180Z mongod DEBUG done c=COMMAND id=51803 ctx=conn1"
        ' attr={"request_id":"abc123"}\n'
    )
    assert result.stderr == ""


# GCP structured logging (cloud.google.com/logging/docs/structured-logging):
# `timestamp` as {seconds, nanos}, or `timestampSeconds` + `timestampNanos`.
GCP = [
    (
        '{"timestamp":{"seconds":1700000000,"nanos":123000000},"severity":"ERROR",'
        '"message":"boom","request_id":"abc123"}'
    ),
    (
        '{"timestampSeconds":1700000001,"timestampNanos":5000000,'
        '"severity":"WARNING","message":"retry","request_id":"abc123"}'
    ),
]


def test_gcp_structured_log_times_are_read(tmp_path: Path) -> None:
    result = trace_lines(tmp_path / "gcp.log", reversed(GCP), "request_id=abc123")

    assert result.stdout == (
        "2023-11-14T22:13:20.123Z gcp ERROR boom request_id=abc123\n"
        "2023-11-14T22:13:21.005Z gcp WARN  retry timestampNanos=5000000 request_id=abc123\n"
    )
    assert result.stderr == ""


def test_a_leap_second_keeps_its_time_and_order(tmp_path: Path) -> None:
    # RFC 3339 5.7 allows `23:59:60`; the text line is the auto parser's shape.
    log = tmp_path / "leap.log"
    log.write_text(
        '{"time":"2016-12-31T23:59:60Z","msg":"leap","request_id":"abc123"}\n'
        '{"time":"2016-12-31T23:59:59.5Z","msg":"before","request_id":"abc123"}\n'
        "2017-01-01T00:00:00.1Z INFO after request_id=abc123\n"
    )

    result = run("--path", str(log), "-o", "ndjson", "abc123")

    assert [(r["time"], r["message"]) for r in ndjson(result)] == [
        ("2016-12-31T23:59:59.500000Z", "before"),
        ("2016-12-31T23:59:59.999999Z", "leap"),
        ("2017-01-01T00:00:00.100000Z", "after"),
    ]
    assert result.stderr == ""


def test_serilog_file_sink_lines_have_their_time_and_level(tmp_path: Path) -> None:
    # Serilog.Sinks.File's default outputTemplate:
    # `{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Message:lj}{NewLine}{Exception}`
    log = tmp_path / "serilog.log"
    log.write_text(
        "2024-01-01 10:00:01.456 +01:00 [WRN] Payment slow request_id=abc123\n"
        "2024-01-01 10:00:00.123 +01:00 [INF] Order received request_id=abc123\n"
    )

    result = run("--path", str(log), "-o", "ndjson", "abc123")

    assert [(r["time"], r["level"], r["message"]) for r in ndjson(result)] == [
        ("2024-01-01T09:00:00.123000Z", "info", "Order received"),
        ("2024-01-01T09:00:01.456000Z", "warn", "Payment slow"),
    ]
    assert result.stderr == ""


# The OpenTelemetry Collector's `file` exporter: one ExportLogsServiceRequest per
# line in OTLP/JSON (opentelemetry-proto logs/v1, pdata's JSON marshaler).
OTELCOL = (
    '{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":'
    '{"stringValue":"checkout"}}]},"scopeLogs":[{"scope":{"name":"orders"},'
    '"logRecords":[{"timeUnixNano":"1700000000123456789","observedTimeUnixNano":'
    '"1700000000200000000","severityNumber":9,"severityText":"INFO","body":'
    '{"stringValue":"order placed"},"attributes":[{"key":"request_id","value":'
    '{"stringValue":"abc123"}}],"traceId":"5b8efff798038103d269b633813fc60c",'
    '"spanId":"eee19b7ec3c1b174"},{"timeUnixNano":"1700000000500000000",'
    '"severityNumber":13,"body":{"stringValue":"stock low"},"attributes":[{"key":'
    '"request_id","value":{"stringValue":"abc1234"}}],"traceId":'
    '"5b8efff798038103d269b633813fc60c","spanId":"1111111111111111"},'
    '{"observedTimeUnixNano":"1700000001000000000","severityNumber":17,"body":'
    '{"stringValue":"charge failed"},"attributes":[{"key":"request_id","value":'
    '{"stringValue":"abc123"}},{"key":"attempt","value":{"intValue":"2"}}]}]}]}]}\n'
)


def test_otel_collector_file_exporter_batches_are_one_record_per_log_record(
    tmp_path: Path,
) -> None:
    log = tmp_path / "otel.log"
    log.write_text(OTELCOL)

    result = run("--path", str(log), "--color", "never", "abc123")

    assert result.stdout.splitlines() == [
        (
            "2023-11-14T22:13:20.123Z otel INFO  order placed request_id=abc123 "
            "traceId=5b8efff798038103d269b633813fc60c spanId=eee19b7ec3c1b174 "
            "service.name=checkout"
        ),
        (
            "2023-11-14T22:13:21.000Z otel ERROR charge failed request_id=abc123 "
            "attempt=2 service.name=checkout"
        ),
    ]
    assert result.stderr == ""
    # a trace id, as the trace_id key's spelling traceId (or by its own name)
    for term in (
        "5b8efff798038103d269b633813fc60c",
        "traceId=5b8efff798038103d269b633813fc60c",
    ):
        traced = run("--path", str(log), "-o", "ndjson", term)
        assert [(r["line"], r["level"], r["message"]) for r in ndjson(traced)] == [
            (1, "info", "order placed"),
            (1, "warn", "stock low"),
        ]


def test_a_profile_reads_an_otel_batch_with_the_json_parser_too(
    tmp_path: Path,
) -> None:
    (tmp_path / "otel.json").write_text(OTELCOL)
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "version: 1\nsources:\n  otel: {type: file, paths: [otel.json], parser: json}\n"
    )

    result = run("-p", str(profile), "-o", "ndjson", "service.name=checkout")

    assert [(r["time"], r["level"], r["message"]) for r in ndjson(result)] == [
        ("2023-11-14T22:13:20.123456Z", "info", "order placed"),
        ("2023-11-14T22:13:20.500000Z", "warn", "stock low"),
        ("2023-11-14T22:13:21.000000Z", "error", "charge failed"),
    ]
    assert result.stderr == ""


def test_aws_lambda_lines_print_with_the_request_id_once(tmp_path: Path) -> None:
    # The Node.js runtime's `TIME\tID\tLEVEL\tmessage` between the platform's
    # START/END lines (no time of their own: each takes the one before it).
    rid = "8f5e1c2a-3b4d-4e6f-8a9b-0c1d2e3f4a5b"
    log = tmp_path / "fn.log"
    log.write_text(
        "2024-01-01T09:59:59.000Z\t8f5e1c2a-3b4d-4e6f-8a9b-0c1d2e3f4a50\tINFO\tbefore\n"
        f"START RequestId: {rid} Version: $LATEST\n"
        f"2024-01-01T10:00:00.123Z\t{rid}\tINFO\torder placed\n"
        f"END RequestId: {rid}\n"
    )

    result = run("--path", str(log), "--color", "never", rid)

    assert result.stdout.splitlines() == [
        f"2024-01-01T09:59:59.000Z fn -     START RequestId: {rid} Version: $LATEST",
        f"2024-01-01T10:00:00.123Z fn INFO  order placed RequestId={rid}",
        f"2024-01-01T10:00:00.123Z fn -     END RequestId: {rid}",
    ]
    assert result.stderr == ""


# pino-http's default log line (pino's `level`, epoch-ms `time`, `req.id`).
PINO = [
    (
        '{"level":30,"time":1700000000123,"pid":1,"hostname":"h",'
        '"req":{"id":"abc123","method":"GET"},"msg":"request completed"}'
    ),
    (
        '{"level":50,"time":1700000000124,"pid":1,"hostname":"h",'
        '"req":{"id":"abc1234","method":"GET"},"msg":"decoy"}'
    ),
    (
        '{"level":40,"time":1700000000125,"pid":1,"hostname":"h",'
        '"msg":"retrying abc123 later"}'
    ),
]


def test_a_bare_id_finds_pino_http_req_id_and_no_decoy(tmp_path: Path) -> None:
    result = trace_lines(tmp_path / "pino.log", PINO, "abc123")

    assert result.stdout == (
        "2023-11-14T22:13:20.123Z pino INFO  request completed pid=1 hostname=h"
        ' req={"id":"abc123","method":"GET"}\n'
    )
    assert result.exit_code == 0
