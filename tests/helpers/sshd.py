"""Pytest plugin: private sshd "hosts" on loopback for tests of the ssh source.

Registered in ``tests/conftest.py`` (``pytest_plugins``). The hosts and the
client config are made by ``helpers.sshd_fleet`` (see its docstring for how;
``sshd_daemon``, ``sshd_files`` and ``ssh_endpoints`` are its parts):

``ssh_fleet`` (per test) -> ``SshFleet``
    ``.hosts`` (``web-1``..``web-3``: GNU tools), ``.busybox`` (``bb-1``: a
    busybox chroot), ``.nonposix`` (``{"tcsh": tcsh-1}``), ``.endpoints``
    (the failure endpoints), ``.config``, ``.ssh_args()`` (``-F config``),
    ``.ssh(alias, *cmd)``, ``.run(alias, script)`` (``exec /bin/sh -s``),
    ``.bin_dir`` (``ssh``/``scp`` wrappers with ``-F``, to put first on PATH).
    Before each test, killed hosts are started again and every host's log
    folder and home are emptied.
``ssh_hosts`` (per test) -> ``tuple[SshHost, ...]``: ``ssh_fleet.hosts``.
    An ``SshHost`` has ``alias``, ``address``, ``port``, ``user``, ``log_dir``
    (the local folder the host shows at ``remote_dir``), ``remote_dir``
    (``/srv/tracerun-test/logs`` on every host), ``home``, ``login_shell``,
    ``kill()`` (the host dies, open connections drop) and ``start()``.
``ssh_config`` (per test) -> ``Path`` of the client config.
``ssh_nonposix_host`` (per test) -> an ``SshHost`` whose user's login shell
    is not POSIX (tcsh, csh or fish); skips when none is installed. Its user
    (``tracerun-tcsh``) exists on every GNU host: ``ssh -l tracerun-tcsh web-2``.
``ssh_session_fleet``: the session's fleet, without the per-test reset.

For ``type: docker`` with ``host: ssh://…``, ``helpers.sshd_engine.remote_engine``
lets a host's user reach the test engine for one test.

Example::

    def test_reads_every_host(ssh_fleet):
        for host in ssh_fleet.hosts:
            (host.log_dir / "app.log").write_text(f"hello from {host.alias}\\n")
        out = ssh_fleet.run("web-2", "cat /srv/tracerun-test/logs/app.log")
        assert out.stdout == "hello from web-2\\n"

Without root or sshd (see ``scripts/test-sshd.sh``) these fixtures and tests
marked ``sshd`` skip with a reason; under ``CI=true`` they fail instead.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.docker_fixtures import in_ci
from helpers.sshd_fleet import SshFleet, SshHost, sshd_problem, start_fleet


@functools.cache
def _problem() -> str | None:
    return sshd_problem()


def _skip_or_fail(reason: str) -> None:
    if in_ci():
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def require_sshd() -> None:
    """Skip the current test if private sshd hosts can't run here; fail instead under CI."""
    problem = _problem()
    if problem is not None:
        _skip_or_fail(problem)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sshd: needs private sshd hosts (skipped without, except under CI=true)",
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("sshd") is not None:
        require_sshd()


_STARTUP = pytest.StashKey[str]()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    line = terminalreporter.config.stash.get(_STARTUP, None)
    if line is not None:
        terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def ssh_session_fleet(pytestconfig: pytest.Config) -> Iterator[SshFleet]:
    require_sshd()
    fleet = start_fleet()
    pytestconfig.stash[_STARTUP] = (
        f"sshd hosts: {len(fleet.daemons)} started in {fleet.startup_seconds:.2f} s"
    )
    try:
        yield fleet
    finally:
        fleet.close()


@pytest.fixture
def ssh_fleet(ssh_session_fleet: SshFleet) -> SshFleet:
    ssh_session_fleet.reset()
    return ssh_session_fleet


@pytest.fixture
def ssh_hosts(ssh_fleet: SshFleet) -> tuple[SshHost, ...]:
    return ssh_fleet.hosts


@pytest.fixture
def ssh_config(ssh_fleet: SshFleet) -> Path:
    return ssh_fleet.config


@pytest.fixture
def ssh_nonposix_host(ssh_fleet: SshFleet) -> SshHost:
    if not ssh_fleet.nonposix:
        _skip_or_fail(
            "no non-POSIX login shell installed (tcsh, csh or fish; scripts/test-sshd.sh)"
        )
    return next(iter(ssh_fleet.nonposix.values()))
