"""The files of the ssh test fleet: keys, sshd and client configs, passwd, a busybox root.

Pure writers: they lay out what ``helpers.sshd_fleet`` starts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.sshd_daemon import CHROOT_AT, CHROOT_DEVICES, Sshd

if TYPE_CHECKING:
    from helpers.ssh_endpoints import FailureEndpoints
    from helpers.sshd_fleet import SshHost

#: The folder every host shows its own files under.
REMOTE_ROOT = "/srv/tracerun-test"
#: The remote log folder: the same path on every host, different files on each.
REMOTE_LOG_DIR = f"{REMOTE_ROOT}/logs"
#: The user the hosts' aliases log in as (login shell bash).
USER = "tracerun"
#: uid (and gid) of USER; the other test users follow.
FIRST_UID = 61001
BUSYBOX_CANDIDATES = ("/bin/busybox", "/usr/bin/busybox")

Users = dict[str, tuple[int, str]]  # name -> (uid, login shell)


def find_static_busybox() -> str | None:
    """Path of a statically linked busybox (it must run in an empty chroot), or None."""
    for path in BUSYBOX_CANDIDATES:
        if os.access(path, os.X_OK) and not _dynamic(Path(path)):
            return path
    return None


def _dynamic(binary: Path) -> bool:
    """Whether an ELF file asks for a program interpreter (ld.so): it is not static."""
    with binary.open("rb") as f:
        head = f.read(4096)  # PT_INTERP's path sits right after the program headers
    return b"/ld-linux" in head or b"/ld-musl" in head


def keygen(paths: Iterable[Path]) -> None:
    """Throw-away ed25519 keys at ``paths`` (+ ``.pub``), made in parallel."""
    procs = [
        subprocess.Popen(
            [
                "ssh-keygen",
                "-q",
                "-t",
                "ed25519",
                "-N",
                "",
                "-C",
                path.name,
                "-f",
                str(path),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for path in paths
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=30)
        if proc.returncode != 0:
            msg = f"ssh-keygen failed: {err.decode(errors='replace')}"
            raise RuntimeError(msg)


def public_key(path: Path) -> str:
    """``type base64`` of a key made by ``keygen`` (no comment)."""
    kind, blob, *_ = path.with_name(path.name + ".pub").read_text().split()
    return f"{kind} {blob}"


def mkdir(path: Path, mode: int = 0o755, uid: int = 0) -> Path:
    """``path`` (and its parents), with ``mode``; owned by test user ``uid`` if not 0."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(mode)
    os.chown(path, uid, FIRST_UID if uid else 0)  # the test users share one group
    return path


def sshd_config(
    daemon: Sshd, host_key: Path, authorized_keys: Path, users: Iterable[str]
) -> str:
    lines = [f"ListenAddress {address}:{daemon.port}" for address in daemon.addresses]
    lines += [
        f"HostKey {host_key}",
        f"AuthorizedKeysFile {authorized_keys}",
        f"AllowUsers {' '.join(users)}",
        f"PidFile {daemon.pid_file}",
        "StrictModes no",
        "UsePAM no",
        "PermitRootLogin no",
        "AuthenticationMethods publickey",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "LogLevel ERROR",
        # The default post-quantum kex (sntrup761x25519) costs ~0.17 s of CPU
        # per connection on a small machine; every test connects several times.
        # The client negotiates down to this, with its options unchanged.
        "KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org",
        # ControlMaster multiplexing: many sessions per connection, many at once.
        "MaxSessions 100",
        "MaxStartups 200",
        "PerSourceMaxStartups none",
        "LoginGraceTime 20",
        "UseDNS no",
        "PrintMotd no",
        "PrintLastLog no",
        # No pty: nothing is written to the machine's utmp/wtmp/lastlog.
        "PermitTTY no",
        "X11Forwarding no",
        "Subsystem sftp internal-sftp",  # scp is sftp since OpenSSH 9.0
        # A test may point the remote `docker` at its engine with a DOCKER_HOST
        # line in ~/.ssh/environment (helpers.sshd_engine); nothing else is read.
        "PermitUserEnvironment DOCKER_HOST",
    ]
    if daemon.chroot:
        lines.append(f"ChrootDirectory {CHROOT_AT}")
    return "\n".join(lines) + "\n"


def passwd_files(state_dir: Path, users: Users, *, machine: bool) -> None:
    """The passwd and group the host's namespace sees: the machine's (or none) plus ours."""
    passwd = (
        Path("/etc/passwd").read_text()
        if machine
        else "root:x:0:0:root:/root:/bin/sh\n"
    )
    group = Path("/etc/group").read_text() if machine else "root:x:0:\n"
    for name, (uid, shell) in users.items():
        passwd += f"{name}:x:{uid}:{FIRST_UID}:tracerun test:{REMOTE_ROOT}/home/{name}:{shell}\n"
    group += f"{USER}:x:{FIRST_UID}:\n"
    (state_dir / "passwd").write_text(passwd)
    (state_dir / "group").write_text(group)


def host_root(root: Path, users: Users) -> None:
    """Make ``logs/`` and each user's ``home/<user>`` (owned by the user) under ``root``."""
    mkdir(root / "logs")
    mkdir(root / "home")
    for name, (uid, _) in users.items():
        mkdir(root / "home" / name, 0o755, uid)


def busybox_rootfs(rootfs: Path, busybox: str, users: Users) -> None:
    """A root with a static busybox, an applet link for each tool, /tmp, /dev stand-ins."""
    for folder in ("bin", "sbin", "usr/bin", "usr/sbin", "etc", "dev"):
        mkdir(rootfs / folder)
    mkdir(rootfs / "tmp", 0o1777)
    shutil.copy2(busybox, rootfs / "bin" / "busybox")
    listing = subprocess.run(
        [busybox, "--list-full"], capture_output=True, text=True, check=True
    )
    for applet in listing.stdout.split():
        link = rootfs / applet
        if applet != "bin/busybox" and not link.exists():
            link.symlink_to("/bin/busybox")
    mkdir(rootfs / "proc", 0o555)
    for device in CHROOT_DEVICES:
        (rootfs / "dev" / device).touch()  # mount points for the bound devices
    (rootfs / "dev" / "fd").symlink_to("/proc/self/fd")
    for fd, name in enumerate(("stdin", "stdout", "stderr")):
        (rootfs / "dev" / name).symlink_to(f"/proc/self/fd/{fd}")
    passwd_files(rootfs / "etc", users, machine=False)
    for name in ("passwd", "group"):
        (rootfs / "etc" / name).chmod(0o644)


def client_config(
    hosts: Iterable[SshHost],
    endpoints: FailureEndpoints,
    client: Path,
    key: Path,
    stranger: Path,
) -> str:
    """One ``Host`` block per alias; shared settings last (ssh takes the first value it reads)."""
    blocks = [
        f"Host {h.alias}\n    HostName {h.address}\n    Port {h.port}\n    User {h.user}\n"
        for h in hosts
    ]
    for ep in (
        endpoints.refused,
        endpoints.silent,
        endpoints.unknown_host_key,
        endpoints.changed_host_key,
    ):
        blocks.append(
            f"Host {ep.alias}\n    HostName {ep.address}\n    Port {ep.port}\n"
        )
    ep = endpoints.unauthorized
    blocks.append(
        f"Host {ep.alias}\n    HostName {ep.address}\n    Port {ep.port}\n    IdentityFile {stranger}\n"
    )
    # IdentityFile adds up over blocks: the good key everywhere but `unauthorized`.
    blocks.append(f"Host * !{ep.alias}\n    IdentityFile {key}\n")
    blocks.append(
        "Host *\n"
        f"    User {USER}\n"
        "    IdentitiesOnly yes\n"
        "    IdentityAgent none\n"
        f"    UserKnownHostsFile {client / 'known_hosts'}\n"
        "    GlobalKnownHostsFile /dev/null\n"
        "    StrictHostKeyChecking yes\n"
        "    UpdateHostKeys no\n"
        "    BatchMode yes\n"
        "    PasswordAuthentication no\n"
        "    KbdInteractiveAuthentication no\n"
    )
    return "# tracerun test fleet (tests/helpers/sshd_fleet.py)\n" + "\n".join(blocks)


def wrappers(bin_dir: Path, config: Path) -> Path:
    """``ssh`` and ``scp`` in ``bin_dir`` that run the real ones with ``-F config``."""
    for tool in ("ssh", "scp"):
        real = shutil.which(tool) or f"/usr/bin/{tool}"
        wrapper = bin_dir / tool
        wrapper.write_text(f'#!/bin/sh\nexec {real} -F {config} "$@"\n')
        wrapper.chmod(0o755)
    return bin_dir
