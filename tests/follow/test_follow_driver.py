"""Follow mode end to end: the real command follows real files a writer changes.

Each test runs `python -m tracerun … -f` as a subprocess while this process
writes, rotates (rename, copytruncate), creates and deletes its log files, and
asserts the exact records printed, in order. Tests end through --exit-on (a
`done` record) or a signal; a --timeout stops a stuck run. Nothing asserts a
duration: waiting is for output to appear.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers.follow import Follow

from tracerun.cli import cli
from tracerun.cli.options import follow_settings
from tracerun.follow.driver import FollowSettings
from tracerun.timeparse import parse_duration

EXIT_ON_DONE = ["--exit-on", "msg == 'done'", "--timeout", "30s"]


def line(second: int, msg: str, rid: str = "abc") -> str:
    ts = f"2026-03-20T14:10:{second:02d}.000Z"
    return json.dumps({"ts": ts, "msg": msg, "request_id": rid}) + "\n"


def append(path: Path, *lines: str) -> None:
    with path.open("a") as file:
        file.write("".join(lines))


def write_profile(root: Path, *names: str, glob: str = "{name}.log*") -> Path:
    sources = "".join(
        f"  {n}: {{type: file, paths: ['{root}/{glob.format(name=n)}']}}\n"
        for n in names
    )
    path = root / "profile.yaml"
    path.write_text(f"version: 1\nsources:\n{sources}")
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "gateway.log").write_text(line(0, "g0"))
    (tmp_path / "orders.log").write_text(line(1, "o1") + line(2, "noise", rid="zzz"))
    return tmp_path


def test_history_then_live_records_across_rename_rotation_and_copytruncate(root: Path):
    profile = write_profile(root, "gateway", "orders")
    gateway, orders = root / "gateway.log", root / "orders.log"
    follow = Follow(
        "-p", str(profile), "-f", "abc", "-o", "ndjson", "--reorder-window", "1s",
        *EXIT_ON_DONE, cwd=root,
    )  # fmt: skip
    follow.wait_for(2)  # the history is out: everything from here on is live

    def writer() -> None:
        steps = [
            lambda: append(orders, line(3, "o3")),
            lambda: append(gateway, line(4, "g4")),
            rotate_orders,
            lambda: append(gateway, line(7, "g7")),
            copytruncate_gateway,
            lambda: append(orders, line(10, "o10")),
            lambda: append(gateway, line(11, "done")),
        ]
        for step in steps:
            step()
            time.sleep(0.05)

    def rotate_orders() -> None:  # logrotate's default: rename, create anew
        with orders.open("a") as service:
            orders.rename(root / "orders.log.1")
            service.write(line(5, "o5"))  # the service has not reopened yet
        orders.write_text(line(6, "o6"))

    def copytruncate_gateway() -> None:
        append(gateway, line(8, "g8"))
        shutil.copyfile(gateway, root / "gateway.log.1")
        with gateway.open("r+") as file:
            file.truncate(0)
        append(gateway, line(9, "g9"))

    thread = threading.Thread(target=writer)
    thread.start()
    code, stderr = follow.finish()
    thread.join()

    assert (code, stderr) == (0, "")
    assert follow.records() == [
        ("gateway", "gateway.log", 1, "g0"),
        ("orders", "orders.log", 1, "o1"),
        ("orders", "orders.log", 3, "o3"),
        ("gateway", "gateway.log", 2, "g4"),
        ("orders", "orders.log", 4, "o5"),
        ("orders", "orders.log", 1, "o6"),
        ("gateway", "gateway.log", 3, "g7"),
        ("gateway", "gateway.log", 4, "g8"),
        ("gateway", "gateway.log", 1, "g9"),
        ("orders", "orders.log", 2, "o10"),
        ("gateway", "gateway.log", 2, "done"),
    ]


def test_new_file_is_read_from_its_start_and_a_deleted_one_to_its_end(root: Path):
    profile = write_profile(root, "app", glob="*.log")
    follow = Follow(
        "-p", str(profile), "-f", "abc", "-o", "ndjson", *EXIT_ON_DONE, cwd=root
    )
    follow.wait_for(2)

    append(root / "orders.log", line(3, "o3"))
    (root / "orders.log").unlink()
    (root / "late.log").write_text(line(4, "l4") + line(5, "done"))
    code, stderr = follow.finish()

    assert (code, stderr) == (0, "")
    assert follow.records() == [
        ("app", "gateway.log", 1, "g0"),
        ("app", "orders.log", 1, "o1"),
        ("app", "orders.log", 3, "o3"),
        ("app", "late.log", 1, "l4"),
        ("app", "late.log", 2, "done"),
    ]


def test_no_history_prints_only_what_is_written_after_the_start(root: Path):
    profile = write_profile(root, "gateway", "orders")
    follow = Follow(
        "-p", str(profile), "-f", "--no-history", "abc", "-o", "ndjson", *EXIT_ON_DONE,
        cwd=root,
    )  # fmt: skip
    # No history to wait for: ping until the follow shows it is live.
    for n in range(100):
        append(root / "gateway.log", line(20, f"ping{n}"))
        with follow.seen:
            if follow.seen.wait_for(lambda: follow.lines, 0.2):
                break
    append(root / "orders.log", line(30, "o30"))
    append(root / "gateway.log", line(31, "done"))
    code, stderr = follow.finish()

    records = follow.records()
    pings = [r for r in records if r[3].startswith("ping")]
    assert (code, stderr) == (0, "")
    assert pings
    assert records[: len(pings)] == pings
    assert records[len(pings) :] == [
        ("orders", "orders.log", 3, "o30"),
        ("gateway", "gateway.log", pings[-1][2] + 1, "done"),
    ]


def test_text_output_and_exit_on_a_record_already_in_the_history(root: Path):
    append(root / "gateway.log", line(5, "done"))
    profile = write_profile(root, "gateway", "orders")
    follow = Follow("-p", str(profile), "-f", "abc", *EXIT_ON_DONE, cwd=root)
    code, stderr = follow.finish()

    assert (code, stderr) == (0, "")
    assert follow.lines == [
        "2026-03-20T14:10:00.000Z gateway -     g0 request_id=abc\n",
        "2026-03-20T14:10:01.000Z orders  -     o1 request_id=abc\n",
        "2026-03-20T14:10:05.000Z gateway -     done request_id=abc\n",
    ]


def test_timeout_without_a_match_exits_1(root: Path):
    profile = write_profile(root, "gateway")
    follow = Follow("-p", str(profile), "-f", "nope", "--timeout", "300ms", cwd=root)

    assert follow.finish() == (1, "")
    assert follow.lines == []


def test_timeout_after_a_match_exits_0(root: Path):
    profile = write_profile(root, "gateway")
    follow = Follow("-p", str(profile), "-f", "abc", "--timeout", "300ms", cwd=root)

    assert follow.finish() == (0, "")
    assert len(follow.lines) == 1


def test_whole_timeline_formats_and_the_summary_print_when_following_stops(
    root: Path,
):
    profile = write_profile(root, "gateway", "orders")
    args = ["-p", str(profile), "-f", "abc", "--timeout", "300ms", "-o", "mermaid"]
    follow = Follow(*args, "--summary", cwd=root)

    code, stderr = follow.finish()

    assert code == 0
    assert follow.lines == [
        "```mermaid\n",
        "sequenceDiagram\n",
        "    participant S0 as gateway\n",
        "    participant S1 as orders\n",
        "    S0->>S1: +1.000 s o1\n",
        "```\n",
    ]
    assert stderr.startswith("abc: 2 records from 2 sources in 1.000 s (")


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)]
)
def test_signal_prints_what_is_held_back_and_exits_cleanly(root: Path, signum, code):
    profile = write_profile(root, "gateway", "orders")
    follow = Follow(
        "-p", str(profile), "-f", "abc", "-o", "ndjson", "--reorder-window", "1h",
        cwd=root,
    )  # fmt: skip
    follow.wait_for(2)
    append(root / "orders.log", line(3, "o3"))
    append(root / "gateway.log", line(2, "g2"))
    follow.proc.send_signal(signum)

    assert follow.finish() == (code, "")
    assert follow.records() == [
        ("gateway", "gateway.log", 1, "g0"),
        ("orders", "orders.log", 1, "o1"),
        ("gateway", "gateway.log", 2, "g2"),
        ("orders", "orders.log", 3, "o3"),
    ]


def test_closed_pipe_ends_quietly(root: Path):
    profile = write_profile(root, "gateway")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracerun", "-p", str(profile), "-f", "abc"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    assert "g0" in proc.stdout.readline()
    proc.stdout.close()  # as `| head -n 1` does after its line
    for second in range(10, 60):
        append(root / "gateway.log", line(second, "more"))
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    try:
        code = proc.wait(30)
    finally:
        proc.kill()
    stderr = proc.stderr.read()
    proc.stderr.close()

    assert (code, stderr) == (141, "")


def run(*args: str):
    return CliRunner().invoke(cli, list(args), env={"TRACERUN_PROFILE": ""})


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--timeout", "5s"],
            "tracerun: error: --timeout only applies when following\n",
        ),
        (
            ["--no-history"],
            "tracerun: error: --no-history only applies when following\n",
        ),
        (
            ["-f", "--until", "1h"],
            "tracerun: error: --until cannot be combined with -f/--follow\n",
        ),
        (
            ["-f", "--timeout", "5x"],
            "tracerun: error: --timeout '5x' is not a duration\n",
        ),
        (
            ["-f", "--exit-on", "status =="],
            "tracerun: error: --exit-on 'status ==': not a valid JMESPath expression",
        ),
    ],
)
def test_follow_option_mistakes_are_usage_errors(root: Path, args, message):
    result = run("--path", str(root / "gateway.log"), *args, "abc")

    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert "  hint: " in result.stderr
    assert result.stdout == ""


def test_settings_read_durations_and_defaults():
    assert parse_duration("250ms", "--x") == 0.25
    assert parse_duration("1.5", "--x") == 1.5
    assert parse_duration("2m", "--x") == 120
    assert follow_settings({"follow": False}) is None
    assert follow_settings({"follow": True}) == FollowSettings()
    assert follow_settings(
        {"follow": True, "history": False, "reorder_window": "0", "timeout": "1h"}
    ) == FollowSettings(history=False, window=0.0, timeout=3600.0)


class FakeFeed:
    """A feed that hands out prepared batches, one per poll."""

    def __init__(self, history, *batches, held=()):
        self.history = list(history)
        self.batches = [list(b) for b in batches]
        self.held = list(held)
        self.closed = False

    def start(self, history):
        return self.history if history else []

    def poll(self, _now):
        return self.batches.pop(0) if self.batches else []

    def notes(self):
        return []

    def close(self):
        self.closed = True
        held, self.held = self.held, []
        return held


def rec(second: int, msg: str, **fields: Any):
    from tracerun.record import Record

    fields = {"msg": msg, **fields}
    return Record(second * 1_000_000, "s", 0, "o", second, "", msg, fields, msg)


class Plain:
    def format(self, record):
        return record.message + "\n"

    def finish(self):
        return ""


def follower(settings: FollowSettings, *feeds: FakeFeed):
    import io

    from tracerun.follow.driver import Follower

    out = io.StringIO()
    notes: list[Any] = []
    return Follower(settings, Plain(), out, notes.append, list(feeds)), out


def test_exit_on_stops_right_after_the_matching_record():
    feed = FakeFeed([rec(1, "h1")], [rec(3, "b"), rec(2, "done", status=200)])
    driver, out = follower(
        FollowSettings(window=0.0, exit_on="status == `200`", poll=0.01), feed
    )

    assert driver.run(feed.history) == 0
    assert out.getvalue() == "h1\ndone\n"
    assert feed.closed


def test_exit_on_fires_on_a_numeric_string_as_on_a_number():
    feed = FakeFeed([rec(1, "ok", status="200")], [rec(2, "fail", status="503")])
    driver, out = follower(
        FollowSettings(window=0.0, exit_on="status >= `500`", poll=0.01), feed
    )

    assert driver.run(feed.history) == 0
    assert out.getvalue() == "ok\nfail\n"


def test_exit_on_that_fails_on_records_is_told_once_and_does_not_stop():
    feed = FakeFeed([rec(1, "a"), rec(2, "b")], [rec(3, "c")])
    notes: list[Any] = []
    import io

    from tracerun.follow.driver import Follower

    out = io.StringIO()
    settings = FollowSettings(exit_on="abs(msg)", timeout=0.05, poll=0.01)
    driver = Follower(settings, Plain(), out, notes.append, [feed])

    assert driver.run(feed.history) == 0
    assert out.getvalue() == "a\nb\nc\n"
    assert [(n.level, n.message, n.message.hint) for n in notes] == [
        (
            "warning",
            (
                '--exit-on "abs(msg)": abs() needs a number, got a string at o:1; '
                "records where it fails do not stop the follow"
            ),
            "to_number(x) reads a number from text (null when it is not one)",
        )
    ]


def test_a_failing_where_is_warned_once_per_run_across_files(root: Path):
    result = run(
        "--path", str(root / "gateway.log"), "--path", str(root / "orders.log"),
        "-f", "abc", "--where", "abs(msg)", "--timeout", "100ms",
    )  # fmt: skip

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.replace(str(root) + "/", "").splitlines() == [
        (
            # The one warning names the first failing record read.
            'tracerun: warning: --where "abs(msg)": abs() needs a number, got a string '
            "at gateway.log:1; records where it fails do not match"
        ),
        "  hint: to_number(x) reads a number from text (null when it is not one)",
    ]


def test_a_naive_since_shows_the_window_used_when_following(root: Path):
    result = run(
        "--path", str(root / "orders.log"), "-f", "abc", "-o", "ndjson",
        "--since", "2026-03-20 14:10:01", "--timeout", "100ms",
    )  # fmt: skip

    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        (
            "tracerun: warning: window 2026-03-20T14:10:01.000Z → … UTC: --since "
            "'2026-03-20 14:10:01' has no UTC offset and was read as UTC"
        )
    ]


def test_timeout_prints_what_was_held_and_exits_by_what_was_printed():
    feed = FakeFeed([], [rec(2, "late")], held=[rec(1, "held")])
    driver, out = follower(FollowSettings(window=10.0, timeout=0.05, poll=0.01), feed)

    assert driver.run([]) == 0
    assert out.getvalue() == "held\nlate\n"
    quiet, quiet_out = follower(FollowSettings(timeout=0.05, poll=0.01), FakeFeed([]))
    assert quiet.run([]) == 1
    assert quiet_out.getvalue() == ""


def test_in_process_follow_with_a_timeout(root: Path):
    result = run(
        "--path", str(root / "orders.log"), "-f", "abc", "-o", "ndjson",
        "--timeout", "200ms",
    )  # fmt: skip

    assert (result.exit_code, result.stderr) == (0, "")
    assert [json.loads(line)["message"] for line in result.stdout.splitlines()] == [
        "o1"
    ]


def test_history_is_exactly_the_one_shot_trace_of_the_demo():
    demo = str(Path(__file__).resolve().parents[2] / "profiles" / "demo.yaml")
    once = run("-p", demo, "req-7f3a9c2e", "-o", "ndjson")
    followed = run("-p", demo, "req-7f3a9c2e", "-o", "ndjson", "-f", "--timeout", "0")

    # The one-shot trace alone adds its note of the record a non-key field holds.
    note = "tracerun: note: 1 more record holds 'req-7f3a9c2e'"
    assert once.stderr.startswith(note)
    assert (followed.exit_code, followed.stderr) == (0, "")
    assert followed.stdout == once.stdout
    assert len(once.stdout.splitlines()) > 10
