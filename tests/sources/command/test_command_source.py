"""Command sources end to end: real programs (small scripts as argv), through the CLI.

The product never runs a shell; these tests' programs are Python scripts with
a shebang, written to the test's folder. TRACERUN_TRUST=all: trust has its
own tests (tests/cli/test_cli_trust.py).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from helpers.follow import Follow

from tracerun.cli import cli

RID = "req-42"
APP = [
    '{"ts":"2026-03-20T14:10:00.100Z","msg":"reserved","request_id":"req-42"}',
    '{"ts":"2026-03-20T14:10:00.300Z","msg":"charged","request_id":"req-42"}',
]


MERGED = (
    "2026-03-20T14:10:00.100Z app    -     reserved request_id=req-42\n"
    "2026-03-20T14:10:00.200Z vendor -     queued request_id=req-42\n"
    "2026-03-20T14:10:00.300Z app    -     charged request_id=req-42\n"
    "2026-03-20T14:10:00.400Z vendor -     shipped request_id=req-42\n"
)
"""The file source's two records and the command's two, merged by time."""


def script(folder: Path, name: str, body: str) -> Path:
    """An executable Python program `name` in `folder`."""
    path = folder / name
    path.write_text(f"#!{sys.executable}\nimport os, sys, time, json\n{body}\n")
    path.chmod(0o755)
    return path


def prints(*lines: str) -> str:
    return "".join(f"print({line!r}, flush=True)\n" for line in lines)


def profile(folder: Path, command: str, *, file: bool = True) -> Path:
    (folder / "app.log").write_text("\n".join(APP) + "\n")
    app = "  app: {type: file, paths: [app.log], parser: json}\n" if file else ""
    path = folder / "p.yaml"
    path.write_text(f"version: 1\nsources:\n{app}  vendor:\n{command}")
    return path


def run(*args: str, **env: str) -> Result:
    base = {"NO_COLOR": "", "FORCE_COLOR": "", "TRACERUN_PROFILE": ""}
    return CliRunner().invoke(
        cli, list(args), env={**base, "TRACERUN_TRUST": "all", **env}
    )


def test_a_command_and_a_file_source_merge_into_one_timeline(tmp_path: Path) -> None:
    script(
        tmp_path,
        "vendor",
        prints(
            '{"ts":"2026-03-20T14:10:00.200Z","msg":"queued","request_id":"req-42"}',
            '{"ts":"2026-03-20T14:10:00.250Z","msg":"other","request_id":"req-420"}',
            '{"ts":"2026-03-20T14:10:00.400Z","msg":"shipped","request_id":"req-42"}',
        ),
    )
    path = profile(tmp_path, "    {type: command, argv: [./vendor], parser: json}\n")

    result = run("-p", str(path), RID)

    assert result.stdout == MERGED
    assert (result.exit_code, result.stderr) == (0, "")


def test_ndjson_names_the_program_as_the_origin_never_its_arguments(
    tmp_path: Path,
) -> None:
    script(tmp_path, "vendor", prints('{"msg":"x","request_id":"req-42"}'))
    path = profile(
        tmp_path,
        "    {type: command, argv: [./vendor, --token, t0k3n], parser: json}\n",
        file=False,
    )

    result = run("-p", str(path), RID, "-o", "ndjson")

    record = json.loads(result.stdout)
    assert (record["source"], record["origin"], record["line"]) == (
        "vendor",
        str(tmp_path / "vendor"),
        1,
    )


def test_a_failing_command_is_exit_3_with_its_last_stderr_lines(
    tmp_path: Path,
) -> None:
    body = prints(
        '{"ts":"2026-03-20T14:10:00.200Z","msg":"queued","request_id":"req-42"}'
    )
    body += "for n in range(1, 8): print(f'problem {n}', file=sys.stderr)\nsys.exit(4)"
    script(tmp_path, "vendor", body)
    path = profile(tmp_path, "    {type: command, argv: [./vendor], parser: json}\n")

    result = run("-p", str(path), RID)

    assert result.exit_code == 3
    assert result.stdout.splitlines() == [
        "2026-03-20T14:10:00.100Z app    -     reserved request_id=req-42",
        "2026-03-20T14:10:00.200Z vendor -     queued request_id=req-42",
        "2026-03-20T14:10:00.300Z app    -     charged request_id=req-42",
    ]
    assert result.stderr == (
        f"tracerun: error: source vendor: {tmp_path}/vendor: exited with status 4; "
        "its last lines on stderr:\n"
        "    | problem 3\n    | problem 4\n    | problem 5\n    | problem 6\n"
        "    | problem 7\n"
        "  hint: the records it printed before were kept; run the command "
        "yourself to see more\n"
    )


def test_a_command_past_its_timeout_is_stopped_with_its_group(tmp_path: Path) -> None:
    body = prints(
        '{"ts":"2026-03-20T14:10:00.200Z","msg":"queued","request_id":"req-42"}'
    )
    body += (
        "child = os.fork()\n"
        "if child == 0:\n    time.sleep(120)\n    sys.exit(0)\n"
        "open('child.pid', 'w').write(str(child))\n"
        "print('waiting on the API', file=sys.stderr, flush=True)\n"
        "time.sleep(120)\n"
    )
    script(tmp_path, "vendor", body)
    path = profile(
        tmp_path,
        "    {type: command, argv: [./vendor], parser: json, timeout: 1, cwd: .}\n",
    )

    started = time.monotonic()
    result = run("-p", str(path), RID)
    took = time.monotonic() - started

    assert result.exit_code == 3
    assert result.stdout.splitlines()[1] == (
        "2026-03-20T14:10:00.200Z vendor -     queued request_id=req-42"
    )
    assert result.stderr == (
        f"tracerun: error: source vendor: {tmp_path}/vendor: still running after "
        "its timeout of 1 s, so it was stopped; its last lines on stderr:\n"
        "    | waiting on the API\n"
        "  hint: the records it printed before were kept; allow more with the "
        "source's `timeout:`\n"
    )
    assert took < 10
    assert _gone(int((tmp_path / "child.pid").read_text()))


def _gone(pid: int) -> bool:
    """The process ended (or is a zombie waiting for init to reap it)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


def test_binary_output_costs_only_the_bad_lines(tmp_path: Path) -> None:
    good = [
        b'{"ts":"2026-03-20T14:10:00.200Z","msg":"queued","request_id":"req-42"}\n',
        b'{"ts":"2026-03-20T14:10:00.400Z","msg":"shipped","request_id":"req-42"}\n',
    ]
    # Lines that start a record (`{`) but are binary: each fails to parse alone.
    junk = [
        b"{\x00\xff\xfe req-42 \x1b[31m\x89PNG\r\n",
        b"{" + bytes(range(256)).replace(b"\n", b"") + b"req-42\n",
        b"{" + b"\xff" * 70_000 + b"req-42\n",
    ]
    (tmp_path / "out.bin").write_bytes(good[0] + b"".join(junk) + good[1])
    script(tmp_path, "vendor", "sys.stdout.buffer.write(open('out.bin', 'rb').read())")
    path = profile(
        tmp_path, "    {type: command, argv: [./vendor], parser: json, cwd: .}\n"
    )

    result = run("-p", str(path), RID)

    assert result.stdout == MERGED
    assert result.exit_code == 0
    assert result.stderr == (
        f"tracerun: warning: {tmp_path}/vendor:2: 3 line(s) contain a search value "
        "but do not parse with parser 'json'; they were skipped\n"
    )


def test_a_command_killed_by_a_signal_is_a_failure_naming_it(tmp_path: Path) -> None:
    body = prints(
        '{"ts":"2026-03-20T14:10:00.200Z","msg":"queued","request_id":"req-42"}'
    )
    body += "print('out of memory', file=sys.stderr, flush=True)\n"
    body += f"os.kill(os.getpid(), {int(signal.SIGKILL)})\n"
    script(tmp_path, "vendor", body)
    path = profile(tmp_path, "    {type: command, argv: [./vendor], parser: json}\n")

    result = run("-p", str(path), RID)

    assert result.exit_code == 3
    assert len(result.stdout.splitlines()) == 3
    assert result.stderr == (
        f"tracerun: error: source vendor: {tmp_path}/vendor: was killed by SIGKILL; "
        "its last lines on stderr:\n"
        "    | out of memory\n"
        "  hint: the records it printed before were kept; run the command "
        "yourself to see more\n"
    )


def test_a_program_missing_from_path_is_a_failure_the_others_answer(
    tmp_path: Path,
) -> None:
    path = profile(
        tmp_path, "    {type: command, argv: [no-such-tool-x1, logs], parser: json}\n"
    )

    result = run("-p", str(path), RID)

    assert (result.exit_code, len(result.stdout.splitlines())) == (3, 2)
    assert result.stderr == (
        "tracerun: error: source vendor: no-such-tool-x1: program no-such-tool-x1 "
        "is not on PATH\n"
        "  hint: install it, or write its full path as argv's first item\n"
    )


ARGV_LOGGER = "json.dump(sys.argv[1:], open(os.environ['ARGV_LOG'], 'w'))"
WINDOW_ARGV = (
    '[./vendor, --since, "{since}", "--until={until}", "{since_epoch}", '
    '"{until_epoch}", "{other}", "{}", "{since_epoch}-{since}"]'
)


def argv_received(tmp_path: Path, *window: str) -> tuple[Result, list[str]]:
    script(tmp_path, "vendor", ARGV_LOGGER)
    path = profile(
        tmp_path, f"    type: command\n    argv: {WINDOW_ARGV}\n", file=False
    )
    log = tmp_path / "argv.json"
    result = run("-p", str(path), RID, *window, ARGV_LOG=str(log))
    return result, json.loads(log.read_text())


def test_placeholders_get_the_window_widened_to_whole_seconds(tmp_path: Path) -> None:
    window = ["--since", "2026-03-20T14:10:00.5Z", "--until", "2026-03-20T14:20:00.2Z"]

    result, got = argv_received(tmp_path, *window)

    assert result.exit_code == 1  # it ran; nothing matched
    assert got == [
        "--since", "2026-03-20T14:10:00Z", "--until=2026-03-20T14:20:01Z",
        "1774015800", "1774016401", "{other}", "{}",
        "1774015800-2026-03-20T14:10:00Z",
    ]  # fmt: skip


def test_an_open_window_is_the_epoch_to_now(tmp_path: Path) -> None:
    before = int(time.time())
    result, got = argv_received(tmp_path)
    after = int(time.time()) + 1

    now = int(got[4])
    assert before <= now <= after
    assert got == [
        "--since", "1970-01-01T00:00:00Z",
        time.strftime("--until=%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
        "0", str(now), "{other}", "{}", "0-1970-01-01T00:00:00Z",
    ]  # fmt: skip
    assert result.exit_code == 1


def test_without_placeholders_the_window_is_cut_here(tmp_path: Path) -> None:
    stamps = ["14:00:00", "14:10:00", "14:20:00"]
    script(
        tmp_path,
        "vendor",
        prints(
            *(
                f'{{"ts":"2026-03-20T{t}Z","msg":"at {t}","request_id":"req-42"}}'
                for t in stamps
            )
        ),
    )
    path = profile(
        tmp_path, "    {type: command, argv: [./vendor], parser: json}\n", file=False
    )

    result = run(
        "-p", str(path), RID, "--since", "2026-03-20T14:05:00Z",
        "--until", "2026-03-20T14:15:00Z",
    )  # fmt: skip

    assert (
        result.stdout
        == "2026-03-20T14:10:00.000Z vendor -     at 14:10:00 request_id=req-42\n"
    )
    assert result.exit_code == 0


def test_stderr_of_a_command_that_succeeds_is_a_warning(tmp_path: Path) -> None:
    body = prints('{"ts":"2026-03-20T14:10:00Z","msg":"queued","request_id":"req-42"}')
    body += "print('deprecated flag --x', file=sys.stderr)"
    script(tmp_path, "vendor", body)
    path = profile(
        tmp_path, "    {type: command, argv: [./vendor], parser: json}\n", file=False
    )

    result = run("-p", str(path), RID)

    assert result.stdout == (
        "2026-03-20T14:10:00.000Z vendor -     queued request_id=req-42\n"
    )
    assert result.exit_code == 0
    assert result.stderr == (
        f"tracerun: warning: source vendor: {tmp_path}/vendor: exited with status 0; "
        "its last lines on stderr:\n"
        "    | deprecated flag --x\n"
    )


def test_env_and_cwd_reach_the_program(tmp_path: Path) -> None:
    (tmp_path / "work").mkdir()
    script(
        tmp_path,
        "vendor",
        "print(json.dumps({'request_id': 'req-42', 'msg': os.getcwd() + ' '"
        " + os.environ['REGION'] + ' ' + os.environ['HOME_SET']}))",
    )
    command = (
        "    type: command\n    argv: [./vendor]\n    parser: json\n"
        "    cwd: work\n    env: {REGION: eu-1, HOME_SET: '${FROM_ENV}'}\n"
    )
    path = profile(tmp_path, command, file=False)

    result = run("-p", str(path), RID, "-o", "ndjson", FROM_ENV="yes-set")

    assert json.loads(result.stdout)["message"] == f"{tmp_path}/work eu-1 yes-set"
    assert result.exit_code == 0


def test_follow_reads_a_live_command_with_its_history_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = prints(
        '{"ts":"2026-03-20T14:10:00.200Z","msg":"queued","request_id":"req-42"}'
    )
    body += "if sys.argv[1] == 'once':\n    sys.exit(0)\n"
    body += "open('live.pid', 'w').write(str(os.getpid()))\n"
    body += (
        "while not os.path.exists('go'):\n    time.sleep(0.05)\n"
        + prints('{"ts":"2026-03-20T14:10:09Z","msg":"late","request_id":"req-42"}')
        + "time.sleep(120)\n"
    )
    script(tmp_path, "vendor", body)
    command = "    {type: command, argv: [./vendor, once], follow: [./vendor, live], parser: json}\n"
    path = profile(tmp_path, command)
    monkeypatch.setenv("TRACERUN_TRUST", "all")  # Follow passes it on

    follow = Follow(
        "-p", str(path), "-f", "--timeout", "20s", "-o", "ndjson", RID, cwd=tmp_path
    )
    try:
        follow.wait_for(3)
        (tmp_path / "go").write_text("")
        follow.wait_for(4)
        follow.proc.send_signal(signal.SIGINT)
        code, errors = follow.finish()
    finally:
        follow.close()

    assert [(s, m) for s, _, _, m in follow.records()] == [
        ("app", "reserved"),
        ("vendor", "queued"),
        ("app", "charged"),
        ("vendor", "late"),
    ]
    assert (code, errors) == (130, "")
    assert _gone(int((tmp_path / "live.pid").read_text()))  # stopped with the trace


def hanging_trace(tmp_path: Path, names: tuple[str, ...]) -> tuple[Any, list[int]]:
    """Start `tracerun` on command sources that hang; return it once they all run."""
    sources = ""
    for name in names:
        hang = f"open('{name}.pid', 'w').write(str(os.getpid()))\ntime.sleep(120)"
        script(tmp_path, name, hang)
        sources += f"  {name}: {{type: command, argv: [./{name}], cwd: .}}\n"
    (tmp_path / "p.yaml").write_text(f"version: 1\nsources:\n{sources}")
    env = {**os.environ, "TRACERUN_TRUST": "all", "TRACERUN_PROFILE": ""}
    trace = subprocess.Popen(
        [sys.executable, "-m", "tracerun", "-p", "p.yaml", RID],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
    )
    files = [tmp_path / f"{name}.pid" for name in names]
    deadline = time.monotonic() + 20
    while not all(f.exists() and f.read_text() for f in files):
        assert time.monotonic() < deadline, "the commands did not start"
        time.sleep(0.05)
    return trace, [int(f.read_text()) for f in files]


def test_ctrl_c_stops_every_running_command_at_once(tmp_path: Path) -> None:
    trace, pids = hanging_trace(tmp_path, ("one", "two"))

    started = time.monotonic()
    trace.send_signal(signal.SIGINT)
    _, stderr = trace.communicate(timeout=20)

    assert (trace.returncode, stderr) == (130, b"\ntracerun: interrupted\n")
    assert time.monotonic() - started < 5
    assert all(_gone(pid) for pid in pids)


def test_under_follow_a_command_without_follow_runs_once_for_history(
    tmp_path: Path,
) -> None:
    script(tmp_path, "vendor", prints(APP[0].replace("reserved", "queued")))
    path = profile(
        tmp_path, "    {type: command, argv: [./vendor], parser: json}\n", file=False
    )

    result = run("-p", str(path), "-f", "--timeout", "1s", RID)

    assert result.stdout == (
        "2026-03-20T14:10:00.100Z vendor -     queued request_id=req-42\n"
    )
    assert (result.exit_code, result.stderr) == (
        0,
        (
            "tracerun: warning: source vendor: a command without `follow:` runs once; "
            "only its history is shown\n"
        ),
    )


def test_a_followed_command_that_fails_is_told_once_with_its_stderr(
    tmp_path: Path,
) -> None:
    body = prints(APP[0].replace("reserved", "queued"))
    body += "time.sleep(0.5)\nprint('connection lost', file=sys.stderr)\nsys.exit(2)"
    script(tmp_path, "vendor", body)
    path = profile(
        tmp_path,
        "    {type: command, argv: [./vendor], follow: true, parser: json}\n",
        file=False,
    )

    result = run("-p", str(path), "-f", "--timeout", "2s", RID)

    assert result.stdout == (
        "2026-03-20T14:10:00.100Z vendor -     queued request_id=req-42\n"
    )
    assert (result.exit_code, result.stderr) == (
        0,
        (
            f"tracerun: error: source vendor: {tmp_path}/vendor: exited with status 2; "
            "its last lines on stderr:\n"
            "    | connection lost\n"
            "  hint: the records it printed before were kept; run the command "
            "yourself to see more\n"
        ),
    )


def test_sigterm_stops_a_one_shot_trace_and_its_command(tmp_path: Path) -> None:
    trace, pids = hanging_trace(tmp_path, ("vendor",))

    trace.send_signal(signal.SIGTERM)
    _, stderr = trace.communicate(timeout=20)

    assert (trace.returncode, stderr) == (143, b"")
    assert _gone(pids[0])


def test_a_leftover_child_holding_stderr_does_not_hold_the_trace(
    tmp_path: Path,
) -> None:
    body = prints(APP[0].replace("reserved", "queued"))
    body += (
        "child = os.fork()\n"
        "if child == 0:\n"
        "    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)\n"
        "    time.sleep(120)\n"
        "    sys.exit(0)\n"
        "open('child.pid', 'w').write(str(child))\n"
    )
    script(tmp_path, "vendor", body)
    path = profile(
        tmp_path,
        "    {type: command, argv: [./vendor], parser: json, cwd: .}\n",
        file=False,
    )

    started = time.monotonic()
    result = run("-p", str(path), RID)

    assert time.monotonic() - started < 5
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "2026-03-20T14:10:00.100Z vendor -     queued request_id=req-42\n"
    )
    assert _gone(int((tmp_path / "child.pid").read_text()))


# The hostile-input probe (#15): each class of its findings, end to end.


@pytest.mark.parametrize(
    ("written", "shown"),
    [("10000000000", "1e+10"), ("1e308", "1e+308"), (".inf", "inf")],
)
def test_a_timeout_past_a_week_is_a_located_error(
    tmp_path: Path, written: str, shown: str
) -> None:
    path = profile(
        tmp_path,
        f"    {{type: command, argv: [./vendor], timeout: {written}}}\n",
        file=False,
    )

    result = run("-p", str(path), RID)

    column = 48
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"tracerun: {path} has 1 problem\n\n"
        f"{path}:4:{column}: sources.vendor.timeout: {shown} seconds is more than "
        "the most allowed, 604800 (a week)\n"
        f"      4 |     {{type: command, argv: [./vendor], timeout: {written}}}\n"
        f"        | {' ' * (column - 1)}{'^' * len(written)}\n"
        "  hint: write at most 604800\n"
    )


def test_an_ssh_connect_timeout_past_a_week_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "version: 1\nsources:\n  web:\n    type: ssh\n    hosts: [web-1]\n"
        "    paths: [/var/log/app.log]\n    connect_timeout: 1e308\n"
    )

    result = run("validate", "-p", str(path))

    assert result.exit_code == 2
    assert (
        f"{path}:7:22: sources.web.connect_timeout: 1e+308 seconds is more than "
        "the most allowed, 604800 (a week)\n"
    ) in result.stdout + result.stderr


@pytest.mark.parametrize(
    "option", [["--host-timeout"], ["-f", "--timeout"], ["-f", "--reorder-window"]]
)
def test_a_duration_option_past_a_week_is_a_usage_error(
    tmp_path: Path, option: list[str]
) -> None:
    script(tmp_path, "vendor", prints(APP[0]))
    path = profile(tmp_path, "    {type: command, argv: [./vendor]}\n", file=False)

    result = run("-p", str(path), *option, "99999999999999h", RID)

    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"tracerun: error: {option[-1]} '99999999999999h' is longer than the most "
        "allowed, 168h\n  hint: write at most 168h\n"
    )


def test_the_runtime_clamps_a_timeout_past_what_select_can_wait(
    tmp_path: Path,
) -> None:
    from tracerun.sources.command.process import (
        MAX_TIMEOUT,
        CommandOrigin,
        Output,
        spawn,
    )

    script(tmp_path, "vendor", prints("one line"))
    origin = CommandOrigin("v", 0, "command", "vendor", "vendor", cwd=str(tmp_path))
    output = Output(spawn(origin, [str(tmp_path / "vendor")]), 1e308)
    try:
        data = b""
        while chunk := output.read(1024):
            data += chunk
        output.finish()
    finally:
        output.close()

    assert (data, output.timeout, output.failure()) == (
        b"one line\n",
        MAX_TIMEOUT,
        None,
    )


def test_a_leftover_child_holding_stdout_is_stopped_soon_and_warned_of(
    tmp_path: Path,
) -> None:
    body = prints(APP[0].replace("reserved", "queued"))
    body += (
        "child = os.fork()\n"
        "if child == 0:\n"
        "    time.sleep(120)\n"
        "    sys.exit(0)\n"
        "open('child.pid', 'w').write(str(child))\n"
    )
    script(tmp_path, "vendor", body)
    path = profile(
        tmp_path,
        "    {type: command, argv: [./vendor], parser: json, cwd: .}\n",
        file=False,
    )

    started = time.monotonic()
    result = run("-p", str(path), RID)

    assert time.monotonic() - started < 5
    assert result.stdout == (
        "2026-03-20T14:10:00.100Z vendor -     queued request_id=req-42\n"
    )
    assert (result.exit_code, result.stderr) == (
        0,
        (
            f"tracerun: warning: source vendor: {tmp_path}/vendor: exited, but a "
            "process it started (in its process group) still held its stdout 0.5 s "
            "later; that process was stopped, the records read are kept\n"
        ),
    )
    assert _gone(int((tmp_path / "child.pid").read_text()))


DETACHED_CHILD = (
    "child = os.fork()\n"
    "if child == 0:\n"
    "    for fd in (1, 2):\n"
    "        os.dup2(os.open(os.devnull, os.O_WRONLY), fd)\n"
    "    time.sleep(120)\n"
    "    sys.exit(0)\n"
    "open('child.pid', 'w').write(str(child))\n"
)
"""A program body that leaves a child in its group holding neither pipe."""


def test_a_child_left_in_the_group_is_stopped_when_the_trace_ends(
    tmp_path: Path,
) -> None:
    script(tmp_path, "vendor", prints(APP[0]) + DETACHED_CHILD)
    path = profile(
        tmp_path, "    {type: command, argv: [./vendor], parser: json, cwd: .}\n"
    )

    result = run("-p", str(path), RID)

    assert (result.exit_code, result.stderr) == (0, "")
    assert _gone(int((tmp_path / "child.pid").read_text()))


def test_stop_all_stops_the_group_of_a_program_that_already_exited(
    tmp_path: Path,
) -> None:
    from tracerun.sources.command.process import CommandOrigin, Output, spawn, stop_all

    script(tmp_path, "vendor", DETACHED_CHILD)
    origin = CommandOrigin("v", 0, "command", "vendor", "vendor", cwd=str(tmp_path))
    output = Output(spawn(origin, [str(tmp_path / "vendor")]), 30)
    try:
        output.process.wait(10)  # the leader is gone (and reaped), its child is not
        child = int((tmp_path / "child.pid").read_text())
        assert not _gone(child)
        stop_all()  # Ctrl-C / SIGTERM
        assert _gone(child)
    finally:
        output.close()


def test_a_secret_the_stderr_keep_limit_cuts_through_is_not_shown(
    tmp_path: Path,
) -> None:
    secret = "hunter2secretXYZ"
    body = (
        "sys.stderr.write('A' * 100 + os.environ['TOK'] + 'B' * 65528 + '\\n')\n"
        "sys.exit(1)\n"
    )
    script(tmp_path, "vendor", body)
    path = profile(
        tmp_path,
        '    {type: command, argv: [./vendor], env: {TOK: "${TOK}"}}\n',
        file=False,
    )

    result = run("-p", str(path), RID, TOK=secret)

    assert result.exit_code == 3
    assert result.stderr == (
        f"tracerun: error: source vendor: {tmp_path}/vendor: exited with status 1; "
        "its last lines on stderr:\n"
        f"    | ${{TOK}}{'B' * 194}… (65,534 characters)\n"
        "  hint: the records it printed before were kept; run the command "
        "yourself to see more\n"
    )


def test_a_secret_in_the_program_path_is_masked_in_the_records_origin(
    tmp_path: Path,
) -> None:
    script(tmp_path, "hunter2secretXYZ.sh", prints('{"msg":"x","request_id":"req-42"}'))
    path = profile(
        tmp_path,
        '    {type: command, argv: ["./${SECRET}.sh"], parser: json}\n',
        file=False,
    )

    result = run("-p", str(path), RID, "-o", "ndjson", SECRET="hunter2secretXYZ")

    assert json.loads(result.stdout)["origin"] == f"{tmp_path}/${{SECRET}}.sh"
    assert "hunter2secretXYZ" not in result.stdout + result.stderr


def test_a_followed_command_running_on_without_stdout_is_told_accurately(
    tmp_path: Path,
) -> None:
    body = prints(APP[0].replace("reserved", "queued"))
    body += "os.close(1)\ntime.sleep(120)\n"
    script(tmp_path, "vendor", body)
    path = profile(
        tmp_path,
        "    {type: command, argv: [./vendor], follow: true, parser: json}\n",
        file=False,
    )

    result = run("-p", str(path), "-f", "--timeout", "6s", RID)

    assert result.stdout == (
        "2026-03-20T14:10:00.100Z vendor -     queued request_id=req-42\n"
    )
    assert (result.exit_code, result.stderr) == (
        0,
        (
            f"tracerun: error: source vendor: {tmp_path}/vendor: closed its stdout "
            "but was still running 2 s later, so it was stopped\n"
            "  hint: the records it printed before were kept; a followed program "
            "must keep printing to its stdout for as long as it runs\n"
        ),
    )


def test_follow_with_expand_follows_ids_a_live_command_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The whole chain in one burst of the command's stdout, after the history
    # (nothing carries req-77 there): the order names ord-77 only once the
    # worker's lines are already read; they are found in the recent bytes.
    chain = [
        '{"ts":"2026-03-20T14:11:00.000Z","msg":"POST","request_id":"req-77"}',
        (
            '{"ts":"2026-03-20T14:11:00.100Z","msg":"order","request_id":"req-77",'
            '"order_id":"ord-77"}'
        ),
        (
            '{"ts":"2026-03-20T14:11:00.200Z","msg":"picked","order_id":"ord-77",'
            '"job_id":"job-77"}'
        ),
        '{"ts":"2026-03-20T14:11:00.300Z","msg":"done","job_id":"job-77"}',
    ]
    body = "if sys.argv[1] == 'once':\n    sys.exit(0)\n"
    body += "while not os.path.exists('go'):\n    time.sleep(0.05)\n"
    body += f"print({chr(10).join(chain)!r}, flush=True)\ntime.sleep(120)\n"
    script(tmp_path, "vendor", body)
    command = "    {type: command, argv: [./vendor, once], follow: [./vendor, live], parser: json}\n"
    path = profile(tmp_path, command)
    text = path.read_text().replace(
        "sources:", "correlate: [request_id, order_id, job_id]\nsources:"
    )
    path.write_text(text)
    monkeypatch.setenv("TRACERUN_TRUST", "all")  # Follow passes it on

    follow = Follow(
        "-p", str(path), "-f", "--expand", "--timeout", "20s", "-o", "ndjson",
        "--exit-on", "msg == 'done'", "req-77", cwd=tmp_path,
    )  # fmt: skip
    try:
        follow.wait_stderr("ids followed")
        (tmp_path / "go").write_text("")
        code, errors = follow.finish()
    finally:
        follow.close()

    found = [json.loads(x) for x in follow.lines]
    assert [(r["source"], r["message"], r.get("via")) for r in found] == [
        ("vendor", "POST", None),
        ("vendor", "order", None),
        ("vendor", "picked", "order_id=ord-77 ← req-77"),
        ("vendor", "done", "job_id=job-77 ← order_id=ord-77 ← req-77"),
    ]
    assert code == 0, errors
