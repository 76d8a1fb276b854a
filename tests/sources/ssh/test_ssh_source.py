"""ssh sources against real sshd hosts on loopback (tests/helpers/sshd.py).

Each host sees its own files at the same remote path; web-1..3 run GNU tools,
bb-1 runs busybox in a chroot. Traces go through the real CLI and the real
`ssh` client, and assert the exact records printed, stderr and exit codes.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from helpers.follow import Follow
from helpers.timeline import records_of

from tracerun.cli import cli
from tracerun.cli.adhoc import with_adhoc
from tracerun.config.model import Profile, SshSourceConfig, to_spec
from tracerun.query import Query, Term
from tracerun.read import runs
from tracerun.read.tally import Miss
from tracerun.sources.ssh import client
from tracerun.sources.ssh.source import SshSource
from tracerun.trace.plan import build_plan

RID = "req-55h7"
pytestmark = pytest.mark.sshd


@pytest.fixture(autouse=True)
def fleet_config(ssh_fleet: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACERUN_SSH_CONFIG", str(ssh_fleet.config))
    for name in ("TRACERUN_PROFILE", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def record(second: int, message: str, rid: str = RID, **more: Any) -> str:
    fields = {
        "ts": f"2026-03-20T14:10:{second:02d}Z",
        "request_id": rid,
        "msg": message,
    }
    return json.dumps({**fields, **more})


def ndjson(result: Result) -> list[tuple[str, str, int, str]]:
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    return [(r["time"][11:19], r["origin"], r["line"], r["message"]) for r in rows]


def profile(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "profile.yaml"
    path.write_text("version: 1\n" + textwrap.dedent(body))
    return path


@pytest.fixture(params=["gnu", "busybox"])
def either(request: pytest.FixtureRequest, ssh_fleet: Any) -> Any:
    """A GNU host, then the busybox one: what both must read alike."""
    return ssh_fleet.hosts[0] if request.param == "gnu" else ssh_fleet.busybox


def test_three_hosts_a_file_and_a_container_merge_into_one_timeline(
    ssh_fleet: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    web1, web2, web3 = ssh_fleet.hosts
    (web1.log_dir / "app.log").write_text(
        f"{record(1, 'gateway in')}\n{record(2, 'decoy', rid=RID + '0')}\n"
        f"{record(9, 'gateway out')}\n"
    )
    (web2.log_dir / "app.log").write_text(f"{record(3, 'orders')}\n")
    (web2.log_dir / "app.log.1.gz").write_bytes(
        gzip.compress(f"{record(0, 'rotated, on web-2')}\n".encode())
    )
    (web3.log_dir / "app.log").write_text(
        f"{record(5, 'mentions only', rid='x')}\n2026-03-20T14:10:06Z ERROR pay "
        f'request_id={RID}\nTraceback (most recent call last):\n  File "p.py"\n'
        "ValueError: declined\n"
    )
    local = tmp_path / "edge.log"
    local.write_text(f"{record(4, 'edge, a local file')}\n")
    containers = request.getfixturevalue("containers")
    say = json.dumps(record(7, "worker, a container"))
    box = containers("ssh-merge", f"printf '%s\\n' {say!s}", wait_exit=True)
    remote = web1.remote_dir
    path = profile(
        tmp_path,
        f"""
        sources:
          app: {{type: ssh, hosts: [web-1, web-2, web-3], paths: ['{remote}/app.log*'], parser: auto}}
          edge: {{type: file, paths: ['{local}'], parser: json}}
          worker: {{type: docker, containers: ['{box.name}'], stopped: true, parser: json}}
        """,
    )

    result = run("-p", str(path), RID, "-o", "ndjson")

    assert result.exit_code == 0, result.stderr
    assert ndjson(result) == [
        ("14:10:00", f"web-2:{remote}/app.log.1.gz", 1, "rotated, on web-2"),
        ("14:10:01", f"web-1:{remote}/app.log", 1, "gateway in"),
        ("14:10:03", f"web-2:{remote}/app.log", 1, "orders"),
        ("14:10:04", str(local), 1, "edge, a local file"),
        (
            "14:10:06",
            f"web-3:{remote}/app.log",
            2,
            'pay\nTraceback (most recent call last):\n  File "p.py"\nValueError: declined',
        ),
        ("14:10:07", box.name, 1, "worker, a container"),
        ("14:10:09", f"web-1:{remote}/app.log", 3, "gateway out"),
    ]
    assert result.stderr == ""


def test_a_hostile_id_is_searched_literally_and_runs_nothing(ssh_fleet: Any) -> None:
    web1 = ssh_fleet.hosts[0]
    hostile = ["x'; touch ~/pwned #", "$(touch ~/pwned2)", "`touch ~/pwned3`"]
    (web1.log_dir / "app.log").write_text(
        "".join(f"{record(k, 'hostile', rid=h)}\n" for k, h in enumerate(hostile))
    )

    result = run("--ssh", f"web-1:{web1.remote_dir}/app.log", *hostile, "-o", "ndjson")

    assert result.exit_code == 0, result.stderr
    assert [row[2] for row in ndjson(result)] == [1, 2, 3]
    assert sorted(p.name for p in web1.home.iterdir() if "pwned" in p.name) == []


def test_a_newline_in_an_id_is_refused() -> None:
    result = run("--ssh", "web-1:/srv/x.log", "a\nb")
    assert result.exit_code == 2
    assert "spans lines" in result.stderr


def test_busybox_and_a_non_posix_login_shell_give_the_same_records(
    ssh_fleet: Any, ssh_nonposix_host: Any
) -> None:
    lines = f"{record(1, 'one')}\n{record(2, 'other', rid='z')}\n{record(3, 'two')}\n"
    busybox = ssh_fleet.busybox
    (busybox.log_dir / "app.log").write_text(lines)
    (ssh_nonposix_host.log_dir / "app.log").write_text(lines)
    shell_user = f"tracerun-tcsh@{ssh_nonposix_host.alias}"

    for host in (busybox.alias, shell_user):
        result = run(
            "--ssh", f"{host}:{busybox.remote_dir}/app.log", RID, "-o", "ndjson"
        )
        assert result.exit_code == 0, (host, result.stderr)
        assert [(r[2], r[3]) for r in ndjson(result)] == [(1, "one"), (3, "two")]


@pytest.mark.parametrize(
    ("endpoint", "reason"),
    [
        ("refused", "connection refused"),
        ("silent", "the host accepts connections but does not speak SSH"),
        ("unknown_host_key", "its host key is not known (or changed)"),
        ("unauthorized", "authentication failed"),
    ],
)
def test_a_failing_host_is_one_line_and_the_others_still_print(
    ssh_fleet: Any, tmp_path: Path, endpoint: str, reason: str
) -> None:
    web1 = ssh_fleet.hosts[0]
    (web1.log_dir / "app.log").write_text(f"{record(1, 'still here')}\n")
    bad = getattr(ssh_fleet.endpoints, endpoint).alias
    # The unauthorized alias is web-1's user@host:port with another key: the
    # multiplexed connection is per user@host:port, so it must not use one.
    own = "ControlPath=none" if endpoint == "unauthorized" else "ServerAliveCountMax=3"
    path = profile(
        tmp_path,
        f"""
        sources:
          app:
            type: ssh
            hosts: [web-1, {bad}]
            paths: ['{web1.remote_dir}/app.log']
            connect_timeout: 2
            ssh_options: [{own}]
          audit:
            type: ssh
            hosts: [{bad}]
            paths: ['{web1.remote_dir}/audit.log']
            connect_timeout: 2
            ssh_options: [{own}]
        """,
    )  # two sources on the failing host: one line names both
    began = time.monotonic()

    result = run("-p", str(path), RID, "-o", "ndjson")

    assert result.exit_code == 3
    assert [r[3] for r in ndjson(result)] == ["still here"]
    first = result.stderr.splitlines()[0]
    assert first == f"tracerun: error: sources app, audit: {bad}: {reason}"
    assert result.stderr.count("tracerun: error:") == 1
    assert "  hint: " in result.stderr
    assert time.monotonic() - began < 15


def test_hosts_that_never_answer_are_waited_for_at_once_not_in_turn(
    ssh_fleet: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client, "_MASTERS", {})  # no connection known from before
    web1 = ssh_fleet.hosts[0]
    (web1.log_dir / "app.log").write_text(f"{record(1, 'still here')}\n")
    silent = [f"u{n}@{ssh_fleet.endpoints.silent.alias}" for n in range(4)]
    path = profile(
        tmp_path,
        f"""
        sources:
          app:
            type: ssh
            hosts: [{", ".join(silent)}, web-1]
            paths: ['{web1.remote_dir}/app.log']
            connect_timeout: 2
        """,
    )
    began = time.monotonic()

    result = run("-p", str(path), RID, "-o", "ndjson")

    took = time.monotonic() - began
    assert result.exit_code == 3
    assert [r[3] for r in ndjson(result)] == ["still here"]
    assert result.stderr.count("does not speak SSH") == len(silent)
    # One connect timeout (2 s) for all of them, not one after the other (8 s).
    assert took < 6


def test_a_path_that_matches_nothing_is_a_warning(ssh_fleet: Any) -> None:
    remote = ssh_fleet.hosts[0].remote_dir
    result = run("--ssh", f"web-1:{remote}/none/*.log", RID)
    assert result.exit_code == 1
    assert result.stderr == (
        f"tracerun: warning: source none: web-1: {remote}/none/*.log matches no file\n"
    )


def test_a_slow_host_is_cut_at_the_host_timeout_and_its_records_kept(
    ssh_fleet: Any,
) -> None:
    web1 = ssh_fleet.hosts[0]
    (web1.log_dir / "app.log").write_text(f"{record(1, 'quick')}\n")
    zeros = gzip.compress(b"\0" * (1 << 20), 1)
    (web1.log_dir / "app.log.1.gz").write_bytes(zeros * 20000)  # 20 GB of zeros
    began = time.monotonic()

    result = run(
        "--ssh", f"web-1:{web1.remote_dir}/app.log*", RID, "--host-timeout", "1s",
        "-o", "ndjson",
    )  # fmt: skip

    assert time.monotonic() - began < 10
    assert result.exit_code == 3
    assert [r[3] for r in ndjson(result)] == ["quick"]
    assert "no complete answer within 1 s" in result.stderr


def test_a_host_killed_before_it_is_read_fails_alone(
    ssh_fleet: Any, tmp_path: Path
) -> None:
    web1, web2, _ = ssh_fleet.hosts
    for host in (web1, web2):
        (host.log_dir / "app.log").write_text(f"{record(1, host.alias)}\n")
    remote = web1.remote_dir
    listed = run("sources", "--ssh", f"web-{{1,2}}:{remote}/app.log")
    assert listed.exit_code == 0, listed.stderr
    web2.kill()

    result = run("--ssh", f"web-{{1,2}}:{remote}/app.log", RID, "-o", "ndjson")

    assert result.exit_code == 3
    assert [r[3] for r in ndjson(result)] == ["web-1"]
    assert "source app: web-2: connection refused" in result.stderr


def test_sources_lists_each_hosts_files_with_coverage(ssh_fleet: Any) -> None:
    web1 = ssh_fleet.hosts[0]
    (web1.log_dir / "app.log").write_text(f"{record(1, 'a')}\n{record(7, 'b')}\n")

    result = run("sources", "--ssh", f"web-1:{web1.remote_dir}/", "--check")

    assert result.exit_code == 0, result.stderr
    size = (web1.log_dir / "app.log").stat().st_size
    assert result.stdout.splitlines() == [
        "logs (ssh, parser auto): 1 origin",
        (
            f"  web-1:{web1.remote_dir}/app.log  {size} B  "
            "2026-03-20T14:10:01.000Z → 2026-03-20T14:10:07.000Z"
        ),
        "    sample: 2 records: 2 (100%) parsed, 2 (100%) with a timestamp",
    ]


def test_follow_over_ssh_prints_new_records_through_a_rotation(
    ssh_fleet: Any,
) -> None:
    web1 = ssh_fleet.hosts[0]
    log = web1.log_dir / "app.log"
    log.write_text(f"{record(1, 'history')}\n")

    def write() -> None:
        time.sleep(2.5)
        with log.open("a") as file:
            file.write(f"{record(2, 'live one')}\n")
        time.sleep(1.0)
        log.rename(web1.log_dir / "app.log.1")
        log.write_text(f"{record(3, 'after rotation')}\n")

    writer = threading.Thread(target=write)
    writer.start()
    result = run(
        "--ssh", f"web-1:{web1.remote_dir}/app.log", RID, "-f", "--timeout", "8s",
        "--reorder-window", "0", "-o", "ndjson",
    )  # fmt: skip
    writer.join()

    assert result.exit_code == 0, result.stderr
    assert [r[3] for r in ndjson(result)] == ["history", "live one", "after rotation"]


def test_follow_over_ssh_prints_a_live_record_whose_continuation_holds_the_id(
    ssh_fleet: Any,
) -> None:
    web1 = ssh_fleet.hosts[0]
    log = web1.log_dir / "app.log"
    log.write_text(f"2026-03-20T14:10:00Z INFO pay: history request_id={RID}\n")
    trace = [
        "2026-03-20T14:10:01Z ERROR pay: boom",
        "Traceback (most recent call last):",
        f"  caused by request_id={RID}",
        "ValueError: declined",
        "2026-03-20T14:10:02Z INFO pay: quiet",
    ]

    def write() -> None:
        time.sleep(2.0)
        with log.open("a") as file:
            file.write("\n".join(trace) + "\n")

    writer = threading.Thread(target=write)
    writer.start()
    result = run(
        "--ssh", f"web-1:{web1.remote_dir}/app.log", RID, "-f", "--timeout", "5s",
        "--reorder-window", "0", "-o", "ndjson",
    )  # fmt: skip
    writer.join()

    assert result.exit_code == 0, result.stderr
    assert [(r[2], r[3]) for r in ndjson(result)] == [
        (1, "pay: history"),
        (2, "\n".join(["pay: boom", *trace[1:4]])),
    ]


def test_a_follow_leaves_nothing_running_on_the_host(ssh_fleet: Any) -> None:
    # `tail -F | awk` on the host would run on after tracerun ended, until the
    # file's next hit met the closed pipe: the follow ends with its stdin.
    web1 = ssh_fleet.hosts[0]
    name = f"left-{os.getpid()}-{time.monotonic_ns()}.log"
    (web1.log_dir / name).write_text(f"{record(1, 'history')}\n")

    result = run(
        "--ssh", f"web-1:{web1.remote_dir}/{name}", RID, "-f", "--timeout", "2s",
        "-o", "ndjson",
    )  # fmt: skip

    assert [r[3] for r in ndjson(result)] == ["history"]
    for _ in range(100):
        left = subprocess.run(["pgrep", "-f", name], capture_output=True, check=False)
        if not left.stdout:
            break
        time.sleep(0.05)
    assert left.stdout == b""


def test_follow_with_expand_searches_the_hosts_for_ids_found_live(
    ssh_fleet: Any, tmp_path: Path
) -> None:
    # The worker on web-2 logs only the order and job ids, before the order
    # on web-1 names the order id: its lines have passed web-2's remote grep
    # by then, and are found by searching that host again for the new id.
    # The last line is written after that: the restarted session has it.
    web1, web2 = ssh_fleet.hosts[:2]
    (web1.log_dir / "app.log").write_text(f"{record(1, 'history')}\n")
    (web2.log_dir / "app.log").write_text(f"{record(1, 'history')}\n")

    def line(second: int, message: str, **ids: str) -> str:
        return json.dumps(
            {"ts": f"2026-03-20T14:11:{second:02d}Z", "msg": message, **ids}
        )

    remote = web1.remote_dir
    path = profile(
        tmp_path,
        f"""
        correlate: [request_id, order_id, job_id]
        sources:
          app: {{type: ssh, hosts: [web-1, web-2], paths: ['{remote}/app.log'], parser: json}}
        """,
    )
    follow = Follow(
        "-p", str(path), "-f", "--expand", "--timeout", "40s", "-o", "ndjson",
        "--exit-on", "msg == 'closed'", "req-88", cwd=tmp_path,
    )  # fmt: skip
    try:
        follow.wait_stderr("ids followed")
        with (web2.log_dir / "app.log").open("a") as file:
            file.write(line(2, "picked", order_id="ord-88", job_id="job-88") + "\n")
            file.write(line(3, "done", job_id="job-88") + "\n")
            file.write(line(3, "other job", job_id="job-89") + "\n")
        time.sleep(2.0)  # web-2's remote grep has passed them by
        with (web1.log_dir / "app.log").open("a") as file:
            file.write(line(0, "POST", request_id="req-88") + "\n")
            file.write(line(1, "order", request_id="req-88", order_id="ord-88") + "\n")
        follow.wait_for(4)
        with (web2.log_dir / "app.log").open("a") as file:
            file.write(line(4, "closed", job_id="job-88") + "\n")
        code, errors = follow.finish()
    finally:
        follow.close()

    found = [json.loads(x) for x in follow.lines]
    assert [(r["origin"], r["line"], r["message"], r.get("via")) for r in found] == [
        (f"web-1:{remote}/app.log", 2, "POST", None),
        (f"web-1:{remote}/app.log", 3, "order", None),
        (f"web-2:{remote}/app.log", 2, "picked", "order_id=ord-88 ← req-88"),
        (
            f"web-2:{remote}/app.log",
            3,
            "done",
            "job_id=job-88 ← order_id=ord-88 ← req-88",
        ),
        (
            f"web-2:{remote}/app.log",
            5,
            "closed",
            "job_id=job-88 ← order_id=ord-88 ← req-88",
        ),
    ]
    assert code == 0, errors


def test_init_writes_a_starter_for_remote_logs_that_traces_them(
    ssh_fleet: Any, tmp_path: Path
) -> None:
    web1 = ssh_fleet.hosts[0]
    (web1.log_dir / "app.log").write_text(f"{record(1, 'one')}\n{record(2, 'two')}\n")
    written = tmp_path / "starter.yaml"

    made = run("init", "--ssh", f"web-1:{web1.remote_dir}/app.log*", "-o", str(written))
    traced = run("-p", str(written), RID, "-o", "ndjson")

    assert made.exit_code == 0, made.stderr
    text = written.read_text()
    assert "    type: ssh\n" in text
    assert f"    paths: ['{web1.remote_dir}/app.log*']\n" in text
    assert "    hosts: ['web-1']  # searched over ssh, in parallel\n" in text
    assert run("validate", "-p", str(written)).exit_code == 0
    assert [r[3] for r in ndjson(traced)] == ["one", "two"]


def test_a_remote_file_matching_everywhere_is_kept_as_a_spilled_run(
    ssh_fleet: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A wrong query (every line matches) costs disk, not memory: the host's
    # records go into a sorted run, spilled past SPILL_AT, as a file's do (#12).
    monkeypatch.setattr(runs, "SPILL_AT", 100)
    web1 = ssh_fleet.hosts[0]
    lines = [record(i % 60, f"n{i}") for i in range(300)]
    (web1.log_dir / "app.log").write_text("\n".join(lines) + "\n")
    plan = build_plan(with_adhoc(None, {"ssh": (f"web-1:{web1.remote_dir}/app.log",)}))
    query = Query(terms=(Term(None, RID),), keys=("request_id",))

    with runs.spill_directory():
        result = SshSource().read(plan.targets[0], query)
        spilled = [run.path is not None for run in result.runs]
        messages = [r.message for r in records_of(result)]

    assert result.records == []
    assert spilled == [True]
    # Equal times keep file order (line numbers break the ties).
    assert messages == [f"n{i}" for i in sorted(range(300), key=lambda i: (i % 60, i))]


def test_ctrl_c_during_a_slow_host_ends_the_run_at_once(
    ssh_fleet: Any, tmp_path: Path
) -> None:
    # The read runs in a worker thread that Ctrl-C cannot interrupt: without its
    # ssh stopped, the run would wait for the host (here up to the 60 s timeout).
    web1 = ssh_fleet.hosts[0]
    (web1.log_dir / "app.log").write_text(f"{record(1, 'quick')}\n")
    zeros = gzip.compress(b"\0" * (1 << 20), 1)
    (web1.log_dir / "app.log.1.gz").write_bytes(zeros * 20000)  # 20 GB of zeros
    env = {**os.environ, "TRACERUN_SSH_CONFIG": str(ssh_fleet.config)}
    trace = subprocess.Popen(
        [sys.executable, "-m", "tracerun", "--ssh", f"web-1:{web1.remote_dir}/app.log*",
         RID, "--host-timeout", "60s"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path,
    )  # fmt: skip
    time.sleep(3)  # connected, and the host is decompressing

    started = time.monotonic()
    trace.send_signal(signal.SIGINT)
    _, stderr = trace.communicate(timeout=30)

    assert (trace.returncode, stderr) == (130, b"\ntracerun: interrupted\n")
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("which", ["gnu", "busybox"])
def test_a_decoy_hit_line_stays_on_the_host(ssh_fleet: Any, which: str) -> None:
    # The id only inside longer tokens (`req-55h70`, `xreq-55h7`) cannot be a
    # json field equal to it: the host does not send those lines (#14).
    host = ssh_fleet.hosts[0] if which == "gnu" else ssh_fleet.busybox
    decoys = [record(2, f"d{i}", rid=f"{RID}0") for i in range(40)]
    decoys += [record(3, f"m{i}", rid="z", note=f"x{RID}") for i in range(40)]
    decoys += [record(3, f"retry of {RID}", rid="z") for i in range(30)]  # message
    wanted = record(4, "wanted")
    (host.log_dir / "app.log").write_text("\n".join([*decoys, wanted]) + "\n")
    # json: its values are always written after a key.
    source = SshSourceConfig(
        type="ssh",
        hosts=[host.alias],
        paths=[f"{host.remote_dir}/app.log"],
        parser="json",
    )
    plan = build_plan(to_spec(Profile(version=1, sources={"app": source})))
    target = plan.targets[0]
    query = Query(terms=(Term(None, RID),), keys=("request_id",))

    with runs.spill_directory():
        result = SshSource().read(target, query)
        messages = [r.message for r in records_of(result)]

    assert messages == ["wanted"]
    assert result.failure is None
    # What came back: the wanted line with its number, and the markers (the
    # message-text hits as a count: `@U 30 81`).
    assert result.bytes_read < len(wanted) + 50
    assert result.tally.unkeyed == Miss(30, 81)


@pytest.mark.parametrize("which", ["gnu", "busybox"])
def test_an_id_only_in_message_text_is_explained_as_for_a_local_file(
    ssh_fleet: Any, tmp_path: Path, which: str
) -> None:
    # The host drops those lines and counts them (#14); the hint is the one a
    # local trace of the same file gives.
    host = ssh_fleet.hosts[0] if which == "gnu" else ssh_fleet.busybox
    lines = [
        record(1, f"retry of {RID}", rid="z"),
        record(2, f"({RID}) again", rid="z"),
    ]
    lines += [record(3, "other", rid=f"{RID}0")]
    (host.log_dir / "app.log").write_text("\n".join(lines) + "\n")
    (tmp_path / "app.log").write_text("\n".join(lines) + "\n")

    remote = run("--ssh", f"{host.alias}:{host.remote_dir}/app.log", RID)
    local = run("--path", str(tmp_path / "app.log"), RID)

    def hint(where: str) -> str:
        return (
            "tracerun: nothing matched: the id was found in 2 records only in message "
            f"text, not in a key field (first: {where}:1; keys searched: request_id, "
            "req_id, rid, trace_id, correlation_id; write key=VALUE to search another "
            "field)\n"
        )

    remote_file = f"{host.alias}:{host.remote_dir}/app.log"
    assert (remote.exit_code, remote.stdout, remote.stderr) == (
        1,
        "",
        hint(remote_file),
    )
    local_file = tmp_path / "app.log"
    assert (local.exit_code, local.stdout, local.stderr) == (
        1,
        "",
        hint(str(local_file)),
    )


@pytest.mark.parametrize("which", ["gnu", "busybox"])
@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gz"])
def test_a_stack_trace_longer_than_the_grep_window_comes_back_whole(
    ssh_fleet: Any, tmp_path: Path, which: str, packed: bool
) -> None:
    # 300 frames: past the host's grep window (script.WINDOW_LINES), read on
    # from the file there; the records equal a local trace's of the same file.
    host = ssh_fleet.hosts[0] if which == "gnu" else ssh_fleet.busybox
    frames = [f'  File "p.py", line {i}, in f{i}' for i in range(300)]
    lines = [
        f"2026-03-20T14:10:00Z ERROR pay: boom request_id={RID}",
        "Traceback (most recent call last):",
        *frames,
        "ValueError: declined",
        f"2026-03-20T14:10:01Z INFO pay: later request_id={RID}",
        "2026-03-20T14:10:02Z INFO pay: quiet request_id=z",
        "  a frame of another record",
    ]
    text = ("\n".join(lines) + "\n").encode()
    name = "app.log.1.gz" if packed else "app.log"
    data = gzip.compress(text) if packed else text
    (host.log_dir / name).write_bytes(data)
    (tmp_path / name).write_bytes(data)

    remote = run("--ssh", f"{host.alias}:{host.remote_dir}/{name}", RID, "-o", "ndjson")
    local = run("--path", str(tmp_path / name), RID, "-o", "ndjson")

    assert remote.exit_code == 0, remote.stderr
    got = [json.loads(line) for line in remote.stdout.splitlines()]
    want = [json.loads(line) for line in local.stdout.splitlines()]
    assert [(r["line"], r["message"]) for r in got] == [
        (1, "\n".join(["pay: boom", *lines[1:303]])),
        (304, "pay: later"),
    ]
    assert [(r["line"], r["message"], r["fields"]) for r in got] == [
        (r["line"], r["message"], r["fields"]) for r in want
    ]


@pytest.mark.parametrize("which", ["gnu", "busybox"])
@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gz"])
def test_an_id_only_on_a_continuation_line_finds_the_record_as_for_a_local_file(
    ssh_fleet: Any, tmp_path: Path, which: str, packed: bool
) -> None:
    # The record's first line has no id; a line of its stack trace does. A
    # local trace prints the record (from its first line); so must the host.
    host = ssh_fleet.hosts[0] if which == "gnu" else ssh_fleet.busybox
    lines = [
        "2026-03-20T14:09:59Z INFO pay: before request_id=z",
        "2026-03-20T14:10:00Z ERROR pay: boom",
        "Traceback (most recent call last):",
        f"  caused by request_id={RID}",
        "ValueError: declined",
        f"2026-03-20T14:10:01Z INFO pay: later request_id={RID}",
    ]
    text = ("\n".join(lines) + "\n").encode()
    name = "app.log.1.gz" if packed else "app.log"
    data = gzip.compress(text) if packed else text
    (host.log_dir / name).write_bytes(data)
    (tmp_path / name).write_bytes(data)

    remote = run("--ssh", f"{host.alias}:{host.remote_dir}/{name}", RID, "-o", "ndjson")
    local = run("--path", str(tmp_path / name), RID, "-o", "ndjson")

    assert (remote.exit_code, local.exit_code) == (0, 0), remote.stderr
    got = [json.loads(line) for line in remote.stdout.splitlines()]
    want = [json.loads(line) for line in local.stdout.splitlines()]
    assert [(r["line"], r["message"]) for r in want] == [
        (2, "\n".join(["pay: boom", *lines[2:5]])),
        (6, "pay: later"),
    ]
    assert [(r["line"], r["message"], r["fields"]) for r in got] == [
        (r["line"], r["message"], r["fields"]) for r in want
    ]


def _remote_and_local(
    host: Any, tmp_path: Path, lines: list[str], packed: bool, *args: str
) -> tuple[list[Any], list[Any]]:
    """Trace the same file on the host and here; both records, as parsed ndjson."""
    text = ("\n".join(lines) + "\n").encode()
    name = "app.log.1.gz" if packed else "app.log"
    return _both(host, tmp_path, name, gzip.compress(text) if packed else text, *args)


def _both(
    host: Any, tmp_path: Path, name: str, data: bytes, *args: str
) -> tuple[list[Any], list[Any]]:
    """Trace the same bytes as a file on the host and here: both records, parsed.

    The exit codes and stderr must be the same, the local path read as the
    remote origin; every remote record's origin is `host:/path`.
    """
    (host.log_dir / name).write_bytes(data)
    (tmp_path / name).write_bytes(data)
    origin = f"{host.alias}:{host.remote_dir}/{name}"
    remote = run("--ssh", origin, *args, "-o", "ndjson")
    local = run("--path", str(tmp_path / name), *args, "-o", "ndjson")
    said = local.stderr.replace(str(tmp_path / name), origin)
    assert (remote.exit_code, remote.stderr) == (local.exit_code, said)
    got = [json.loads(line) for line in remote.stdout.splitlines()]
    want = [json.loads(line) for line in local.stdout.splitlines()]
    assert {r["origin"] for r in got} <= {origin}
    return got, want


def _same(got: list[Any], want: list[Any]) -> list[tuple[int, str]]:
    assert [(r["line"], r["message"], r["fields"]) for r in got] == [
        (r["line"], r["message"], r["fields"]) for r in want
    ]
    return [(r["line"], r["message"]) for r in got]


@pytest.mark.parametrize("which", ["gnu", "busybox"])
@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gz"])
def test_a_continuation_hit_far_below_its_start_and_past_an_earlier_window(
    ssh_fleet: Any, tmp_path: Path, which: str, packed: bool
) -> None:
    # The id only on the last line of a trace whose first line is more lines
    # back than grep's window after an earlier hit (script.WINDOW_LINES): the
    # record comes whole, from its first line, as a local trace prints it.
    host = ssh_fleet.hosts[0] if which == "gnu" else ssh_fleet.busybox
    frames = [f'  File "p.py", line {i}, in f{i}' for i in range(300)]
    lines = [
        f"2026-03-20T14:09:59Z INFO pay: first request_id={RID}",  # 1
        *[f"2026-03-20T14:09:59Z INFO pay: filler {i}" for i in range(100)],
        "2026-03-20T14:10:00Z ERROR pay: boom",  # 102
        "Traceback (most recent call last):",
        *frames,
        f"ValueError: declined for request_id={RID}",  # 404
        "2026-03-20T14:10:01Z INFO pay: quiet request_id=z",
    ]

    got, want = _remote_and_local(host, tmp_path, lines, packed, RID)

    assert _same(got, want) == [
        (1, "pay: first"),
        (102, "\n".join(["pay: boom", *lines[102:404]])),
    ]


@pytest.mark.parametrize("which", ["gnu", "busybox"])
def test_only_the_record_whose_continuation_holds_the_id_is_printed(
    ssh_fleet: Any, tmp_path: Path, which: str
) -> None:
    # Traces in a row; the id or a decoy (`req-55h70`) only in their
    # continuation lines: a decoy pulls nothing in, the id its own record.
    host = ssh_fleet.hosts[0] if which == "gnu" else ssh_fleet.busybox
    lines = [
        "2026-03-20T14:10:00Z ERROR pay: first",  # 1
        "Traceback (most recent call last):",
        f"  caused by request_id={RID}0",  # a decoy only
        "ValueError: one",
        "2026-03-20T14:10:01Z ERROR pay: second",  # 5
        "Traceback (most recent call last):",
        f"  retried as request_id={RID}",
        "ValueError: two",
        "2026-03-20T14:10:02Z ERROR pay: third",  # 10
        f"Caused by: java.lang.IllegalStateException: request_id={RID}0",
        "\tat pay.Main.run(Main.java:1)",
        "2026-03-20T14:10:03Z INFO pay: quiet request_id=z",
    ]

    got, want = _remote_and_local(host, tmp_path, lines, False, RID)

    assert _same(got, want) == [(5, "\n".join(["pay: second", *lines[5:8]]))]


@pytest.mark.parametrize("which", ["gnu", "busybox"])
def test_a_hostile_id_on_a_continuation_line_is_searched_literally(
    ssh_fleet: Any, tmp_path: Path, which: str
) -> None:
    host = ssh_fleet.hosts[0] if which == "gnu" else ssh_fleet.busybox
    hostile = "'; touch ~/pwned #"
    lines = [
        "2026-03-20T14:10:00Z ERROR pay: boom",
        "Traceback (most recent call last):",
        f'  caused by request_id="{hostile}"',
        "ValueError: declined",
        "2026-03-20T14:10:01Z INFO pay: quiet",
    ]

    got, want = _remote_and_local(host, tmp_path, lines, False, f"request_id={hostile}")

    assert _same(got, want) == [(1, "\n".join(["pay: boom", *lines[1:4]]))]
    assert not (host.home / "pwned").exists()


def _counting_ssh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put an `ssh` on PATH that logs each command line, then runs the real one."""
    folder = tmp_path / "bin"
    folder.mkdir()
    log = tmp_path / "ssh.calls"
    wrapper = folder / "ssh"
    wrapper.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec /usr/bin/ssh "$@"\n'
    )
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return log


def test_a_hosts_files_are_read_in_one_session_each_failing_alone(
    ssh_fleet: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    web1 = ssh_fleet.hosts[0]
    remote = web1.remote_dir
    (web1.log_dir / "app.log").write_text(
        f"{record(3, 'plain-a')}\n{record(9, 'other', rid='x')}\n{record(6, 'plain-b')}\n"
    )
    (web1.log_dir / "app.log.1.gz").write_bytes(
        gzip.compress(f"{record(1, 'old')}\n{record(5, 'old-b')}\n".encode())
    )
    (web1.log_dir / "app.log.2.gz").write_bytes(
        gzip.compress(f"{record(2, 'cut')}\n{record(7, 'cut')}\n".encode())[:-6]
    )
    path = profile(
        tmp_path,
        f"""
        sources:
          app:
            type: ssh
            hosts: [web-1]
            paths: ['{remote}/app.log', '{remote}/app.log.1.gz', '{remote}/app.log.2.gz', '{remote}/gone.log']
            parser: json
        """,
    )
    calls = _counting_ssh(tmp_path, monkeypatch)

    result = run("-p", str(path), RID, "-o", "ndjson")

    assert result.exit_code == 3
    plain, old, cut = (f"web-1:{remote}/app.log{end}" for end in ("", ".1.gz", ".2.gz"))
    assert ndjson(result) == [
        ("14:10:01", old, 1, "old"),
        ("14:10:02", cut, 1, "cut"),
        ("14:10:03", plain, 1, "plain-a"),
        ("14:10:05", old, 2, "old-b"),
        ("14:10:06", plain, 3, "plain-b"),
        ("14:10:07", cut, 2, "cut"),
    ]
    assert result.stderr == (
        f"tracerun: warning: source app: web-1: {remote}/gone.log matches no file\n"
        f"tracerun: error: source app: {cut}: gzip: {remote}/app.log.2.gz: "
        "unexpected end of file\n"
        "  hint: records read before the problem were kept\n"
    )
    sessions = [
        c for c in calls.read_text().splitlines() if c.endswith("exec /bin/sh -s")
    ]
    assert len(sessions) == 2  # the discovery, then one search for the 3 files


def test_a_hostile_file_name_is_read_as_data(ssh_fleet: Any) -> None:
    web1 = ssh_fleet.hosts[0]
    name = "$(touch x);'a b'.log"
    (web1.log_dir / name).write_text(f"{record(4, 'hostile name')}\n")
    (web1.log_dir / "app.log").write_text(f"{record(2, 'plain')}\n")

    result = run("--ssh", f"web-1:{web1.remote_dir}/*.log", RID, "-o", "ndjson")

    assert result.exit_code == 0, result.stderr
    assert ndjson(result) == [
        ("14:10:02", f"web-1:{web1.remote_dir}/app.log", 1, "plain"),
        ("14:10:04", f"web-1:{web1.remote_dir}/{name}", 1, "hostile name"),
    ]
    assert result.stderr == ""
    made = [p for p in (web1.home, web1.log_dir) if (p / "x").exists()]
    assert made == []


@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gz"])
def test_a_utf8_bom_before_a_remote_files_first_line_is_no_part_of_its_record(
    either: Any, tmp_path: Path, packed: bool
) -> None:
    # Notepad, PowerShell 7's utf8BOM: the hit on line 1 came back as
    # EF BB BF {...}, which did not parse; the local scan skips the BOM.
    host = either
    text = f"{record(1, 'first')}\n{record(2, 'other', rid='z')}\n{record(3, 'last')}\n"
    data = b"\xef\xbb\xbf" + text.encode()
    name = "app.log.1.gz" if packed else "app.log"

    got, want = _both(
        host, tmp_path, name, gzip.compress(data) if packed else data, RID
    )

    assert _same(got, want) == [(1, "first"), (3, "last")]


def test_sources_reads_a_bom_files_first_line_as_for_a_local_file(
    ssh_fleet: Any, tmp_path: Path
) -> None:
    web1 = ssh_fleet.hosts[0]
    data = b"\xef\xbb\xbf" + f"{record(1, 'a')}\n{record(7, 'b')}\n".encode()
    (web1.log_dir / "app.log").write_bytes(data)
    (tmp_path / "app.log").write_bytes(data)

    remote = run("sources", "--ssh", f"web-1:{web1.remote_dir}/", "--check")
    local = run("sources", "--path", str(tmp_path / "app.log"), "--check")

    assert (remote.exit_code, local.exit_code) == (0, 0), remote.stderr
    shown = [line.split("B  ")[-1] for line in remote.stdout.splitlines()[1:]]
    assert shown == [line.split("B  ")[-1] for line in local.stdout.splitlines()[1:]]
    assert shown == [
        "2026-03-20T14:10:01.000Z → 2026-03-20T14:10:07.000Z",
        "    sample: 2 records: 2 (100%) parsed, 2 (100%) with a timestamp",
    ]


@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gz"])
def test_a_continuation_hit_far_more_than_128_kib_below_its_start_finds_it(
    either: Any, tmp_path: Path, packed: bool
) -> None:
    # 400 KiB of trace before the id: the host read back only 128 KiB and
    # the record was lost without a word; a local trace prints it whole. A
    # file opening with frames: line 1 starts its record, for both.
    host = either
    frames = [f'  File "p.py", line {i}, in f{i} ' + "x" * 100 for i in range(3000)]
    lines = [
        *frames[:300],
        f"  caused by request_id={RID}",  # 301
        "2026-03-20T14:10:00Z ERROR pay: boom",  # 302
        "Traceback (most recent call last):",
        *frames,
        f"ValueError: declined for request_id={RID}",  # 3304
        "2026-03-20T14:10:01Z INFO pay: quiet request_id=z",
    ]

    got, want = _remote_and_local(host, tmp_path, lines, packed, RID)

    found = _same(got, want)
    assert [(line, message.count("\n") + 1) for line, message in found] == [
        (1, 301),
        (302, 3003),
    ]


def test_a_continuation_hit_further_than_the_record_cap_below_its_start_is_told(
    ssh_fleet: Any,
) -> None:
    web1 = ssh_fleet.hosts[0]
    frames = [f"  frame {i} " + "x" * 100 for i in range(2**23 // 100)]
    lines = [
        "2026-03-20T14:10:00Z ERROR pay: boom",
        *frames,
        f"  caused by request_id={RID}",
        f"2026-03-20T14:10:01Z INFO pay: later request_id={RID}",
    ]
    (web1.log_dir / "app.log").write_text("\n".join(lines) + "\n")
    origin = f"web-1:{web1.remote_dir}/app.log"

    result = run("--ssh", origin, RID, "-o", "ndjson")

    assert result.exit_code == 3
    assert [(r[2], r[3]) for r in ndjson(result)] == [(len(lines), "pay: later")]
    assert result.stderr == (
        f"tracerun: error: {origin}:{len(lines) - 1}: a search value here continues "
        "a record that began more than 8 MiB before it; the record was not read "
        "(hint: a wrong multiline.start rule makes records this long)\n"
        "  hint: records of up to 8 MiB are read; look at that one with another tool\n"
    )


def _append_later(log: Path, text: str, seconds: float = 2.0) -> threading.Thread:
    """Append `text` to `log` in one write, `seconds` from now (a started thread)."""

    def write() -> None:
        time.sleep(seconds)
        with log.open("a") as file:
            file.write(text)

    writer = threading.Thread(target=write)
    writer.start()
    return writer


def _follow_both(host: Any, tmp_path: Path, history: str, live: str) -> list[Result]:
    """Follow the same file on the host and here while `live` is appended to it.

    Each follow runs 5 s; `live` is written 2 s in, in one write.
    """
    results = []
    for log in (host.log_dir / "app.log", tmp_path / "app.log"):
        log.write_text(history)
        writer = _append_later(log, live)
        where = (
            ("--ssh", f"{host.alias}:{host.remote_dir}/app.log")
            if log.parent == host.log_dir
            else ("--path", str(log))
        )
        follow = ("-f", "--timeout", "5s", "--reorder-window", "0", "-o", "ndjson")
        results.append(run(*where, RID, *follow))
        writer.join()
    return results


def test_follow_over_ssh_prints_a_live_record_whose_id_is_300_lines_below_its_start(
    either: Any, tmp_path: Path
) -> None:
    # The host's follow kept only the 256 lines before a hit (grep's -B in
    # the one-shot): the trace's start was not among them and the record was
    # lost without a word; a local `--path -f` prints it whole.
    host = either
    trace = [
        "2026-03-20T14:10:01Z ERROR pay: boom",
        "Traceback (most recent call last):",
        *(f'  File "p.py", line {i}, in f{i}' for i in range(300)),
        f"ValueError: declined for request_id={RID}",
        "2026-03-20T14:10:02Z INFO pay: quiet",
    ]
    history = f"2026-03-20T14:10:00Z INFO pay: history request_id={RID}\n"

    remote, local = _follow_both(host, tmp_path, history, "\n".join(trace) + "\n")

    assert (remote.exit_code, remote.stderr) == (local.exit_code, local.stderr)
    got = [json.loads(line) for line in remote.stdout.splitlines()]
    want = [json.loads(line) for line in local.stdout.splitlines()]
    assert _same(got, want) == [
        (1, "pay: history"),
        (2, "\n".join(["pay: boom", *trace[1:303]])),
    ]
    assert {r["origin"] for r in got} == {f"{host.alias}:{host.remote_dir}/app.log"}


def test_follow_over_ssh_tells_a_live_hit_further_than_8_mib_below_its_start(
    ssh_fleet: Any,
) -> None:
    web1 = ssh_fleet.hosts[0]
    log = web1.log_dir / "app.log"
    log.write_text(f"2026-03-20T14:10:00Z INFO pay: history request_id={RID}\n")
    frames = "".join(f"  frame {i:07} {'x' * 84}\n" for i in range(2**23 // 100 + 1))

    live = (
        f"2026-03-20T14:10:01Z ERROR pay: boom\n{frames}  caused by request_id={RID}\n"
    )
    writer = _append_later(log, live)
    origin = f"web-1:{web1.remote_dir}/app.log"
    result = run(
        "--ssh", origin, RID, "-f", "--timeout", "6s", "--reorder-window", "0",
        "-o", "ndjson",
    )  # fmt: skip
    writer.join()

    assert [(r[2], r[3]) for r in ndjson(result)] == [(1, "pay: history")]
    hit = 2**23 // 100 + 4
    assert result.stderr == (
        f"tracerun: warning: {origin}:{hit}: a search value here continues a record "
        "that began more than 8 MiB before it; the record was not read (hint: a "
        "wrong multiline.start rule makes records this long)\n"
    )


def _powershell_log(end: str = "\r\n") -> str:
    """A log as Windows PowerShell writes it: CRLF, non-ASCII, a stack trace.

    The id is on a trace's continuation line, and on the last line, which
    has no line end.
    """
    lines = [
        f"2026-03-20T14:10:01Z INFO Zürich: start request_id={RID}",
        "2026-03-20T14:10:02Z INFO other request_id=z ✓",
        "2026-03-20T14:10:03Z ERROR pay: boom",
        "System.InvalidOperationException: declined",
        f"   at Pay.Run() for request_id={RID} ✗",
        f"2026-03-20T14:10:04Z INFO decoy request_id={RID}0",
        f"2026-03-20T14:10:05Z INFO end request_id={RID}",
    ]
    return end.join(lines)


_TRACE = f"   at Pay.Run() for request_id={RID} ✗"
_POWERSHELL_RECORDS = [
    (1, "Zürich: start"),
    (3, f"pay: boom\nSystem.InvalidOperationException: declined\n{_TRACE}"),
    (7, "end"),
]


@pytest.mark.parametrize(
    ("bom", "encoding", "packed"),
    [
        (b"\xff\xfe", "utf-16-le", False),
        (b"\xfe\xff", "utf-16-be", False),
        (b"\xff\xfe", "utf-16-le", True),
    ],
    ids=["utf-16-le", "utf-16-be", "utf-16-le.gz"],
)
def test_a_utf16_file_on_a_host_gives_a_local_traces_records(
    either: Any, tmp_path: Path, bom: bytes, encoding: str, packed: bool
) -> None:
    # PowerShell 5.1's Out-File: the host's grep -F matched none of its
    # bytes, and every record was lost without a word.
    data = bom + _powershell_log().encode(encoding)
    name = "app.log.1.gz" if packed else "app.log"

    got, want = _both(
        either, tmp_path, name, gzip.compress(data) if packed else data, RID
    )

    assert _same(got, want) == _POWERSHELL_RECORDS


def test_a_file_whose_lines_end_in_lone_crs_gives_a_local_traces_records(
    either: Any, tmp_path: Path
) -> None:
    # Old Mac OS line ends: grep saw one line, and only the first record came.
    data = _powershell_log("\r").encode()

    got, want = _both(either, tmp_path, "app.log", data, RID)

    assert _same(got, want) == _POWERSHELL_RECORDS


def test_ff_fe_before_utf8_text_on_a_host_is_read_as_the_local_file_is(
    ssh_fleet: Any, tmp_path: Path
) -> None:
    # A binary blob's first bytes, then UTF-8 lines: sent whole, it is not
    # taken for UTF-16 (read/utf16.py's test), and its records are found.
    data = b"\xff\xfe\x00garbage\x00\n" + _powershell_log("\n").encode()

    got, want = _both(ssh_fleet.hosts[0], tmp_path, "app.log", data, RID)

    assert _same(got, want) == [(n + 1, message) for n, message in _POWERSHELL_RECORDS]


@pytest.mark.parametrize("end", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gz"])
def test_a_hit_on_a_last_line_without_a_line_end_is_a_local_traces_record(
    either: Any, tmp_path: Path, end: str, packed: bool
) -> None:
    data = _powershell_log(end).encode()
    name = "app.log.1.gz" if packed else "app.log"

    got, want = _both(
        either, tmp_path, name, gzip.compress(data) if packed else data, RID
    )

    assert _same(got, want) == _POWERSHELL_RECORDS


def test_a_utf16_file_last_written_before_since_is_not_read(
    ssh_fleet: Any,
) -> None:
    # The mtime pruning holds for a file sent whole: the old file is not
    # read (its record, a lie about its age, is not printed).
    web1 = ssh_fleet.hosts[0]
    for name, second in (("old.log", 1), ("new.log", 2)):
        line = f"2026-03-20T14:10:0{second}Z INFO {name} request_id={RID}\r\n"
        (web1.log_dir / name).write_bytes(b"\xff\xfe" + line.encode("utf-16-le"))
    old = 1_773_878_400  # 2026-03-19T00:00:00Z
    os.utime(web1.log_dir / "old.log", (old, old))

    result = run(
        "--ssh", f"web-1:{web1.remote_dir}/*.log", RID, "--since",
        "2026-03-20T14:00:00Z", "-o", "ndjson",
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    assert ndjson(result) == [
        ("14:10:02", f"web-1:{web1.remote_dir}/new.log", 1, "new.log")
    ]


def test_a_utf16_file_costs_about_its_compressed_size_on_the_wire(
    ssh_fleet: Any,
) -> None:
    # 20,000 PowerShell lines (2.2 MB as UTF-16), sent whole: gzip -1, then
    # base64 (script.py _WHOLE). What came back is counted by the read.
    web1 = ssh_fleet.hosts[0]
    text = "".join(
        f"2026-03-20T14:{i // 600 % 60:02d}:{i // 10 % 60:02d}Z INFO worker {i % 7}: "
        f"step {i} done request_id=req-{i % 500}\r\n"
        for i in range(20_000)
    )
    data = b"\xff\xfe" + text.encode("utf-16-le")
    (web1.log_dir / "app.log").write_bytes(data)
    squeezed = len(gzip.compress(data, compresslevel=1))
    source = SshSourceConfig(
        type="ssh", hosts=["web-1"], paths=[f"{web1.remote_dir}/app.log"]
    )
    plan = build_plan(to_spec(Profile(version=1, sources={"app": source})))
    query = Query(terms=(Term(None, "req-42"),), keys=("request_id",))

    with runs.spill_directory():
        result = SshSource().read(plan.targets[0], query)
        lines = [r.line for r in records_of(result)]

    assert result.failure is None
    assert lines == list(range(43, 20_001, 500))
    assert squeezed < result.bytes_read < squeezed * 4 / 3 * 1.02 + 100
    assert result.bytes_read < len(data) / 8


def test_follow_over_ssh_prints_a_utf16_files_history_and_says_it_is_not_followed(
    ssh_fleet: Any,
) -> None:
    # `tail -F | awk` on the host sees UTF-16's bytes, not its text: the file
    # is read once (as a one-shot trace reads it), and the follow says so.
    web1 = ssh_fleet.hosts[0]
    log = web1.log_dir / "app.log"
    log.write_bytes(b"\xff\xfe" + _powershell_log().encode("utf-16-le"))
    (web1.log_dir / "plain.log").write_text(f"{record(1, 'plain history')}\n")

    writer = _append_later(web1.log_dir / "plain.log", f"{record(9, 'plain live')}\n")
    result = run(
        "--ssh", f"web-1:{web1.remote_dir}/*.log", RID, "-f", "--timeout", "4s",
        "--reorder-window", "0", "-o", "ndjson",
    )  # fmt: skip
    writer.join()

    where = f"web-1:{web1.remote_dir}"
    assert sorted(ndjson(result)) == [
        ("14:10:01", f"{where}/app.log", 1, "Zürich: start"),
        ("14:10:01", f"{where}/plain.log", 1, "plain history"),
        ("14:10:03", f"{where}/app.log", 3, _POWERSHELL_RECORDS[1][1]),
        ("14:10:05", f"{where}/app.log", 7, "end"),
        ("14:10:09", f"{where}/plain.log", 2, "plain live"),
    ]
    assert result.stderr == (
        f"tracerun: warning: source logs: {where}/app.log: UTF-16 text is not "
        "followed over ssh; only its records up to now are printed; follow it on "
        "its host (tracerun --path FILE -f), or have it written as UTF-8 with LF "
        "or CRLF line ends\n"
    )


def test_a_damaged_utf16_archive_on_a_host_keeps_the_records_before_the_damage(
    ssh_fleet: Any, tmp_path: Path
) -> None:
    web1 = ssh_fleet.hosts[0]
    text = "".join(
        f"2026-03-20T14:10:{i % 60:02d}Z INFO step {i} request_id={RID}\r\n"
        for i in range(3000)
    )
    data = gzip.compress(b"\xff\xfe" + text.encode("utf-16-le"))[:-2000]
    (web1.log_dir / "app.log.1.gz").write_bytes(data)
    (tmp_path / "app.log.1.gz").write_bytes(data)
    origin = f"web-1:{web1.remote_dir}/app.log.1.gz"

    remote = run("--ssh", origin, RID, "-o", "ndjson")
    local = run("--path", str(tmp_path / "app.log.1.gz"), RID, "-o", "ndjson")

    assert (remote.exit_code, local.exit_code) == (3, 3)
    got = [r[2] for r in ndjson(remote)]
    assert got == [r[2] for r in ndjson(local)]
    assert 2000 < len(got) < 3000
    assert remote.stderr == (
        f"tracerun: error: source app: {origin}: gzip: {web1.remote_dir}/"
        "app.log.1.gz: unexpected end of file\n"
        "  hint: records read before the problem were kept\n"
    )


def test_default_formats_of_other_programs_are_read_over_ssh_as_locally(
    ssh_fleet: Any,
) -> None:
    # The host's awk keeps the hits read/bounds.py keeps (an OTLP attribute,
    # Lambda's id after its time, a HAProxy capture), and the remote file's
    # mtime dates logback's times of day.
    web1 = ssh_fleet.hosts[0]
    lambda_id = "8f5e1c2a-3b4d-4e6f-8a9b-0c1d2e3f4a5b"
    (web1.log_dir / "otel.log").write_text(
        '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":'
        '"1774015801000000000","severityText":"INFO","body":{"stringValue":"otel"},'
        f'"attributes":[{{"key":"request_id","value":{{"stringValue":"{lambda_id}"'
        '}}]},{"timeUnixNano":"1774015801500000000","body":{"stringValue":"other"},'
        '"attributes":[]}]}]}]}\n'
    )
    (web1.log_dir / "lambda.log").write_text(
        f"2026-03-20T14:10:02.000Z\t{lambda_id}\tWARN\tlambda\n"
        f"END RequestId: {lambda_id}\n"  # no time: the one before it
    )
    logback = web1.log_dir / "logback.log"
    logback.write_text(f"14:10:03.000 [main] ERROR c.e.App - logback rid={lambda_id}\n")
    written = 1_774_015_860  # 2026-03-20T14:11:00Z
    os.utime(logback, (written, written))
    (web1.log_dir / "haproxy.log").write_text(
        "10.0.1.2:33317 [20/Mar/2026:14:10:04.655] http-in static/srv1 "
        f"10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {{{lambda_id}|curl/8.5.0}} "
        '"GET /index.html HTTP/1.1"\n'
    )
    remote = web1.remote_dir

    result = run("--ssh", f"web-1:{remote}/", lambda_id, "-o", "ndjson")

    assert result.exit_code == 0, result.stderr
    assert ndjson(result) == [
        ("14:10:01", f"web-1:{remote}/otel.log", 1, "otel"),
        ("14:10:02", f"web-1:{remote}/lambda.log", 1, "lambda"),
        ("14:10:02", f"web-1:{remote}/lambda.log", 2, f"END RequestId: {lambda_id}"),
        ("14:10:03", f"web-1:{remote}/logback.log", 1, "logback"),
    ]
    haproxy = run(
        "--ssh",
        f"web-1:{remote}/",
        f"captured_request_headers={lambda_id}",
        "-o",
        "ndjson",
    )
    assert ndjson(haproxy) == [
        ("14:10:04", f"web-1:{remote}/haproxy.log", 1, "GET /index.html HTTP/1.1"),
    ]
