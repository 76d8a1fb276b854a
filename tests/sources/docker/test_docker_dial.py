"""Docker engines behind `ssh://`: traced through a real sshd to the private engine.

The fleet's ``web-1`` (``helpers.sshd``) runs the remote ``docker system
dial-stdio``; its user reaches the test engine through a socket proxy of its
own (``helpers.sshd_engine``). tracerun's environment names no engine at all
(``DOCKER_HOST`` points nowhere), so every record printed came over ssh.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers.engine import ContainerFactory, wait_for_output
from helpers.sshd_engine import engine_socket, remote_engine
from helpers.sshd_fleet import SshFleet

from tracerun.cli import cli
from tracerun.sources.docker import dial
from tracerun.sources.docker.dial import DialError, SshEngine

RID = "req-5e2c"


def trace(*args: str) -> Result:
    base = {"NO_COLOR": "", "FORCE_COLOR": "", "TRACERUN_PROFILE": ""}
    return CliRunner().invoke(cli, list(args), env=base)


def say(line: str) -> str:
    return "printf '%s\\n' '" + line.replace("'", "'\\''") + "'"


def profile(tmp_path: Path, docker: str) -> Path:
    (tmp_path / "edge.log").write_text(
        f"2026-03-20T14:10:00Z INFO POST /orders request_id={RID}\n"
    )
    path = tmp_path / "profile.yaml"
    path.write_text(
        "version: 1\nsources:\n  edge: {type: file, paths: [edge.log]}\n"
        f"  orders: {{type: docker, {docker}}}\n"
    )
    return path


@pytest.fixture
def over_ssh(
    ssh_fleet: SshFleet, docker_host_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SshFleet]:
    """web-1's user may use the test engine; tracerun's ssh uses the fleet's config."""
    engine = engine_socket(docker_host_url)
    monkeypatch.setenv("TRACERUN_SSH_CONFIG", str(ssh_fleet.config))
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    with remote_engine(ssh_fleet.hosts[0], engine):
        yield ssh_fleet


# --- through a real sshd --------------------------------------------------------


@pytest.mark.docker
@pytest.mark.sshd
def test_a_container_behind_ssh_prints_exactly_its_records(
    over_ssh: SshFleet, containers: ContainerFactory, tmp_path: Path
) -> None:
    c = containers(
        "over-ssh",
        "; ".join(
            [
                say(f"2026-03-20T14:10:01Z INFO order received request_id={RID}"),
                say("2026-03-20T14:10:02Z INFO other order request_id=req-2"),
                say(f"2026-03-20T14:10:03Z WARN payment slow request_id={RID}"),
                "exec sleep 300",
            ]
        ),
    )
    wait_for_output(c, "payment slow")
    path = profile(tmp_path, f"containers: ['{c.name}'], host: 'ssh://tracerun@web-1'")

    result = trace("-p", str(path), RID, "--color", "never")

    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        f"2026-03-20T14:10:00.000Z edge   INFO  POST /orders request_id={RID}\n"
        f"2026-03-20T14:10:01.000Z orders INFO  order received request_id={RID}\n"
        f"2026-03-20T14:10:03.000Z orders WARN  payment slow request_id={RID}\n"
    )


@pytest.mark.docker
@pytest.mark.sshd
def test_sources_lists_a_container_behind_ssh(
    over_ssh: SshFleet, containers: ContainerFactory, tmp_path: Path
) -> None:
    c = containers("listed", f"{say('hi')}; exec sleep 300")
    path = profile(tmp_path, f"containers: ['{c.name}'], host: 'ssh://web-1'")

    result = trace("sources", "-p", str(path))

    assert (result.exit_code, result.stderr) == (0, "")
    assert c.name in result.stdout
    assert "running" in result.stdout


@pytest.mark.sshd
def test_a_refused_ssh_engine_is_one_failure_and_the_file_still_prints(
    ssh_fleet: SshFleet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACERUN_SSH_CONFIG", str(ssh_fleet.config))
    refused = ssh_fleet.endpoints.refused
    path = profile(tmp_path, "containers: [shop-*], host: 'ssh://refused'")

    result = trace("-p", str(path), RID, "--color", "never")

    assert result.exit_code == 3
    assert result.stdout == (
        f"2026-03-20T14:10:00.000Z edge   INFO  POST /orders request_id={RID}\n"
    )
    assert result.stderr == (
        "tracerun: error: source orders: cannot reach the Docker engine at "
        f"ssh://refused: ssh: connect to host {refused.address} port "
        f"{refused.port}: Connection refused\n"
        "  hint: is sources.orders.host right? does `ssh refused true` work? "
        "tracerun runs ssh with BatchMode=yes: keys or agent, never a password\n"
    )


@pytest.mark.sshd
def test_a_host_whose_docker_has_no_engine_says_what_docker_said(
    ssh_fleet: SshFleet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACERUN_SSH_CONFIG", str(ssh_fleet.config))
    path = profile(tmp_path, "containers: [shop-*], host: 'ssh://tracerun@web-2'")

    result = trace("-p", str(path), RID, "--color", "never")

    assert result.exit_code == 3
    assert result.stdout.count("\n") == 1
    assert result.stderr == (
        "tracerun: error: source orders: cannot reach the Docker engine at "
        "ssh://tracerun@web-2: failed to open the raw stream connection: dial unix "
        "/var/run/docker.sock: connect: no such file or directory\n"
        "  hint: docker on that host could not serve its engine; is "
        "sources.orders.host right? try: ssh tracerun@web-2 docker version\n"
    )


# --- the pieces, without sshd ---------------------------------------------------


def test_ssh_argv_passes_port_and_user_only_when_the_url_has_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TRACERUN_SSH_CONFIG", raising=False)
    bare = SshEngine.parse("ssh://web-1").argv()
    full = SshEngine.parse("ssh://deploy@[::1]:2222").argv()

    assert "-p" not in bare
    assert "-l" not in bare  # ~/.ssh/config's Port and User apply
    assert bare[-3:] == ["--", "web-1", "docker system dial-stdio"]
    assert full[-7:] == ["-l", "deploy", "-p", "2222", "--", "::1", dial.REMOTE_COMMAND]
    assert "BatchMode=yes" in bare
    assert "ControlMaster=no" in bare


def test_ssh_argv_adds_tracerun_ssh_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACERUN_SSH_CONFIG", "/etc/tracerun/ssh_config")

    argv = SshEngine.parse("ssh://web-1").argv("true", master=True)

    assert argv[argv.index("-F") + 1] == "/etc/tracerun/ssh_config"
    assert {"-f", "ControlMaster=auto", "ControlPersist=60"} <= set(argv)
    assert argv[-2:] == ["web-1", "true"]


def test_destination_reads_as_an_ssh_command_line() -> None:
    assert SshEngine.parse("ssh://web-1").destination == "web-1"
    assert SshEngine.parse("ssh://u@h:2222").destination == "-p 2222 u@h"


def test_without_an_ssh_client_the_reason_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no ssh on it

    with pytest.raises(DialError) as caught:
        dial.open_master(SshEngine.parse("ssh://web-1"))

    assert caught.value.reason == "the ssh client is not installed"


def test_control_dir_is_private(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))

    folder = dial.control_dir()

    assert folder.parent == tmp_path
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    folder.chmod(0o755)
    with pytest.raises(DialError, match="is not a private folder of yours"):
        dial.control_dir()
    assert os.getuid() == folder.stat().st_uid
