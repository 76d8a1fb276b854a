"""The private Docker engine, seen from a fleet host: for ``host: ssh://…`` tests.

``remote_engine(host, engine)`` lets ``host.user`` use the engine for one test:

- a socket proxy at ``~/docker.sock`` in the host's home (a temp folder of
  the fleet's), owned by that user and mode 0600, forwards each connection
  to the engine's socket, which stays as it is (root's, group docker); the
  user gets no group and the machine's users are not changed;
- ``~/.ssh/environment`` holds ``DOCKER_HOST=unix://<that socket>`` (the
  hosts' sshd has ``PermitUserEnvironment DOCKER_HOST``), so a remote
  ``docker`` (the machine's ``/usr/bin/docker``, visible in the namespaces)
  and ``docker system dial-stdio`` reach the engine.

The fleet empties each home before the next test; the proxy closes at exit.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from helpers.docker_fixtures import in_ci
from helpers.sshd_files import FIRST_UID, REMOTE_ROOT

if TYPE_CHECKING:
    from helpers.sshd_fleet import SshHost

SOCKET = "docker.sock"


class SocketProxy:
    """A unix socket whose every connection is piped to another unix socket."""

    def __init__(self, path: Path, target: str, uid: int) -> None:
        self.target = target
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(str(path))
        os.chown(path, uid, FIRST_UID)
        path.chmod(0o600)
        self._listener.listen(32)
        self._open: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._start(self._accept)

    def close(self) -> None:
        """Stop accepting, drop every forwarded connection, wait for the threads."""
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        for thread in list(self._threads):
            thread.join(timeout=5)
        self._listener.close()
        for sock in self._open:
            sock.close()

    def _start(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            engine = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                engine.connect(self.target)
            except OSError:
                engine.close()
                client.close()
                continue
            with self._lock:
                self._open += [client, engine]
            self._start(_pump, client, engine)
            self._start(_pump, engine, client)


def _pump(source: socket.socket, sink: socket.socket) -> None:
    """Copy until ``source`` ends, then end ``sink``'s writing half."""
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)


def engine_socket(docker_host: str) -> str:
    """The socket path of a ``unix://`` engine URL; other kinds skip (fail under CI)."""
    for scheme in ("unix://", "http+unix://"):
        if docker_host.startswith(scheme):
            return docker_host.removeprefix(scheme)
    reason = f"the proxy forwards to a unix socket engine, not {docker_host}"
    if in_ci():
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


@contextlib.contextmanager
def remote_engine(host: SshHost, engine: str) -> Iterator[str]:
    """Let ``host.user`` on ``host`` use the engine at socket ``engine``; yield its remote URL."""
    proxy = SocketProxy(host.home / SOCKET, engine, host.home.stat().st_uid)
    remote = f"unix://{REMOTE_ROOT}/home/{host.user}/{SOCKET}"
    ssh_dir = host.home / ".ssh"
    ssh_dir.mkdir(exist_ok=True)
    (ssh_dir / "environment").write_text(f"DOCKER_HOST={remote}\n")
    try:
        yield remote
    finally:
        proxy.close()
        (host.home / SOCKET).unlink()
