"""Private sshd "hosts" on loopback addresses for the ssh tests, independent of pytest.

``start_fleet()`` starts one ``sshd`` per host, each in its own mount and pid
namespace (``helpers.sshd_daemon``), so that every host shows its own log
folder at the same remote path, ``/srv/tracerun-test/logs``, with the
machine's GNU tools (``web-1``..``web-3``); one more host (``bb-1``) runs its
sessions in a ``ChrootDirectory`` holding a static busybox, so busybox's tools
are what a remote script gets there. The client side is one ``ssh_config``
with a ``Host`` alias per host and per failure endpoint
(``helpers.ssh_endpoints``); the files are written by ``helpers.sshd_files``.

Users: the hosts log in ``tracerun`` (bash) and one user per non-POSIX shell
found here (``tracerun-tcsh``, ...), uid 61001 and up. They exist only inside
the hosts' namespaces, whose ``/etc/passwd`` and ``/etc/group`` are
bind-mounted copies of the machine's plus those users: nothing is added to
the machine's user database. Their homes are under the remote path too
(``/srv/tracerun-test/home/<user>``), so a stray ``touch ~/x`` lands in the
host's temp folder. Root may not log in.

Needs root (namespaces, mounts, sshd for other users), ``sshd``,
``unshare``/``setpriv`` (util-linux) and a static busybox;
``sshd_problem()`` says what is missing. Everything lives in one temp folder,
removed by ``SshFleet.close`` once every sshd (and with it its namespace) is gone.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from helpers.ssh_endpoints import Endpoint, FailureEndpoints, SilentListener
from helpers.sshd_daemon import CHROOT_AT, START_TIMEOUT, Sshd, find_sshd, free_port
from helpers.sshd_files import (
    FIRST_UID,
    REMOTE_LOG_DIR,
    REMOTE_ROOT,
    USER,
    Users,
    busybox_rootfs,
    client_config,
    find_static_busybox,
    host_root,
    keygen,
    mkdir,
    passwd_files,
    public_key,
    sshd_config,
    wrappers,
)

#: Non-POSIX login shells tried, each gets a user ``tracerun-<shell>``.
NONPOSIX_SHELLS = ("fish", "tcsh", "csh")

_DEAD_ADDRESS = "127.0.0.6"  # the refused port and the silent listener
_UNKNOWN_KEY_ADDRESS = "127.0.0.7"  # web-1 listens here too; not in known_hosts
_CHANGED_KEY_ADDRESS = "127.0.0.8"  # web-1 listens here too; a wrong key known


def nonposix_shells() -> dict[str, str]:
    """The non-POSIX login shells installed here: ``{name: path}``, one per binary."""
    found: dict[str, str] = {}
    seen: set[str] = set()
    for name in NONPOSIX_SHELLS:
        path = shutil.which(name)
        if path is None or os.path.realpath(path) in seen:
            continue  # csh is often tcsh under another name
        seen.add(os.path.realpath(path))
        found[name] = path
    return found


def sshd_problem() -> str | None:
    """Why private sshd hosts cannot run here (checked by trying), or None."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return (
            "the private sshd hosts need root (mount namespaces, sshd for other users)"
        )
    if find_sshd() is None:
        return "no sshd (run scripts/test-sshd.sh, or apt-get install openssh-server)"
    missing = [
        t
        for t in ("unshare", "setpriv", "mount", "ssh", "ssh-keygen")
        if not shutil.which(t)
    ]
    if missing:
        return f"missing {', '.join(missing)}"
    if find_static_busybox() is None:
        return "no static busybox (apt-get install busybox-static)"
    probe = subprocess.run(
        ["unshare", "--mount", "--pid", "--fork", "--kill-child", "true"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        return f"unshare --mount --pid fails here: {probe.stderr.strip()}"
    return None


@dataclass(frozen=True)
class SshHost:
    """A host as a test sees it: how to reach it, and where its files are locally.

    Attributes:
        alias: the ``Host`` name in the fleet's ``ssh_config`` (``web-1``).
        address: its loopback address.
        port: its sshd's port.
        user: the user the alias logs in as.
        log_dir: the local folder the host shows at ``remote_dir``; write logs here.
        remote_dir: the remote log folder, the same on every host.
        home: the local folder that is ``user``'s remote home (``~``).
        login_shell: ``user``'s login shell on that host.
    """

    alias: str
    address: str
    port: int
    user: str
    log_dir: Path
    remote_dir: str
    home: Path
    login_shell: str
    daemon: Sshd = field(repr=False, compare=False)

    def kill(self) -> None:
        """Kill this host's sshd and everything it runs: open connections drop mid-stream."""
        self.daemon.kill()

    def start(self) -> None:
        """Bring a killed host back (same address, port, key and files)."""
        self.daemon.start()


@dataclass
class SshFleet:
    """The running hosts, the client config that reaches them, and how to tear it all down.

    Attributes:
        hosts: the GNU hosts ``web-1``, ``web-2``, ``web-3`` (127.0.0.2-4).
        busybox: ``bb-1`` (127.0.0.5): sessions chrooted into a static busybox.
        nonposix: one alias per non-POSIX login shell installed (``tcsh-1``,
            ``fish-1``): web-1, logged in as a user whose login shell that is.
        endpoints: the failure endpoints.
        config: the client ``ssh_config`` (pass ``-F config``, see ``ssh_args``).
        bin_dir: holds ``ssh`` and ``scp`` wrappers that add ``-F config``: put
            it first on ``PATH`` and any program's plain ``ssh`` reaches the fleet.
        tmp: the temp folder everything lives in (removed by ``close``).
    """

    hosts: tuple[SshHost, ...]
    busybox: SshHost
    nonposix: dict[str, SshHost]
    endpoints: FailureEndpoints
    config: Path
    bin_dir: Path
    tmp: Path
    daemons: tuple[Sshd, ...] = field(repr=False)
    startup_seconds: float = 0.0  # how long start_fleet took
    _closers: list[socket.socket | SilentListener] = field(
        repr=False, default_factory=list
    )

    @property
    def all_hosts(self) -> tuple[SshHost, ...]:
        """Every host alias that logs in: the GNU hosts, busybox, the non-POSIX users."""
        return (*self.hosts, self.busybox, *self.nonposix.values())

    def ssh_args(self) -> list[str]:
        """The ``ssh`` flags that select this fleet's client config: ``["-F", config]``.

        (``ssh`` reads ``~/.ssh/config`` from the passwd home, not ``$HOME``.)
        """
        return ["-F", str(self.config)]

    def ssh(self, alias: str, *command: str, options: Iterable[str] = ()) -> list[str]:
        """The argv of ``ssh -F config [-o opt]... alias command...``."""
        opts = [arg for opt in options for arg in ("-o", opt)]
        return ["ssh", *self.ssh_args(), *opts, alias, *command]

    def run(
        self,
        alias: str,
        script: str,
        *,
        options: Iterable[str] = (),
        timeout: float = 30,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``script`` on ``alias`` as tracerun will: ``exec /bin/sh -s``, script on stdin."""
        return subprocess.run(
            self.ssh(alias, "exec /bin/sh -s", options=options),
            input=script,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def reset(self) -> None:
        """Between tests: bring killed hosts back, empty every log folder and home."""
        for daemon in self.daemons:
            daemon.start()
        for host in self.all_hosts:
            _empty(host.log_dir)
            _empty(host.home)

    def close(self) -> None:
        """Kill every sshd (their namespaces and mounts go with them), remove the temp folder."""
        for daemon in self.daemons:
            daemon.kill()
        for closer in self._closers:
            closer.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def _empty(folder: Path) -> None:
    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


@dataclass(frozen=True)
class _HostSpec:
    alias: str
    addresses: tuple[str, ...]
    chroot: bool = False


_SPECS = (
    # web-1 also answers on the addresses of two failure endpoints.
    _HostSpec("web-1", ("127.0.0.2", _UNKNOWN_KEY_ADDRESS, _CHANGED_KEY_ADDRESS)),
    _HostSpec("web-2", ("127.0.0.3",)),
    _HostSpec("web-3", ("127.0.0.4",)),
    _HostSpec("bb-1", ("127.0.0.5",), chroot=True),
)


def start_fleet(tmp_parent: str | None = None) -> SshFleet:
    """Start every host, write the client config; the caller must ``close()`` the fleet.

    Raises:
        RuntimeError: an sshd exited or a tool failed (see ``sshd_problem`` first).
        TimeoutError: an sshd did not listen within ``START_TIMEOUT``.
    """
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="tracerun-sshd-", dir=tmp_parent))
    daemons: list[Sshd] = []
    closers: list[socket.socket | SilentListener] = []
    try:
        fleet = _start(tmp, daemons, closers)
    except BaseException:
        for daemon in daemons:
            daemon.kill()
        for closer in closers:
            closer.close()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    fleet.startup_seconds = time.monotonic() - started
    return fleet


def _start(
    tmp: Path, daemons: list[Sshd], closers: list[socket.socket | SilentListener]
) -> SshFleet:
    tmp.chmod(0o755)  # the test users read authorized_keys and their files below
    client = mkdir(tmp / "client", 0o700)
    user_key, stranger_key, other_key = (
        client / n for n in ("id_ed25519", "stranger", "other_host")
    )
    host_keys = [
        mkdir(tmp / s.alias / "sshd", 0o700) / "ssh_host_ed25519_key" for s in _SPECS
    ]
    keygen([user_key, stranger_key, other_key, *host_keys])
    authorized = tmp / "authorized_keys"
    authorized.write_text(public_key(user_key) + "\n")
    authorized.chmod(0o644)

    gnu_users: Users = {USER: (FIRST_UID, "/bin/bash")}
    for i, (name, path) in enumerate(nonposix_shells().items(), start=1):
        gnu_users[f"{USER}-{name}"] = (FIRST_UID + i, path)
    hosts: dict[str, SshHost] = {}
    for spec, host_key in zip(_SPECS, host_keys, strict=True):
        users = {USER: (FIRST_UID, "/bin/sh")} if spec.chroot else gnu_users
        daemon = _prepare_host(tmp / spec.alias, spec, host_key, authorized, users)
        daemons.append(daemon)
        daemon.launch()  # all at once; waited for below
        hosts.update(_host_aliases(spec.alias, daemon, users))

    endpoints = _endpoints(hosts["web-1"], closers)
    known = [
        f"[{d.addresses[0]}]:{d.port} {public_key(k)}"
        for d, k in zip(daemons, host_keys, strict=True)
    ]
    known.append(
        f"[{_CHANGED_KEY_ADDRESS}]:{hosts['web-1'].port} {public_key(other_key)}"
    )
    (client / "known_hosts").write_text("\n".join(known) + "\n")
    config = client / "ssh_config"
    config.write_text(
        client_config(hosts.values(), endpoints, client, user_key, stranger_key)
    )

    deadline = time.monotonic() + START_TIMEOUT
    for daemon in daemons:
        daemon.wait_listening(deadline)
    return SshFleet(
        hosts=tuple(hosts[s.alias] for s in _SPECS if not s.chroot),
        busybox=hosts["bb-1"],
        nonposix={
            h.login_shell.rpartition("/")[2]: h
            for h in hosts.values()
            if h.user != USER
        },
        endpoints=endpoints,
        config=config,
        bin_dir=wrappers(mkdir(tmp / "bin"), config),
        tmp=tmp,
        daemons=tuple(daemons),
        _closers=closers,
    )


def _prepare_host(
    top: Path, spec: _HostSpec, host_key: Path, authorized: Path, users: Users
) -> Sshd:
    """Lay out one host's files and sshd config; return its (not yet started) sshd."""
    state = host_key.parent
    port = free_port(spec.addresses)
    if spec.chroot:
        root = mkdir(top / "root")
        busybox_rootfs(root, _require(find_static_busybox()), users)
        host_root(root / REMOTE_ROOT.lstrip("/"), users)
        daemon = Sshd(
            spec.alias, spec.addresses, port, state, root, CHROOT_AT, chroot=True
        )
    else:
        root = mkdir(top / "srv")
        host_root(root, users)
        daemon = Sshd(spec.alias, spec.addresses, port, state, root, REMOTE_ROOT)
    passwd_files(state, users, machine=True)
    daemon.config.write_text(sshd_config(daemon, host_key, authorized, users))
    return daemon


def _host_aliases(alias: str, daemon: Sshd, users: Users) -> dict[str, SshHost]:
    """``alias`` for the main user; ``<shell>-1`` for each non-POSIX shell's user."""
    remote = daemon.root / REMOTE_ROOT.lstrip("/") if daemon.chroot else daemon.root
    out = {}
    for user, (_, shell) in users.items():
        if user != USER and alias != "web-1":
            continue  # the other users exist on every GNU host, have an alias on web-1
        name = alias if user == USER else f"{user.removeprefix(USER + '-')}-1"
        out[name] = SshHost(
            alias=name,
            address=daemon.addresses[0],
            port=daemon.port,
            user=user,
            log_dir=remote / "logs",
            remote_dir=REMOTE_LOG_DIR,
            home=remote / "home" / user,
            login_shell=shell,
            daemon=daemon,
        )
    return out


def _endpoints(
    web1: SshHost, closers: list[socket.socket | SilentListener]
) -> FailureEndpoints:
    refused = socket.socket()  # bound, never listening: connections are refused
    closers.append(refused)
    refused.bind((_DEAD_ADDRESS, 0))
    silent = SilentListener(_DEAD_ADDRESS)
    closers.append(silent)
    return FailureEndpoints(
        refused=Endpoint("refused", _DEAD_ADDRESS, refused.getsockname()[1]),
        silent=Endpoint("silent", _DEAD_ADDRESS, silent.port),
        unknown_host_key=Endpoint("unknown-hostkey", _UNKNOWN_KEY_ADDRESS, web1.port),
        changed_host_key=Endpoint("changed-hostkey", _CHANGED_KEY_ADDRESS, web1.port),
        unauthorized=Endpoint("unauthorized", web1.address, web1.port),
    )


def _require(path: str | None) -> str:
    if path is None:
        msg = "no static busybox"
        raise RuntimeError(msg)
    return path
