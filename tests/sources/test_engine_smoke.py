"""The docker test fixtures against a real engine: containers print known lines.

Needs the ``helpers.docker_fixtures`` plugin (see its docstring) and an engine
(``eval "$(scripts/test-engine.sh up)"``).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from helpers.engine import (
    NAME_PREFIX,
    OWNER_LABEL,
    TEST_IMAGE,
    ContainerFactory,
    engine_client,
    log_lines,
    owner_token,
    remove_test_containers,
    wait_for_output,
)

if TYPE_CHECKING:
    import docker

JSON_LINE = '{"ts":"2026-03-20T14:10:00.100Z","level":"info","msg":"hello","request_id":"req-1"}'
LOGFMT_LINE = 'ts=2026-03-20T14:10:00.250Z level=warn msg="slow upstream" request_id=req-1 took_ms=812'
PLAIN_LINE = "2026-03-20 14:10:00,300 ERROR payment failed request_id=req-1"
COMPOSE_LABELS = {
    "com.docker.compose.project": "tracerun-demo",
    "com.docker.compose.service": "api",
    "com.docker.compose.container-number": "1",
    "com.docker.compose.oneoff": "False",
}
TESTS_DIR = Path(__file__).resolve().parents[1]


def say(line: str, *, stderr: bool = False) -> str:
    """Shell code printing ``line`` exactly (to stderr if asked)."""
    return f"printf '%s\\n' {shlex.quote(line)}" + (" >&2" if stderr else "")


def assert_recent(timestamp: str) -> None:
    when = datetime.fromisoformat(timestamp)
    assert abs(datetime.now(UTC) - when) < timedelta(minutes=5), timestamp


@pytest.mark.docker
def test_stdout_and_stderr_are_separate_without_tty(
    containers: ContainerFactory,
) -> None:
    script = f"{say(JSON_LINE)}; {say(LOGFMT_LINE, stderr=True)}; exec sleep 300"
    c = containers("plain-streams", script)
    wait_for_output(c, "slow upstream")
    assert c.status in {"created", "running"}

    out = log_lines(c, stdout=True, stderr=False)
    err = log_lines(c, stdout=False, stderr=True)
    assert [line for _, line in out] == [JSON_LINE]
    assert [line for _, line in err] == [LOGFMT_LINE]
    for ts, _ in out + err:
        assert_recent(ts)
    both = [line for _, line in log_lines(c, stdout=True, stderr=True)]
    assert sorted(both) == sorted([JSON_LINE, LOGFMT_LINE])


@pytest.mark.docker
def test_tty_merges_stderr_into_stdout(containers: ContainerFactory) -> None:
    script = f"{say(PLAIN_LINE)}; {say(LOGFMT_LINE, stderr=True)}; exec sleep 300"
    c = containers("tty", script, tty=True)
    wait_for_output(c, "slow upstream")

    raw = c.logs(stdout=True, stderr=False)
    assert raw == f"{PLAIN_LINE}\r\n{LOGFMT_LINE}\r\n".encode()
    out = log_lines(c, stdout=True, stderr=False)
    assert [line for _, line in out] == [PLAIN_LINE, LOGFMT_LINE]
    assert_recent(out[0][0])
    assert c.logs(stdout=False, stderr=True) == b""


@pytest.mark.docker
def test_compose_labels(
    docker_client: docker.DockerClient, containers: ContainerFactory
) -> None:
    c = containers("api-1", f"{say(JSON_LINE)}; exec sleep 300", labels=COMPOSE_LABELS)
    wait_for_output(c, "req-1")

    assert (c.name or "").startswith(f"{NAME_PREFIX}api-1-")
    assert c.labels[OWNER_LABEL] == owner_token()
    for key, value in COMPOSE_LABELS.items():
        assert c.labels[key] == value
    found = docker_client.containers.list(
        filters={
            "label": [
                "com.docker.compose.project=tracerun-demo",
                "com.docker.compose.service=api",
                f"{OWNER_LABEL}={owner_token()}",
            ]
        }
    )
    assert [x.id for x in found] == [c.id]
    assert [line for _, line in log_lines(c)] == [JSON_LINE]


@pytest.mark.docker
def test_container_that_exited_keeps_its_logs(containers: ContainerFactory) -> None:
    script = (
        f"{say(JSON_LINE)}; {say(PLAIN_LINE)}; {say(LOGFMT_LINE, stderr=True)}; exit 3"
    )
    c = containers("gone", script, wait_exit=True)

    assert c.status == "exited"
    assert c.attrs["State"]["ExitCode"] == 3
    assert [line for _, line in log_lines(c)] == [JSON_LINE, PLAIN_LINE]
    assert [line for _, line in log_lines(c, stdout=False, stderr=True)] == [
        LOGFMT_LINE
    ]


@pytest.mark.docker
def test_container_config(containers: ContainerFactory) -> None:
    c = containers("config", "exit 0", wait_exit=True)
    assert c.attrs["HostConfig"]["NetworkMode"] == "none"
    assert c.attrs["Config"]["Image"] == TEST_IMAGE
    assert c.attrs["Config"]["Cmd"] == ["sh", "-c", "exit 0"]


@pytest.mark.docker
def test_factory_and_cleanup_remove_containers(
    docker_client: docker.DockerClient,
) -> None:
    factory = ContainerFactory(docker_client)
    a = factory("cleanup-a", "exec sleep 300")
    b = factory("cleanup-b", "true", wait_exit=True)
    names = {x.name for x in docker_client.containers.list(all=True)}
    assert {a.name, b.name} <= names
    factory.close()
    names = {x.name for x in docker_client.containers.list(all=True)}
    assert not {a.name, b.name} & names

    # remove_test_containers(owner=...) finds what a factory would have missed
    c = ContainerFactory(docker_client)("cleanup-c", "exec sleep 300")
    assert remove_test_containers(docker_client, owner=owner_token()) >= 1
    assert c.name not in {x.name for x in docker_client.containers.list(all=True)}


@pytest.mark.docker
def test_docker_host_url(docker_host_url: str) -> None:
    assert docker_host_url == (
        os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
    )


def test_engine_client_is_none_when_unreachable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    assert engine_client() is None


@pytest.mark.parametrize(("ci", "expect"), [("", "1 skipped"), ("true", "1 error")])
def test_no_engine_skips_or_fails_under_ci(
    tmp_path: Path, ci: str, expect: str
) -> None:
    (tmp_path / "test_needs_engine.py").write_text(
        textwrap.dedent(
            """
            def test_needs_engine(docker_client):
                pass
            """
        )
    )
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = {
        **os.environ,
        "DOCKER_HOST": "unix:///nonexistent/docker.sock",
        "CI": ci,
        "PYTHONPATH": os.pathsep.join(
            [str(TESTS_DIR), os.environ.get("PYTHONPATH", "")]
        ),
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "helpers.docker_fixtures",
            "-p",
            "no:cacheprovider",
            "-rs",
            "-q",
            str(tmp_path),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert expect in output, output
    assert "no Docker engine reachable" in output, output
    assert proc.returncode == (1 if ci else 0), output
