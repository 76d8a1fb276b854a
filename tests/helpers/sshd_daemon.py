"""One private sshd in its own mount and pid namespaces: a "host" with its own files.

``Sshd.launch`` runs ``setpriv --pdeathsig KILL unshare --mount --pid --fork
--mount-proc --kill-child sh -c <script> ... sshd -D``: the script mounts a
tmpfs over ``/srv``, binds the host's folder at its fixed path and our
passwd/group over the machine's, then execs sshd, which becomes the pid
namespace's init. Killing that init kills every process in the namespace and
drops its mounts; ``--pdeathsig``/``--kill-child`` do the same if the test
process dies without cleaning up.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

SSHD_CANDIDATES = ("/usr/sbin/sshd", "/usr/local/sbin/sshd")
#: How long a fleet (or one restarted host) may take to listen.
START_TIMEOUT = 10.0
#: Where a chroot host's root is bound inside its namespace.
CHROOT_AT = "/srv/tracerun-chroot"
# (ChrootDirectory needs every component of its path root-owned and not
# group/world-writable, which no folder under /tmp is.)
#: The devices bound into a chroot host's /dev.
CHROOT_DEVICES = ("null", "zero", "random", "urandom")

# Run inside the new namespaces (unshare has mounted a /proc of the new pid
# namespace): a tmpfs over /srv (nothing of the machine's /srv is changed), the
# host's folder bound at its fixed path, our passwd and group over the
# machine's; for a chroot, devices and a /proc inside it; then sshd, as the pid
# namespace's init.
_NAMESPACE_SCRIPT = """\
set -e
mount -t tmpfs -o mode=0755,size=1m tracerun-srv /srv
mkdir "$1"
mount --bind "$2" "$1"
mount --bind "$3" /etc/passwd
mount --bind "$4" /etc/group
if [ -n "$TRACERUN_CHROOT" ]; then
    for dev in $TRACERUN_DEVICES; do mount --bind "/dev/$dev" "$1/dev/$dev"; done
    mount -t proc proc "$1/proc"
fi
shift 4
exec "$@"
"""


def find_sshd() -> str | None:
    """Path of the sshd binary, or None."""
    return next((p for p in SSHD_CANDIDATES if os.access(p, os.X_OK)), None)


@dataclass(eq=False)
class Sshd:
    """One private sshd in its own namespaces: a "host" with its own files."""

    name: str
    addresses: tuple[str, ...]
    port: int
    state_dir: Path  # config, host key, passwd, log: not visible at the remote path
    root: Path  # what the namespace binds at `bind_at`
    bind_at: str
    chroot: bool = False  # sessions run chrooted at `bind_at`
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def config(self) -> Path:
        """This sshd's ``sshd_config``."""
        return self.state_dir / "sshd_config"

    @property
    def log(self) -> Path:
        """This sshd's log (``-E``): errors only (``LogLevel ERROR``)."""
        return self.state_dir / "sshd.log"

    @property
    def pid_file(self) -> Path:
        """Written by sshd once it listens (it holds 1: its pid in its namespace)."""
        return self.state_dir / "sshd.pid"

    @property
    def alive(self) -> bool:
        """Whether the sshd was started and has not been killed or died."""
        return self.proc is not None and self.proc.poll() is None

    def launch(self) -> None:
        """Start it (does not wait for it to listen; see ``wait_listening``)."""
        self.pid_file.unlink(missing_ok=True)
        argv = [
            *("setpriv", "--pdeathsig", "KILL", "--"),
            *("unshare", "--mount", "--propagation", "private"),
            *("--pid", "--fork", "--mount-proc", "--kill-child", "--"),
            *("/bin/sh", "-c", _NAMESPACE_SCRIPT, "tracerun-sshd", self.bind_at),
            *(
                str(self.root),
                str(self.state_dir / "passwd"),
                str(self.state_dir / "group"),
            ),
            *(find_sshd() or "sshd", "-D", "-f", str(self.config), "-E", str(self.log)),
        ]
        env = {
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "TRACERUN_CHROOT": "1" if self.chroot else "",
            "TRACERUN_DEVICES": " ".join(CHROOT_DEVICES),
        }
        with self.log.open("ab") as log:  # mount errors land in the sshd log too
            self.proc = subprocess.Popen(
                argv,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )

    def wait_listening(self, deadline: float) -> None:
        """Return once it listens on all its addresses; raise if it died or took too long.

        Why the pid file: sshd writes it only once its sockets are bound. A
        probe connection would be logged as an error ("kex_exchange_identification:
        Connection closed"), and reading ``/proc/net/tcp`` costs ~8 ms a time here.
        """
        while not self.pid_file.is_file() or self.pid_file.stat().st_size == 0:
            if not self.alive:
                msg = f"sshd {self.name} exited: {self.log.read_text(errors='replace').strip()}"
                raise RuntimeError(msg)
            if time.monotonic() > deadline:
                msg = f"sshd {self.name} does not listen on {self.addresses} port {self.port}"
                raise TimeoutError(msg)
            time.sleep(0.003)

    def kill(self) -> None:
        """Stop it hard: the sshd, every session and remote command it runs, its mounts."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            # Kill the namespace's init (sshd), not unshare: the kernel then kills
            # every other process in the namespace and init reaps them, unshare
            # reaps init, we reap unshare. Killing unshare instead (--kill-child)
            # would leave init to the machine's pid 1, which may not reap (here it
            # does not: zombies).
            for pid in _children(self.proc.pid) or [self.proc.pid]:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        self.proc.wait()

    def start(self) -> None:
        """Start it again after ``kill`` (same port, keys and files); no-op when alive."""
        if self.alive:
            return
        self.kill()
        self.launch()
        self.wait_listening(time.monotonic() + START_TIMEOUT)


def _children(pid: int) -> list[int]:
    """The pids of ``pid``'s children (``/proc/PID/task/PID/children``)."""
    try:
        return [
            int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        ]
    except OSError:
        return []


def free_port(addresses: Sequence[str]) -> int:
    """A TCP port that is free on every one of ``addresses`` right now."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind((addresses[0], 0))
            port: int = first.getsockname()[1]
            others = [socket.socket() for _ in addresses[1:]]
            try:
                for sock, address in zip(others, addresses[1:], strict=True):
                    sock.bind((address, port))
            except OSError:
                continue
            finally:
                for sock in others:
                    sock.close()
            return port
    msg = f"no port free on all of {addresses}"
    raise RuntimeError(msg)
