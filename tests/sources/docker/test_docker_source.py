"""Docker source against a real engine: containers print known lines, traced with files.

The containers run the test image (see tests/helpers/engine.py) with unique names
and labels, so that other test sessions on the same engine never get in the way.
Engine timestamps are read back independently (`docker logs --timestamps`, via
the helpers) to state the exact expected timeline.
"""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import uuid
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from helpers.engine import ContainerFactory, log_lines, wait_for_output
from helpers.probe import run_and_check_import, run_with_peak
from helpers.timeline import records_of

from tracerun.cli import cli
from tracerun.config import spec
from tracerun.config.model import DockerSourceConfig, Profile, to_spec
from tracerun.errors import SourceFailure
from tracerun.extract import build_parser
from tracerun.origin import Origin
from tracerun.query import Query, Term
from tracerun.read.runs import SPILL_AT, spill_directory
from tracerun.read.scan import Hit
from tracerun.read.target import Target
from tracerun.sources import SOURCES, get_source
from tracerun.sources.docker import logs as docker_logs
from tracerun.sources.docker.logs import engine_window, record_start_rule
from tracerun.sources.docker.select import describe
from tracerun.sources.docker.source import DockerSource
from tracerun.sources.docker.stamps import content, unstamp
from tracerun.trace.plan import build_plan
from tracerun.trace.runner import run as run_plan

RID = "req-7d41"
ENGINE = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
IMAGE = "tracerun-test/busybox:latest"


def say(line: str, *, stderr: bool = False) -> str:
    """Shell code printing `line` exactly (to stderr if asked)."""
    quoted = "'" + line.replace("'", "'\\''") + "'"
    return f"printf '%s\\n' {quoted}" + (" >&2" if stderr else "")


def script(*lines: str, then: str = "exec sleep 300") -> str:
    return "; ".join([*lines, then])


def iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def us_text(engine_ts: str) -> str:
    """An engine timestamp (ns, trailing zeros trimmed) as ndjson shows it (µs)."""
    main, _, frac = engine_ts.removesuffix("Z").partition(".")
    return f"{main}.{(frac + '000000')[:6]}Z"


def ms_text(engine_ts: str) -> str:
    """An engine timestamp as the text output shows it (ms, truncated)."""
    return us_text(engine_ts)[:23] + "Z"


def engine_times(container: Any) -> dict[str, str]:
    """Each log line of a container (both streams) → its engine timestamp."""
    both = log_lines(container, stdout=True, stderr=True)
    return {line: ts for ts, line in both}


def line_numbers(container: Any) -> dict[str, int]:
    both = log_lines(container, stdout=True, stderr=True)
    return {line: number for number, (_, line) in enumerate(both, 1)}


def write_profile(root: Path, text: str) -> Path:
    path = root / "profile.yaml"
    path.write_text(text)
    return path


def trace(*args: str, env: dict[str, str] | None = None) -> Result:
    base = {"NO_COLOR": "", "FORCE_COLOR": "", "TRACERUN_PROFILE": ""}
    return CliRunner().invoke(cli, list(args), env={**base, **(env or {})})


def summary(result: Result) -> list[tuple[Any, ...]]:
    """(time, source, origin, line, level, message) of each ndjson record."""
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    keys = ("time", "source", "origin", "line", "level", "message")
    return [tuple(r[k] for k in keys) for r in rows]


@pytest.fixture
def tag() -> str:
    """A label value unique to this test, so selectors see only its containers."""
    return f"t{uuid.uuid4().hex[:8]}"


# --- a compose-like stack plus a file, traced end to end -----------------------


@pytest.fixture
def shop(containers: ContainerFactory, tag: str, tmp_path: Path) -> dict[str, Any]:
    """orders (no TTY, stdout+stderr) and inventory (TTY) of compose project `tag`."""
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    t = [iso(base + timedelta(seconds=k)) for k in range(5)]
    future = iso(base + timedelta(hours=2))
    lines = {
        "received": json.dumps(
            {"ts": t[1], "level": "info", "msg": "order received", "request_id": RID},
            separators=(",", ":"),
        ),
        "other": json.dumps({"ts": t[1], "msg": "other", "request_id": "req-2"}),
        "mention": json.dumps({"ts": t[1], "msg": f"see {RID}", "request_id": "x"}),
        "charging": f"charging card request_id={RID}",
        "slow": f'ts={t[3]} level=warn msg="payment slow" request_id={RID}',
        "failed": f"{t[4]} ERROR payment failed request_id={RID}",
        "trace": "Traceback (most recent call last):",
        "frame": '  File "pay.py", line 3, in charge',
        "error": "TimeoutError: provider did not answer",
        "reserved": f"{t[2]} INFO reserved stock request_id={RID}",
        "low": f"stock low request_id={RID}",
    }
    labels = {"com.docker.compose.project": tag}
    orders = containers(
        "orders",
        script(
            say(lines["received"]),
            say(lines["other"]),
            say(lines["mention"]),
            say(lines["charging"]),
            # The engine copies stdout and stderr concurrently: let stdout's
            # lines land first, so that none can fall inside the stack trace.
            "sleep 0.2",
            say(lines["slow"], stderr=True),
            say(lines["failed"], stderr=True),
            say(lines["trace"], stderr=True),
            say(lines["frame"], stderr=True),
            say(lines["error"], stderr=True),
        ),
        labels={**labels, "com.docker.compose.service": "orders"},
    )
    inventory = containers(
        "inventory",
        script(say(lines["reserved"]), say(lines["low"], stderr=True)),
        tty=True,
        labels={**labels, "com.docker.compose.service": "inventory"},
    )
    wait_for_output(orders, "provider did not answer")
    wait_for_output(inventory, "stock low")
    edge = tmp_path / "edge.log"
    edge.write_text(
        f"{t[0]} INFO POST /api/orders request_id={RID}\n"
        f"{t[0]} INFO GET / request_id=req-2\n"
        f"{future} INFO 201 sent request_id={RID}\n"
    )
    profile = write_profile(
        tmp_path,
        f"""\
version: 1
sources:
  edge: {{type: file, paths: [edge.log]}}
  orders: {{type: docker, compose: {{project: {tag}, service: orders}}}}
  inventory:
    type: docker
    labels:
      com.docker.compose.project: {tag}
      com.docker.compose.service: inventory
""",
    )
    return {
        "t": t,
        "future": future,
        "lines": lines,
        "orders": orders,
        "inventory": inventory,
        "profile": str(profile),
        "edge": str(edge),
    }


def expected_shop(shop: dict[str, Any]) -> list[tuple[Any, ...]]:
    t, lines = shop["t"], shop["lines"]
    orders, inventory = shop["orders"], shop["inventory"]
    o_times, i_times = engine_times(orders), engine_times(inventory)
    o_line, i_line = line_numbers(orders), line_numbers(inventory)
    us = [us_text(x) for x in t]
    traceback = "\n".join(
        ["payment failed", lines["trace"], lines["frame"], lines["error"]]
    )
    rows = [
        (us[0], "edge", shop["edge"], 1, "info", "POST /api/orders"),
        (
            us[1],
            "orders",
            orders.name,
            o_line[lines["received"]],
            "info",
            "order received",
        ),
        (us[2], "inventory", inventory.name, 1, "info", "reserved stock"),
        (us[3], "orders", orders.name, o_line[lines["slow"]], "warn", "payment slow"),
        (us[4], "orders", orders.name, o_line[lines["failed"]], "error", traceback),
        (
            us_text(o_times[lines["charging"]]),
            "orders",
            orders.name,
            o_line[lines["charging"]],
            "",
            "charging card",
        ),
        (
            us_text(i_times[lines["low"]]),
            "inventory",
            inventory.name,
            i_line[lines["low"]],
            "",
            "stock low",
        ),
        (us_text(shop["future"]), "edge", shop["edge"], 3, "info", "201 sent"),
    ]
    return sorted(rows, key=lambda row: (row[0], row[1] != "edge", row[1], row[3]))


@pytest.mark.docker
def test_containers_and_a_file_merge_into_one_timeline(shop: dict[str, Any]) -> None:
    result = trace("-p", shop["profile"], RID, "-o", "ndjson")

    assert result.exit_code == 0, result.stderr
    assert summary(result) == expected_shop(shop)
    assert result.stderr == ""


@pytest.mark.docker
def test_text_timeline_has_engine_times_and_no_frame_bytes(
    shop: dict[str, Any],
) -> None:
    result = trace("-p", shop["profile"], RID, "--color", "never")

    assert result.exit_code == 0, result.stderr
    t = [x[:23] + "Z" for x in shop["t"]]
    o_times = engine_times(shop["orders"])
    i_times = engine_times(shop["inventory"])
    lines = shop["lines"]
    rid = f"request_id={RID}"
    expected = {
        t[0]: [f"{t[0]} edge      INFO  POST /api/orders {rid}"],
        t[1]: [f"{t[1]} orders    INFO  order received {rid}"],
        t[2]: [f"{t[2]} inventory INFO  reserved stock {rid}"],
        t[3]: [f"{t[3]} orders    WARN  payment slow {rid}"],
        t[4]: [
            f"{t[4]} orders    ERROR payment failed {rid}",
            f"    {lines['trace']}",
            f"    {lines['frame']}",
            f"    {lines['error']}",
        ],
    }
    charging = ms_text(o_times[lines["charging"]])
    low = ms_text(i_times[lines["low"]])
    engine_lines = sorted(
        [
            (
                o_times[lines["charging"]],
                f"{charging} orders    -     charging card {rid}",
            ),
            (i_times[lines["low"]], f"{low} inventory -     stock low {rid}"),
        ]
    )
    future = shop["future"][:23] + "Z"
    assert result.stdout.splitlines() == [
        *(line for key in sorted(expected) for line in expected[key]),
        *(line for _, line in engine_lines),
        f"{future} edge      INFO  201 sent {rid}",
    ]
    assert "\r" not in result.stdout
    assert "\x01" not in result.stdout
    assert "\x02" not in result.stdout


@pytest.mark.docker
def test_sources_lists_each_container_with_state_image_and_start(
    containers: ContainerFactory, tag: str, tmp_path: Path
) -> None:
    up = containers("up", script(say("hi")), labels={"org.tracerun.test.tag": tag})
    gone = containers(
        "gone", "exit 3", wait_exit=True, labels={"org.tracerun.test.tag": tag}
    )
    profile = write_profile(
        tmp_path,
        f"""\
version: 1
sources:
  running: {{type: docker, labels: ['org.tracerun.test.tag={tag}']}}
  everything: {{type: docker, labels: ['org.tracerun.test.tag={tag}'], stopped: true}}
""",
    )
    up.reload()
    gone.reload()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        result = trace("sources", "-p", str(profile))
        gc.collect()

    assert result.exit_code == 0, result.stderr
    leaks = [str(w.message) for w in caught if w.category is ResourceWarning]
    assert leaks == [], "`tracerun sources` left engine connections open"
    started = {
        c.name: c.attrs["State"]["StartedAt"].split(".")[0] + "Z" for c in (up, gone)
    }
    rows = [line.strip().split("  ") for line in result.stdout.splitlines()]
    # The cells after the start time (time coverage) are peek.py's, tested there.
    rows = [[cell.strip() for cell in row if cell.strip()][:5] for row in rows]
    up_row = [up.name, "?", "running", IMAGE, f"started {started[up.name]}"]
    gone_row = [gone.name, "?", "exited (3)", IMAGE, f"started {started[gone.name]}"]
    assert rows == [
        ["running (docker, parser auto): 1 origin"],
        up_row,
        ["everything (docker, parser auto): 2 origins"],
        *sorted([up_row, gone_row]),
    ]
    assert result.stderr == ""


# --- selection: stopped containers, streams, globs, ad hoc ----------------------


@pytest.mark.docker
def test_exited_container_is_read_only_with_stopped_true(
    containers: ContainerFactory, tmp_path: Path
) -> None:
    line = f"order replaced request_id={RID}"
    gone = containers("replaced", script(say(line), then="exit 0"), wait_exit=True)
    ts = engine_times(gone)[line]
    for stopped in ("false", "true"):
        (tmp_path / stopped).mkdir()
        write_profile(
            tmp_path / stopped,
            f"version: 1\nsources:\n  orders: {{type: docker, "
            f"containers: ['{gone.name}'], stopped: {stopped}}}\n",
        )

    skipped = trace("-p", str(tmp_path / "false" / "profile.yaml"), RID)
    read = trace("-p", str(tmp_path / "true" / "profile.yaml"), RID, "-o", "ndjson")

    assert (skipped.exit_code, skipped.stdout) == (1, "")
    assert skipped.stderr == (
        f"tracerun: warning: source orders: no running container matches "
        f"'{gone.name}' on {ENGINE} (add stopped: true to include exited ones)\n"
    )
    assert read.exit_code == 0, read.stderr
    assert summary(read) == [
        (us_text(ts), "orders", gone.name, 1, "", "order replaced")
    ]
    assert read.stderr == ""


@pytest.mark.docker
def test_streams_globs_and_list_labels_select_what_is_read(
    containers: ContainerFactory, tag: str, tmp_path: Path
) -> None:
    labels = {"org.tracerun.test.tag": tag, "tier": "back"}
    out_line = f"to stdout request_id={RID}"
    err_line = f"to stderr request_id={RID}"
    body = script(say(out_line), say(err_line, stderr=True))
    a = containers(f"{tag}-pay-a", body, labels=labels)
    containers(f"{tag}-pay-b", body, labels={"org.tracerun.test.tag": tag})
    containers(f"{tag}-ship", body, labels=labels)
    wait_for_output(a, "to stderr")
    profile = write_profile(
        tmp_path,
        f"""\
version: 1
sources:
  pay:
    type: docker
    containers: ['tracerun-test-{tag}-pay-*', 'tracerun-test-{tag}-nope-*']
    labels: ['org.tracerun.test.tag={tag}', 'tier=back']
    streams: [stderr]
""",
    )

    result = trace("-p", str(profile), RID, "-o", "ndjson")

    assert result.exit_code == 0, result.stderr
    ts = engine_times(a)[err_line]
    assert summary(result) == [(us_text(ts), "pay", a.name, 1, "", "to stderr")]
    assert result.stderr == (
        "tracerun: warning: source pay: no running container with labels "
        f"org.tracerun.test.tag={tag}, tier=back matches "
        f"'tracerun-test-{tag}-nope-*' on {ENGINE} (add stopped: true to include "
        "exited ones)\n"
    )


@pytest.mark.docker
def test_adhoc_docker_option_names_a_source_per_container(
    containers: ContainerFactory, tag: str, tmp_path: Path
) -> None:
    first = f"one request_id={RID}"
    second = f'{{"msg":"two","request_id":"{RID}"}}'
    a = containers(f"{tag}-a", script(say(first), then="exit 0"), wait_exit=True)
    b = containers(f"{tag}-b", script(say(second)))
    wait_for_output(b, "two")
    edge = tmp_path / "edge.log"
    edge.write_text(f"2026-03-20T14:10:00Z INFO edge request_id={RID}\n")

    result = trace(
        "--docker",
        f"tracerun-test-{tag}-*",
        "--docker",
        "tracerun-test-nothing-*",
        "--path",
        str(edge),
        RID,
        "--color",
        "never",
    )

    assert result.exit_code == 0, result.stderr
    ta, tb = engine_times(a)[first], engine_times(b)[second]
    width = len(a.name)
    rid = f"request_id={RID}"
    engine_lines = sorted(
        [
            (ta, f"{ms_text(ta)} {a.name} -     one {rid}"),
            (tb, f"{ms_text(tb)} {b.name} -     two {rid}"),
        ]
    )
    assert result.stdout.splitlines() == [
        f"2026-03-20T14:10:00.000Z {'edge'.ljust(width)} INFO  edge {rid}",
        *(line for _, line in engine_lines),
    ]
    assert result.stderr == (
        "tracerun: warning: source tracerun-test-nothing-*: no container matches "
        f"'tracerun-test-nothing-*' on {ENGINE}\n"
    )


@pytest.mark.docker
def test_since_is_passed_to_the_engine(
    containers: ContainerFactory, tmp_path: Path
) -> None:
    # The first line's own time is inside the window, its engine time is not:
    # only an engine that applied --since leaves it out.
    inside = iso(datetime.now(UTC) + timedelta(hours=1))
    early = json.dumps({"ts": inside, "msg": "early", "request_id": RID})
    late = f"late request_id={RID}"
    c = containers(
        "window",
        script(say(early), "sleep 0.3", say(late), then="exit 0"),
        wait_exit=True,
    )
    times = engine_times(c)
    cut = datetime.fromisoformat(us_text(times[early])) + timedelta(seconds=0.15)
    profile = write_profile(
        tmp_path,
        f"version: 1\nsources:\n  w: {{type: docker, containers: ['{c.name}'], "
        "stopped: true}\n",
    )

    result = trace("-p", str(profile), RID, "-o", "ndjson", "--since", cut.isoformat())

    assert result.exit_code == 0, result.stderr
    assert summary(result) == [(us_text(times[late]), "w", c.name, 1, "", "late")]


@pytest.mark.docker
def test_containers_are_read_concurrently(
    containers: ContainerFactory, tag: str, monkeypatch: pytest.MonkeyPatch
) -> None:

    count = 4
    made = [
        containers(f"{tag}-c{i}", script(say(f"n{i} request_id={RID}"), then="exit 0"))
        for i in range(count)
    ]
    for c in made:
        c.wait(timeout=30)
    # Every read waits until all of them are in flight: sequential reads would
    # break the barrier (after its timeout) instead of passing it.
    barrier = threading.Barrier(count, timeout=10)
    real_open = docker_logs._log_stream

    def open_together(origin: Origin, query: Query) -> Any:
        barrier.wait()
        return real_open(origin, query)

    monkeypatch.setattr(docker_logs, "_log_stream", open_together)
    profile = to_spec(
        Profile.model_validate(
            {
                "version": 1,
                "sources": {
                    "all": {
                        "type": "docker",
                        "containers": [f"tracerun-test-{tag}-c*"],
                        "stopped": True,
                    }
                },
            }
        )
    )

    result = run_plan(
        build_plan(profile), Query(terms=(Term(None, RID),), keys=("request_id",))
    )

    assert sorted(r.message for r in result.records) == [f"n{i}" for i in range(count)]
    assert result.failures == []


@pytest.mark.docker
def test_line_longer_than_the_engines_16k_pieces_is_read_whole(
    containers: ContainerFactory, tmp_path: Path
) -> None:
    # The engine stores it as two pieces, the second with its own timestamp.
    awk = (
        'BEGIN { s = ""; for (i = 0; i < 20000; i++) s = s "x"; '
        'printf "{\\"request_id\\":\\"%s\\",\\"pad\\":\\"%s\\"}\\n", id, s }'
    )
    c = containers("long", f"awk -v id={RID} '{awk}'; {say('after')}", wait_exit=True)
    profile = write_profile(
        tmp_path,
        f"version: 1\nsources:\n  w: {{type: docker, containers: ['{c.name}'], "
        "stopped: true}\n",
    )

    result = trace("-p", str(profile), RID, "-o", "ndjson")

    assert result.exit_code == 0, result.stderr
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["fields"] == {"request_id": RID, "pad": "x" * 20000}
    assert result.stderr == ""


@pytest.mark.docker
def test_a_40k_json_line_with_the_id_at_its_end_is_one_record_by_docker_and_by_path(
    containers: ContainerFactory, tmp_path: Path
) -> None:
    # json-file keeps it as three entries whose "log" ends in \n only in the last
    # (moby daemon/logger/jsonfilelog: a 16 KiB buffer per entry).
    line = json.dumps({"msg": "y" * 40000, "request_id": RID})
    c = containers(
        "long40", 'printf "%s\\n" "$LINE"', environment={"LINE": line}, wait_exit=True
    )
    copy = tmp_path / "c-json.log"  # the engine's file, as a --path would read it
    shutil.copyfile(c.attrs["LogPath"], copy)
    assert copy.read_text().count("\n") == 3

    by_docker = trace("--docker", c.name, RID, "-o", "ndjson")
    by_path = trace("--path", str(copy), RID, "-o", "ndjson")

    for result in (by_docker, by_path):
        assert result.exit_code == 0, result.stderr
        [record] = [json.loads(line) for line in result.stdout.splitlines()]
        assert (record["line"], record["message"], record["fields"]["request_id"]) == (
            1,
            "y" * 40000,
            RID,
        )
        assert result.stderr == ""


# --- failures -------------------------------------------------------------------


def failing_profile(tmp_path: Path, docker_extra: str = "") -> Path:
    (tmp_path / "edge.log").write_text(
        f"2026-03-20T14:10:00Z INFO edge request_id={RID}\n"
    )
    return write_profile(
        tmp_path,
        "version: 1\nsources:\n  edge: {type: file, paths: [edge.log]}\n"
        f"  orders: {{type: docker, containers: [shop-orders-*]{docker_extra}}}\n",
    )


def test_unreachable_engine_in_profile_is_a_failure_and_files_still_print(
    tmp_path: Path,
) -> None:
    profile = failing_profile(tmp_path, ", host: 'unix:///nonexistent/docker.sock'")

    result = trace("-p", str(profile), RID, "--color", "never")

    assert result.exit_code == 3
    assert (
        result.stdout
        == f"2026-03-20T14:10:00.000Z edge   INFO  edge request_id={RID}\n"
    )
    assert result.stderr == (
        "tracerun: error: source orders: cannot reach the Docker engine at "
        "unix:///nonexistent/docker.sock: no such socket\n"
        "  hint: is the engine running, and is sources.orders.host right? "
        "try: docker -H unix:///nonexistent/docker.sock info\n"
    )


@pytest.mark.parametrize(
    ("docker_host", "hint"),
    [
        (
            "unix:///nonexistent/docker.sock",
            "is the engine running, and is DOCKER_HOST right? try: docker info",
        ),
        (
            "",
            (
                "is the engine running? DOCKER_HOST is not set, so the default "
                "socket was tried; set DOCKER_HOST (or the source's host:) to your "
                "engine's URL"
            ),
        ),
    ],
)
def test_unreachable_engine_from_environment_names_docker_host(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, docker_host: str, hint: str
) -> None:
    if not docker_host and Path("/var/run/docker.sock").exists():
        pytest.skip("this machine has an engine on the default socket")
    if docker_host:
        monkeypatch.setenv("DOCKER_HOST", docker_host)
    else:
        monkeypatch.delenv("DOCKER_HOST", raising=False)
    profile = failing_profile(tmp_path)

    result = trace("-p", str(profile), RID, "-o", "ndjson")

    assert result.exit_code == 3
    assert [row[1] for row in summary(result)] == ["edge"]
    url = docker_host or "unix:///var/run/docker.sock"
    assert result.stderr == (
        f"tracerun: error: source orders: cannot reach the Docker engine at {url}: "
        f"no such socket\n  hint: {hint}\n"
    )


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None,
    reason="needs root and setpriv (to drop CAP_DAC_OVERRIDE for a real EACCES)",
)
def test_permission_denied_on_the_socket_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "locked.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen()
    path.chmod(0)
    try:
        proc = subprocess.run(
            [
                "setpriv",
                "--bounding-set",
                "-dac_override,-dac_read_search",
                sys.executable,
                "-m",
                "tracerun",
                "--docker",
                "shop-*",
                RID,
            ],
            env={**os.environ, "DOCKER_HOST": f"unix://{path}"},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        server.close()

    assert (proc.returncode, proc.stdout) == (3, ""), proc.stderr
    assert proc.stderr == (
        f"tracerun: error: source shop-*: permission denied on the Docker socket "
        f"{path}\n  hint: add your user to the socket's group (usually docker: "
        "sudo usermod -aG docker $USER, then log in again), or point DOCKER_HOST "
        "at an engine you may use\n"
    )


@pytest.mark.docker
def test_container_removed_before_it_is_read_fails_alone(
    containers: ContainerFactory, tmp_path: Path
) -> None:
    line = f"will vanish request_id={RID}"
    c = containers("vanishing", script(say(line)))
    wait_for_output(c, "will vanish")
    (tmp_path / "edge.log").write_text(f"2026-03-20T14:10:00Z edge request_id={RID}\n")
    profile = to_spec(
        Profile.model_validate(
            {
                "version": 1,
                "sources": {
                    "edge": {"type": "file", "paths": [str(tmp_path / "edge.log")]},
                    "orders": {"type": "docker", "containers": [c.name]},
                },
            }
        )
    )
    plan = build_plan(profile)
    c.remove(force=True)

    result = run_plan(plan, Query(terms=(Term(None, RID),), keys=("request_id",)))

    assert [(r.source, r.message) for r in result.records] == [("edge", "edge")]
    assert result.failures == [
        SourceFailure(
            "orders",
            c.name,
            "the container was removed while it was being read",
            "its logs went with it; run the trace again to read its replacement",
        )
    ]


@pytest.mark.docker
def test_container_without_a_readable_log_fails_with_the_drivers_hint(
    containers: ContainerFactory, tmp_path: Path
) -> None:
    c = containers(
        "no-log", script(say(f"lost request_id={RID}")), log_config={"type": "none"}
    )
    profile = write_profile(
        tmp_path,
        f"version: 1\nsources:\n  orders: {{type: docker, containers: ['{c.name}']}}\n",
    )

    result = trace("-p", str(profile), RID)

    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == (
        f"tracerun: error: source orders: {c.name}: the engine at {ENGINE} refused: "
        "configured logging driver does not support reading\n"
        "  hint: its logging driver keeps no readable log; use json-file, local or "
        "journald (docker inspect --format '{{.HostConfig.LogConfig}}' NAME)\n"
    )


@pytest.mark.docker
def test_labels_that_match_nothing_are_a_warning(tag: str, tmp_path: Path) -> None:
    profile = write_profile(
        tmp_path,
        f"version: 1\nsources:\n  orders: {{type: docker, compose: {{project: {tag}}}}}\n",
    )

    result = trace("-p", str(profile), RID)

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "tracerun: warning: source orders: no running container with labels "
        f"com.docker.compose.project={tag} on {ENGINE} (add stopped: true to "
        "include exited ones)\n"
    )


def test_refused_tcp_engine_is_reported_with_its_url(tmp_path: Path) -> None:
    with socket.socket() as free:  # a port nobody listens on
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    profile = failing_profile(tmp_path, f", host: 'tcp://127.0.0.1:{port}'")

    result = trace("-p", str(profile), RID, "-o", "ndjson")

    assert result.exit_code == 3
    assert [row[1] for row in summary(result)] == ["edge"]
    assert result.stderr == (
        "tracerun: error: source orders: cannot reach the Docker engine at "
        f"tcp://127.0.0.1:{port}: connection refused\n"
        "  hint: is the engine running, and is sources.orders.host right? "
        f"try: docker -H tcp://127.0.0.1:{port} info\n"
    )


def test_adhoc_docker_without_an_engine_keeps_the_pattern_as_a_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")

    result = trace("--docker", "shop-*", RID)

    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr.splitlines()[0] == (
        "tracerun: error: source shop-*: cannot reach the Docker engine at "
        "unix:///nonexistent/docker.sock: no such socket"
    )


# --- laziness, registry, and the pieces without an engine -----------------------


def test_docker_sdk_is_imported_only_for_a_docker_source(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text(f"2026-03-20T14:10:00Z x request_id={RID}\n")
    code, imported, _ = run_and_check_import(
        ["--path", str(tmp_path / "a.log"), RID], "docker"
    )
    assert (code, imported) == (0, False)


def test_docker_is_registered_and_built_lazily() -> None:
    assert "docker" in SOURCES
    assert isinstance(get_source("docker"), DockerSource)


def test_engine_window_is_float_seconds_with_slack_after_until() -> None:
    query = Query(
        terms=(Term(None, RID),),
        since=1_774_015_800_123_456,
        until=1_774_015_860_000_000,
    )
    assert engine_window(query) == (1_774_015_800.123456, 1_774_015_861.0)
    assert engine_window(Query(terms=(Term(None, RID),))) == (None, None)


def test_engine_prefix_is_stripped_and_its_time_kept() -> None:
    hit = Hit(
        7,
        b"2026-03-20T14:10:00.123456789Z first\n2026-03-20T14:10:00.2Z   frame\r",
        bytearray(),
        0,
    )
    time, bare = unstamp(hit)
    assert time == 1_774_015_800_123_456
    assert (bare.line, bare.data) == (7, b"first\n  frame\r")
    assert content(b"no prefix here") == b"no prefix here"


@pytest.mark.parametrize(
    ("line", "starts"),
    [
        (b"charging card request_id=abc", True),
        (b'{"msg": "x"}', True),
        (b"2026-03-20 14:10:00 ERROR failed", True),
        (b"Traceback (most recent call last):", False),
        (b'  File "pay.py", line 3, in charge', False),
        (b"\tat com.shop.Pay.charge(Pay.java:3)", False),
        (b"Caused by: java.io.IOException: reset", False),
        (b"TimeoutError: provider did not answer", False),
        (b"java.lang.IllegalStateException: boom", False),
        (b"", False),
    ],
)
def test_container_lines_start_records_unless_they_continue_a_trace(
    line: bytes, starts: bool
) -> None:
    origin = Origin("s", 0, "docker", "c", "id")
    target = Target(origin, build_parser("auto", {}), UTC)
    assert record_start_rule(target)(line) is starts


def test_multiline_start_of_the_source_overrides_the_container_rule() -> None:
    origin = Origin("s", 0, "docker", "c", "id")
    target = Target(origin, build_parser("auto", {}), UTC, re.compile(rb"^\["))
    rule = record_start_rule(target)
    assert (rule(b"[app] started"), rule(b"charging card")) == (True, False)


def test_describe_shows_state_image_and_start_in_whole_seconds() -> None:
    info = {
        "State": {
            "Status": "exited",
            "ExitCode": 3,
            "StartedAt": "2026-03-20T14:10:00.123456789Z",
        },
        "Config": {"Image": "shop/orders:1.4"},
    }
    assert describe(info) == "exited (3)  shop/orders:1.4  started 2026-03-20T14:10:00Z"
    info["State"] = {"Status": "created", "StartedAt": "0001-01-01T00:00:00Z"}
    assert describe(info) == "created  shop/orders:1.4  never started"


def test_compose_shorthand_and_list_labels_become_engine_filters() -> None:
    data = {
        "type": "docker",
        "labels": ["tier=back", "team=pay=ments"],
        "compose": {"project": "shop", "service": "orders"},
    }
    config = to_spec(Profile(version=1, sources={"x": data})).sources["x"]
    assert isinstance(config, spec.DockerSourceConfig)
    assert config.label_filters() == [
        "tier=back",
        "team=pay=ments",
        "com.docker.compose.project=shop",
        "com.docker.compose.service=orders",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"type": "docker"}, "a docker source needs at least one of"),
        ({"type": "docker", "labels": ["tier"]}, "label 'tier' is not of the form"),
        ({"type": "docker", "compose": {}}, "compose needs project, service or both"),
    ],
)
def test_docker_source_config_errors(data: dict[str, Any], message: str) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=message):
        DockerSourceConfig.model_validate(data)


# --- a long log is streamed, not held ------------------------------------------

LONG_LOG_MB = 96


def traced_with_peak(container: str) -> tuple[list[str], float]:
    """Trace RID in one container in a fresh interpreter: messages and peak RSS (MB)."""
    proc, peak_mb = run_with_peak(["--docker", container, "-o", "ndjson", RID])
    assert proc.returncode == 0, proc.stderr
    return [json.loads(x)["message"] for x in proc.stdout.splitlines()], peak_mb


@pytest.mark.docker
@pytest.mark.parametrize("tty", [False, True], ids=["framed", "tty"])
def test_a_long_container_log_is_streamed_in_bounded_memory(
    containers: ContainerFactory, tag: str, tty: bool
) -> None:
    needles = [say(f"first request_id={RID}"), say(f"last request_id={RID}")]
    # 24,000 lines of 4 KiB (96 MiB) between the two needles.
    filler = "yes \"$(head -c 4095 /dev/zero | tr '\\0' x)\" | head -n 24000"
    short = containers(f"{tag}-short", script(*needles, then="exit 0"), tty=tty)
    long = containers(
        f"{tag}-long", script(needles[0], filler, needles[1], then="exit 0"), tty=tty
    )
    short.wait(timeout=60)
    long.wait(timeout=120)

    short_messages, baseline_mb = traced_with_peak(short.name)
    messages, peak_mb = traced_with_peak(long.name)

    assert short_messages == messages == ["first", "last"]
    # Held whole, the log alone would add LONG_LOG_MB (more while demultiplexed:
    # peaks of 321 MB framed and 226 MB tty were measured before streaming, vs
    # ~60 MB now); streamed, only the block buffers add to the baseline.
    assert peak_mb - baseline_mb < LONG_LOG_MB / 3, (baseline_mb, peak_mb)


@pytest.mark.docker
def test_context_lines_of_a_container_come_without_engine_stamps(
    containers: ContainerFactory, tag: str
) -> None:
    lines = ["warming up", "pool at 9/10", f"failed request_id={RID}", "pool at 10/10"]
    box = containers(f"{tag}-ctx", script(*(say(line) for line in lines)))
    wait_for_output(box, "10/10")

    result = trace("--docker", box.name, RID, "-C", "1", "-o", "ndjson")

    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["line"], r.get("context", False), r["message"]) for r in rows] == [
        (2, True, "pool at 9/10"),
        (3, False, "failed"),  # the auto parser took request_id as a field
        (4, True, "pool at 10/10"),
    ]


@pytest.mark.docker
def test_a_container_matching_everywhere_is_kept_as_a_spilled_run(
    containers: ContainerFactory, tag: str
) -> None:
    # A wrong query (every line matches) must cost disk, not memory: the
    # records go into a sorted run, spilled to a file past SPILL_AT (#12).
    count = SPILL_AT + 2_000
    lines = f'i=0; while [ $i -lt {count} ]; do echo "n$i request_id={RID}"; i=$((i+1)); done'
    box = containers(f"{tag}-many", script(lines, then="exit 0"))
    box.wait(timeout=120)
    profile = to_spec(
        Profile.model_validate(
            {
                "version": 1,
                "sources": {
                    "w": {"type": "docker", "containers": [box.name], "stopped": True}
                },
            }
        )
    )
    target = build_plan(profile).targets[0]
    query = Query(terms=(Term(None, RID),), keys=("request_id",))

    with spill_directory():
        result = DockerSource().read(target, query)
        spilled = [run.path is not None for run in result.runs]
        messages = [r.message for r in records_of(result)]

    assert result.records == []
    assert spilled == [True]
    assert messages == [f"n{i}" for i in range(count)]
