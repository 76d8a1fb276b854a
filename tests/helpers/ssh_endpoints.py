"""The failure endpoints of the ssh test fleet: each fails in one known way.

A refused port, a listener that never speaks SSH; the host-key and
authorization failures are aliases in the fleet's ``ssh_config`` (see
``helpers.sshd_fleet``) pointing at a real sshd.
"""

from __future__ import annotations

import selectors
import socket
import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoint:
    """A failure endpoint: an alias in the fleet's ``ssh_config`` and where it points."""

    alias: str
    address: str
    port: int


@dataclass(frozen=True)
class FailureEndpoints:
    """Aliases that fail in one known way each (``ssh`` exits 255 on all of them).

    Attributes:
        refused: nothing listens (a bound, non-listening socket holds the port):
            "Connection refused".
        silent: accepts TCP and never says a word: with ``ConnectTimeout=N``,
            "Connection timed out during banner exchange" after N seconds.
        unknown_host_key: a real sshd (web-1's) on an address known_hosts has no
            key for: "Host key verification failed." (``StrictHostKeyChecking yes``).
        changed_host_key: web-1's sshd on an address whose known_hosts entry is
            another key: "REMOTE HOST IDENTIFICATION HAS CHANGED",
            "Host key verification failed.".
        unauthorized: web-1 with a user key that is not in authorized_keys:
            "Permission denied (publickey)."
    """

    refused: Endpoint
    silent: Endpoint
    unknown_host_key: Endpoint
    changed_host_key: Endpoint
    unauthorized: Endpoint


class SilentListener:
    """A TCP listener (a small thread) that accepts connections and never speaks SSH."""

    def __init__(self, address: str) -> None:
        self._sock = socket.create_server((address, 0), backlog=64)
        self.port: int = self._sock.getsockname()[1]
        self._stop_r, self._stop_w = socket.socketpair()
        self._thread = threading.Thread(
            target=self._serve, name="ssh-silent", daemon=True
        )
        self._thread.start()

    def _serve(self) -> None:
        conns: set[socket.socket] = set()
        with selectors.DefaultSelector() as sel:
            sel.register(self._sock, selectors.EVENT_READ)
            sel.register(self._stop_r, selectors.EVENT_READ)
            while True:
                for key, _ in sel.select():
                    if key.fileobj is self._stop_r:
                        for conn in conns:
                            conn.close()
                        return
                    if key.fileobj is self._sock:
                        conn, _ = self._sock.accept()
                        conns.add(conn)
                        sel.register(conn, selectors.EVENT_READ)
                        continue
                    conn = next(c for c in conns if c is key.fileobj)
                    if not _drain(conn):  # the client gave up: let it go
                        sel.unregister(conn)
                        conns.discard(conn)
                        conn.close()

    def close(self) -> None:
        """Stop the thread, close every connection and the listener."""
        self._stop_w.send(b"x")
        self._thread.join(5)
        for sock in (self._sock, self._stop_r, self._stop_w):
            sock.close()


def _drain(sock: socket.socket) -> bool:
    """Read and drop what the peer sent (its SSH banner); False once it closed."""
    try:
        return bool(sock.recv(4096))
    except OSError:
        return False
