"""Docker follow: real containers started, restarted and removed during a real follow.

The follow runs as a subprocess against the tests' Docker engine (directly, or
through a unix-socket relay this test can cut to play "engine down").
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers.follow import Follow

from tracerun.sources.docker.stamps import engine_ns, last_line_ns
from tracerun.sources.docker.tail import drop_seen


def now_line(msg: str, rid: str) -> str:
    ts = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return json.dumps({"ts": ts, "msg": msg, "request_id": rid}) + "\n"


def say(msg: str, rid: str) -> str:
    return f"echo 'msg={msg} request_id={rid}'"


@pytest.fixture
def tag() -> str:
    return uuid.uuid4().hex[:10]


def write_profile(root: Path, tag: str, host: str | None = None) -> Path:
    where = f", host: '{host}'" if host else ""
    path = root / "profile.yaml"
    path.write_text(
        "version: 1\nsources:\n"
        f"  box: {{type: docker, labels: ['org.tracerun.test.tag={tag}'], "
        f"parser: logfmt{where}}}\n"
        f"  app: {{type: file, paths: ['{root}/app.log'], parser: json}}\n"
    )
    (root / "app.log").write_text("")
    return path


def summary(follow: Follow) -> list[tuple[str, str, int, str]]:
    return [
        (s, o.split("-")[-2] if s == "box" else o, n, m)
        for s, o, n, m in follow.records()
    ]


@pytest.mark.docker
def test_started_restarted_and_removed_containers_while_following(
    containers, tag: str, tmp_path: Path
):
    labels = {"org.tracerun.test.tag": tag}
    rid = f"req-{tag}"
    first = containers("follow-a", f"{say('a-up', rid)}; exec sleep 300", labels=labels)
    time.sleep(0.2)  # its line is in the log: history
    profile = write_profile(tmp_path, tag)
    follow = Follow(
        "-p", str(profile), "-f", rid, "-o", "ndjson",
        "--exit-on", "msg == 'done'", "--timeout", "60s", cwd=tmp_path,
    )  # fmt: skip
    follow.wait_for(1)

    second = containers(
        "follow-b",
        f"{say('b-up', rid)}; sleep 0.3; {say('b-more', rid)}; exec sleep 300",
        labels=labels,
    )
    follow.wait_for(3)
    (tmp_path / "app.log").write_text(now_line("file-1", rid))
    follow.wait_for(4)
    first.restart(timeout=0)
    follow.wait_for(5)
    second.remove(force=True)
    follow.wait_stderr("was removed")
    with (tmp_path / "app.log").open("a") as out:
        out.write(now_line("done", rid))
    code, stderr = follow.finish()

    assert (code, stderr) == (
        0,
        f"tracerun: warning: source box: container {second.name} was removed\n",
    )
    assert summary(follow) == [
        ("box", "a", 1, "a-up"),
        ("box", "b", 1, "b-up"),
        ("box", "b", 2, "b-more"),
        ("app", "app.log", 1, "file-1"),
        ("box", "a", 2, "a-up"),  # the restarted container, continued
        ("app", "app.log", 2, "done"),
    ]


class Relay:
    """A unix socket that relays to the engine's socket, and can be cut and restored."""

    def __init__(self, path: Path, engine: str) -> None:
        self.path = path
        self.engine = engine
        self._server: socket.socket | None = None
        self._open: list[socket.socket] = []

    def up(self) -> None:
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(str(self.path))
        self._server.listen(16)
        threading.Thread(target=self._accept, args=(self._server,), daemon=True).start()

    def down(self) -> None:
        assert self._server is not None
        self._server.close()
        self.path.unlink()
        for conn in self._open:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()
        self._open.clear()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            engine = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            engine.connect(self.engine)
            self._open += [client, engine]
            for a, b in ((client, engine), (engine, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_WR)


@pytest.fixture
def relay(tmp_path: Path, docker_host_url: str) -> Iterator[Relay]:
    if not docker_host_url.startswith("unix://"):
        pytest.skip("the relay needs the engine on a unix socket")
    relay = Relay(tmp_path / "engine.sock", docker_host_url.removeprefix("unix://"))
    yield relay
    with contextlib.suppress(OSError, AssertionError):
        relay.down()


@pytest.mark.docker
def test_engine_down_is_reported_once_and_the_stream_resumes_without_loss(
    containers, tag: str, tmp_path: Path, relay: Relay
):
    rid = f"req-{tag}"
    box = containers(
        "follow-c",
        f"{say('c-1', rid)}; while [ ! -f /tmp/go ]; do sleep 0.1; done; "
        f"{say('c-2', rid)}; exec sleep 300",
        labels={"org.tracerun.test.tag": tag},
    )
    relay.up()
    profile = write_profile(tmp_path, tag, host=f"unix://{relay.path}")
    follow = Follow(
        "-p", str(profile), "-f", rid, "-o", "ndjson",
        "--exit-on", "msg == 'c-2'", "--timeout", "60s", cwd=tmp_path,
    )  # fmt: skip
    follow.wait_for(1)

    relay.down()
    follow.wait_stderr("tracerun: error: source box: cannot reach the Docker engine")
    box.exec_run(["touch", "/tmp/go"])  # c-2 is logged while tracerun cannot see
    relay.up()
    code, stderr = follow.finish()

    assert code == 0
    assert summary(follow) == [("box", "c", 1, "c-1"), ("box", "c", 2, "c-2")]
    lines = stderr.splitlines()
    assert [
        line.split(":")[1].strip() for line in lines if line.startswith("tracerun:")
    ] == [
        "error",
        "warning",
    ]
    assert lines[-1] == "tracerun: warning: source box: the Docker engine answers again"
    assert "retrying" in stderr


def test_engine_times_are_read_to_the_nanosecond():
    line = b"2026-03-20T14:10:00.123456789Z msg=x\n"

    assert engine_ns(line) == 1774015800_123456789
    assert engine_ns(b"2026-03-20T14:10:00Z x") == 1774015800_000000000
    assert engine_ns(b"2026-03-20T14:10:00.5Z x") == 1774015800_500000000
    assert engine_ns(b"no stamp here") is None
    assert (
        last_line_ns(line + b"2026-03-20T14:10:01.1Z y\npartial")
        == 1774015801_100000000
    )


def test_a_resumed_stream_drops_the_lines_already_passed_on():
    data = (
        b"2026-03-20T14:10:00.1Z a\n"
        b"2026-03-20T14:10:00.2Z b\n"
        b"2026-03-20T14:10:00.3Z c\n"
    )
    gate = engine_ns(b"2026-03-20T14:10:00.2Z b")
    assert gate is not None

    assert drop_seen(data, gate) == (b"2026-03-20T14:10:00.3Z c\n", 0)
    assert drop_seen(data[:50], gate) == (b"", gate)


@pytest.mark.docker
def test_adhoc_glob_picks_up_a_container_started_later(containers, tag: str, tmp_path):
    rid = f"req-{tag}"
    first = containers(f"adhoc{tag}-a", f"{say('a-up', rid)}; exec sleep 300")
    time.sleep(0.2)  # its line is in the log: history
    glob = f"tracerun-test-adhoc{tag}-*"
    follow = Follow("--docker", glob, rid, "-f", "-o", "ndjson",
                    "--exit-on", "msg == 'b-up'", "--timeout", "60s", cwd=tmp_path)  # fmt: skip
    follow.wait_for(1)
    second = containers(f"adhoc{tag}-b", f"{say('b-up', rid)}; exec sleep 300")
    code, stderr = follow.finish()

    assert (code, stderr) == (0, "")
    assert [(s, n, m) for s, _, n, m in follow.records()] == [
        (first.name, 1, "a-up"),
        (second.name, 1, "b-up"),
    ]


@pytest.mark.docker
def test_follow_with_expand_follows_ids_a_new_container_prints(
    containers, tag: str, tmp_path: Path
):
    # A container started while following prints the whole chain in one burst:
    # the order naming ord-<tag> is released after the worker lines were read;
    # they are found again in the reader's recent bytes, in order, once each.
    rid, order, job = f"req-{tag}", f"ord-{tag}", f"job-{tag}"
    profile = write_profile(tmp_path, tag)
    text = profile.read_text().replace(
        "sources:", "correlate: [request_id, order_id, job_id]\nsources:"
    )
    profile.write_text(text)
    follow = Follow(
        "-p", str(profile), "-f", "--expand", rid, "-o", "ndjson",
        "--exit-on", "msg == 'done'", "--timeout", "60s", cwd=tmp_path,
    )  # fmt: skip
    follow.wait_stderr("ids followed")
    lines = [
        f"msg=post request_id={rid}",
        f"msg=order request_id={rid} order_id={order}",
        f"msg=picked order_id={order} job_id={job}",
        f"msg=done job_id={job}",
    ]
    burst = "printf '" + "\\n".join(lines) + "\\n'"
    containers("expand-a", f"{burst}; exec sleep 300", labels={
        "org.tracerun.test.tag": tag
    })  # fmt: skip
    code, stderr = follow.finish()

    assert code == 0, stderr
    found = [json.loads(x) for x in follow.lines]
    assert [(r["message"], r.get("via")) for r in found] == [
        ("post", None),
        ("order", None),
        ("picked", f"order_id={order} ← {rid}"),
        ("done", f"job_id={job} ← order_id={order} ← {rid}"),
    ]
