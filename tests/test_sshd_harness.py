"""The private sshd hosts the ssh tests run against, proved with the real ``ssh`` client.

Needs the ``helpers.sshd`` plugin (see its docstring), root and sshd
(``scripts/test-sshd.sh``); skips without them, fails under ``CI=true``.
"""

from __future__ import annotations

import os
import stat
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import sshd as plugin
from helpers.sshd_engine import engine_socket, remote_engine
from helpers.sshd_files import REMOTE_LOG_DIR, REMOTE_ROOT
from helpers.sshd_fleet import SshFleet, SshHost, start_fleet


def ssh(
    fleet: SshFleet,
    alias: str,
    *command: str,
    options: tuple[str, ...] = (),
    timeout: float = 30,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        fleet.ssh(alias, *command, options=options),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def sh(fleet: SshFleet, alias: str, script: str) -> str:
    """stdout of ``script`` run by ``exec /bin/sh -s`` on ``alias``; it must succeed."""
    result = fleet.run(alias, script)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def test_without_sshd_tests_skip_with_the_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(plugin, "_problem", lambda: "no sshd here")
    monkeypatch.setenv("CI", "false")

    with pytest.raises(pytest.skip.Exception, match="no sshd here"):
        plugin.require_sshd()


def test_without_sshd_under_ci_tests_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plugin, "_problem", lambda: "no sshd here")
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception, match="CI=true and no sshd here"):
        plugin.require_sshd()


@pytest.mark.sshd
def test_the_fleet_starts_within_three_seconds(ssh_fleet: SshFleet) -> None:
    assert 0 < ssh_fleet.startup_seconds < 3


@pytest.mark.sshd
def test_each_host_shows_its_own_files_at_the_same_remote_path(
    ssh_fleet: SshFleet,
) -> None:
    hosts = [*ssh_fleet.hosts, ssh_fleet.busybox]
    for host in hosts:
        (host.log_dir / f"{host.alias}.log").write_text(f"{host.alias}\n")

    for host in hosts:
        out = sh(ssh_fleet, host.alias, f"echo $PWD; ls {REMOTE_LOG_DIR}\n")

        assert host.remote_dir == REMOTE_LOG_DIR
        assert out == f"{REMOTE_ROOT}/home/{host.user}\n{host.alias}.log\n"


@pytest.mark.sshd
def test_files_written_by_a_remote_session_land_in_the_hosts_home(
    ssh_fleet: SshFleet,
) -> None:
    sh(ssh_fleet, "web-2", "touch ~/marker\n")

    assert [(h.alias, (h.home / "marker").exists()) for h in ssh_fleet.hosts] == [
        ("web-1", False),
        ("web-2", True),
        ("web-3", False),
    ]


@pytest.mark.sshd
def test_a_new_test_starts_with_empty_log_folders_and_homes(
    ssh_fleet: SshFleet,
) -> None:
    for host in ssh_fleet.all_hosts:
        assert list(host.log_dir.iterdir()) == []
        assert list(host.home.iterdir()) == []


@pytest.mark.sshd
def test_ssh_hosts_are_the_three_gnu_hosts(ssh_hosts: tuple[SshHost, ...]) -> None:
    assert [h.alias for h in ssh_hosts] == ["web-1", "web-2", "web-3"]
    assert [h.address for h in ssh_hosts] == ["127.0.0.2", "127.0.0.3", "127.0.0.4"]


@pytest.mark.sshd
def test_a_fleet_may_have_more_gnu_hosts_each_with_its_own_files() -> None:
    fleet = start_fleet(gnu_hosts=5)
    try:
        for host in fleet.hosts:
            (host.log_dir / "who").write_text(f"{host.alias}\n")

        seen = [
            sh(fleet, h.alias, f"cat {REMOTE_LOG_DIR}/who; echo $SSH_CONNECTION\n")
            for h in fleet.hosts
        ]
    finally:
        fleet.close()

    assert [h.alias for h in fleet.hosts] == [f"web-{n}" for n in range(1, 6)]
    assert [h.address for h in fleet.hosts] == [
        *("127.0.0.2", "127.0.0.3", "127.0.0.4"),
        *("127.0.0.9", "127.0.0.10"),
    ]
    assert [(s.split()[0], s.split()[3]) for s in seen] == [
        (h.alias, h.address) for h in fleet.hosts
    ]


def test_a_fleet_has_at_least_the_three_gnu_hosts() -> None:
    with pytest.raises(ValueError, match="gnu_hosts must be 3"):
        start_fleet(gnu_hosts=2)


@pytest.mark.sshd
def test_gnu_hosts_grep_is_gnu_grep(ssh_fleet: SshFleet) -> None:
    out = sh(ssh_fleet, "web-3", "grep --version | head -1\n")

    assert out.startswith("grep (GNU grep)")


@pytest.mark.sshd
def test_the_busybox_host_runs_busybox_tools(ssh_fleet: SshFleet) -> None:
    out = sh(ssh_fleet, "bb-1", "grep --help 2>&1 | head -1; readlink /bin/sh\n")

    assert out.startswith("BusyBox v")
    assert out.endswith("\n/bin/busybox\n")


@pytest.mark.sshd
def test_the_busybox_host_has_the_tools_a_remote_search_needs(
    ssh_fleet: SshFleet,
) -> None:
    host = ssh_fleet.busybox
    (host.log_dir / "app.log").write_text("a req-1\nb req-2\nc req-1\n")
    tools = "sh grep awk tail find stat gzip head sed wc cat sort xargs mktemp date"
    script = (
        f"cd {REMOTE_LOG_DIR}\n"
        f"for t in {tools}; do command -v $t >/dev/null || echo missing $t; done\n"
        "gzip -c app.log > $(mktemp -d)/app.log.gz\n"
        "gzip -c app.log | gzip -dc | grep -n -F req-1 | wc -l\n"
        "stat -c %s app.log\n"
        "find . -name '*.log' | awk '{ print \"found \" $1 }'\n"
    )

    assert sh(ssh_fleet, "bb-1", script) == "2\n24\nfound ./app.log\n"


@pytest.mark.sshd
def test_a_non_posix_login_shell_runs_exec_sh_fine(
    ssh_fleet: SshFleet, ssh_nonposix_host: SshHost
) -> None:
    alias = ssh_nonposix_host.alias
    # The login shell really is not POSIX: it parses the remote command itself.
    direct = ssh(ssh_fleet, alias, 'x=1; echo "$x"')
    assert direct.returncode != 0
    assert direct.stdout == ""

    out = sh(ssh_fleet, alias, 'x=1; echo "$x $PWD"\n')

    assert out == f"1 {REMOTE_ROOT}/home/{ssh_nonposix_host.user}\n"
    assert not ssh_nonposix_host.login_shell.endswith(("/sh", "/bash", "/dash"))


# (endpoint, ssh options, text every one of ssh's stderr must contain)
FAILURES = [
    ("refused", (), ["Connection refused"]),
    (
        "silent",
        ("ConnectTimeout=2",),
        ["Connection timed out during banner exchange"],
    ),
    (
        "unknown_host_key",
        (),
        ["No ED25519 host key is known for", "Host key verification failed."],
    ),
    (
        "changed_host_key",
        (),
        ["REMOTE HOST IDENTIFICATION HAS CHANGED", "Host key verification failed."],
    ),
    ("unauthorized", (), ["Permission denied (publickey)."]),
]


@pytest.mark.sshd
@pytest.mark.parametrize(
    ("endpoint", "options", "messages"), FAILURES, ids=[f[0] for f in FAILURES]
)
def test_each_failure_endpoint_fails_its_own_way(
    ssh_fleet: SshFleet, endpoint: str, options: tuple[str, ...], messages: list[str]
) -> None:
    alias = getattr(ssh_fleet.endpoints, endpoint).alias
    started = time.monotonic()

    result = ssh(ssh_fleet, alias, "echo reached", options=options, timeout=20)

    assert result.returncode == 255
    assert result.stdout == ""
    for message in messages:
        assert message in result.stderr
    if endpoint == "silent":
        assert 1.5 < time.monotonic() - started < 10


@pytest.mark.sshd
def test_a_killed_host_drops_its_open_connection_mid_stream(
    ssh_fleet: SshFleet,
) -> None:
    web1 = ssh_fleet.hosts[0]
    with subprocess.Popen(
        ssh_fleet.ssh("web-1", "exec /bin/sh -s"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdin is not None
        assert proc.stdout is not None
        proc.stdin.write("echo started; sleep 60; echo never\n")
        proc.stdin.flush()
        assert proc.stdout.readline() == "started\n"

        web1.kill()
        out, err = proc.communicate(timeout=10)

    assert (proc.returncode, out) == (255, "")
    assert "closed by remote host" in err
    assert "Connection refused" in ssh(ssh_fleet, "web-1", "true").stderr
    web1.start()
    assert sh(ssh_fleet, "web-1", "echo back\n") == "back\n"


def control(
    fleet: SshFleet, alias: str, operation: str, mux: tuple[str, ...]
) -> subprocess.CompletedProcess[str]:
    """``ssh -O operation alias``: ask the master connection (check, exit)."""
    argv = [*fleet.ssh(alias, options=mux)[:-1], "-O", operation, alias]
    return subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)


@pytest.fixture
def control_dir() -> Iterator[Path]:
    # Short: a ControlPath must fit a unix socket address (~104 bytes) with
    # the random suffix ssh adds while creating it.
    with tempfile.TemporaryDirectory(prefix="tr-cm-") as folder:
        yield Path(folder)


@pytest.mark.sshd
def test_control_master_multiplexes_commands_over_one_connection(
    ssh_fleet: SshFleet, control_dir: Path
) -> None:
    mux = (
        "ControlMaster=auto",
        f"ControlPath={control_dir}/%C",
        "ControlPersist=30",
    )
    try:
        first = ssh(ssh_fleet, "web-2", "echo $SSH_CONNECTION", options=mux)
        check = control(ssh_fleet, "web-2", "check", mux)
        started = time.monotonic()
        second = ssh(ssh_fleet, "web-2", "echo $SSH_CONNECTION", options=mux)
        second_took = time.monotonic() - started
    finally:
        control(ssh_fleet, "web-2", "exit", mux)

    assert check.returncode == 0
    assert "Master running" in check.stderr
    # The same client port: the second command rode the first one's connection.
    assert second.stdout == first.stdout != ""
    assert second_took < 2


@pytest.mark.sshd
def test_many_sessions_at_once_through_one_master(
    ssh_fleet: SshFleet, control_dir: Path
) -> None:
    mux = ("ControlMaster=auto", f"ControlPath={control_dir}/%C", "ControlPersist=30")
    results: list[str] = []

    def one(i: int) -> None:
        results.append(ssh(ssh_fleet, "web-3", f"echo {i}", options=mux).stdout)

    try:
        assert ssh(ssh_fleet, "web-3", "true", options=mux).returncode == 0
        threads = [threading.Thread(target=one, args=(i,)) for i in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        control(ssh_fleet, "web-3", "exit", mux)

    assert sorted(results) == sorted(f"{i}\n" for i in range(20))


@pytest.mark.sshd
def test_plain_ssh_on_path_reaches_the_fleet_through_bin_dir(
    ssh_fleet: SshFleet,
) -> None:
    env = {**os.environ, "PATH": f"{ssh_fleet.bin_dir}{os.pathsep}{os.environ['PATH']}"}

    result = subprocess.run(
        ["ssh", "web-3", "echo $SSH_CONNECTION"],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[2] == "127.0.0.4"


@pytest.mark.docker
@pytest.mark.sshd
def test_a_hosts_user_reaches_the_engine_only_through_its_own_proxy(
    ssh_fleet: SshFleet, docker_host_url: str
) -> None:
    engine = Path(engine_socket(docker_host_url))
    before = engine.stat()
    web1 = ssh_fleet.hosts[0]
    version = ("docker", "version", "--format", "{{.Server.Version}}")

    with remote_engine(web1, str(engine)) as remote:
        proxy = (web1.home / "docker.sock").stat()
        inside = ssh(ssh_fleet, "web-1", *version)
        env = ssh(ssh_fleet, "web-1", "echo $DOCKER_HOST")
    after = ssh(ssh_fleet, "web-1", *version)

    assert inside.returncode == 0, inside.stderr
    assert inside.stdout.strip()
    assert env.stdout == f"{remote}\n"
    assert (proxy.st_uid, stat.S_IMODE(proxy.st_mode)) == (
        web1.home.stat().st_uid,
        0o600,
    )
    assert after.returncode != 0  # closed with the test
    assert not ssh(ssh_fleet, "web-2", "echo $DOCKER_HOST").stdout.strip()
    now = engine.stat()
    assert (now.st_uid, now.st_gid, now.st_mode) == (
        before.st_uid,
        before.st_gid,
        before.st_mode,
    )


@pytest.mark.sshd
def test_root_may_not_log_in(ssh_fleet: SshFleet) -> None:
    result = ssh(ssh_fleet, "web-1", "true", options=("User=root",))

    assert result.returncode == 255
    assert "Permission denied (publickey)." in result.stderr


@pytest.mark.sshd
def test_closing_a_fleet_leaves_nothing_behind(ssh_session_fleet: SshFleet) -> None:
    fleet = start_fleet()
    daemons = [d.proc.pid for d in fleet.daemons if d.proc is not None]
    ports = {(d.addresses[0], d.port) for d in fleet.daemons}
    assert sh(fleet, "web-1", "echo up\n") == "up\n"

    fleet.close()

    assert not fleet.tmp.exists()
    assert [pid for pid in daemons if Path(f"/proc/{pid}").exists()] == []
    assert [
        p for p in Path("/proc").glob("[0-9]*/cmdline") if _mentions(p, fleet.tmp)
    ] == []
    listening = subprocess.run(
        ["ss", "-Hltn"], capture_output=True, text=True, check=True
    ).stdout
    assert [p for p in ports if f"{p[0]}:{p[1]} " in listening] == []


def _mentions(cmdline: Path, folder: Path) -> bool:
    try:
        return str(folder).encode() in cmdline.read_bytes()
    except OSError:
        return False
