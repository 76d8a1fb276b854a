"""Dial: an `ssh://` engine URL → a private unix socket the SDK talks to, over `ssh`.

Each connection to the socket becomes `ssh HOST docker system dial-stdio`
(the command the `docker` CLI itself runs for `-H ssh://`), with the socket
as its stdin and stdout; one multiplexed connection per host carries them all.

Why not the SDK's own ssh transport (`use_ssh_client=True`): it cannot be
imported without paramiko (and its crypto libraries) even though it never uses
it, it passes `-p 22` when the URL has no port (so `~/.ssh/config`'s `Port` is
ignored), it lets ssh write to our stderr, never reaps its ssh processes, runs
without `BatchMode` and makes one ssh login per HTTP connection (issue #14).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from tracerun.plain import field, plain
from tracerun.sources.base import ReadError

REMOTE_COMMAND = "docker system dial-stdio"
CONNECT_TIMEOUT_S = 5
CONTROL_PERSIST = "60"
"""Seconds the multiplexed connection stays up after its last use (as ssh sources)."""
_SSH_FAILED = 255
_SESSION_GRACE_S = 0.5
"""How long a failed session may take to exit once it has closed the socket."""


class DialError(ReadError):
    """The host behind an `ssh://` engine URL could not be reached; reason and hint."""

    hint: str

    def __init__(self, reason: str, hint: str) -> None:
        super().__init__(reason, hint)


@plain(frozen=True)
class SshEngine:
    """Where an `ssh://[user@]host[:port]` engine is, and the `ssh` that reaches it."""

    url: str
    host: str
    user: str | None = None
    port: int | None = None

    @classmethod
    def parse(cls, url: str) -> SshEngine:
        """Read `ssh://[user@]host[:port]` (the URL was checked when the profile loaded)."""
        parts = urlsplit(url)
        return cls(url, parts.hostname or "", parts.username, parts.port)

    @property
    def destination(self) -> str:
        """As a user would type it after `ssh`: `-p 2222 deploy@web-1`."""
        port = f"-p {self.port} " if self.port else ""
        return f"{port}{self.user + '@' if self.user else ''}{self.host}"

    def argv(self, *command: str, master: bool = False) -> list[str]:
        """Build the `ssh` command line running `command` (default: dial-stdio) there.

        Sessions never become the multiplexing master (a master outliving its
        session would hold the session's socket); `open_master` starts it alone.
        """
        args = ["ssh", "-T", "-o", "BatchMode=yes"]
        args += ["-o", f"ConnectTimeout={CONNECT_TIMEOUT_S}"]
        args += ["-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3"]
        args += ["-o", f"ControlPath={control_dir()}/%C"]
        if master:
            args += ["-f", "-o", "ControlMaster=auto"]
            args += ["-o", f"ControlPersist={CONTROL_PERSIST}"]
        else:
            args += ["-o", "ControlMaster=no"]
        if extra := os.environ.get("TRACERUN_SSH_CONFIG"):
            args += ["-F", extra]
        if self.user:
            args += ["-l", self.user]
        if self.port:
            args += ["-p", str(self.port)]
        return [*args, "--", self.host, *(command or (REMOTE_COMMAND,))]


def control_dir() -> Path:
    """Return the private folder of the multiplexing sockets (the ssh sources').

    Why the same folder: `%C` names a connection by host, port and user, so a
    docker source and an ssh source on one host share one connection.
    """
    base = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    folder = Path(base) / f"tracerun-ssh-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    if folder.stat().st_uid != os.getuid() or folder.stat().st_mode & 0o077:
        msg = f"{folder} is not a private folder of yours"
        raise DialError(msg, "remove it; tracerun creates it with mode 700")
    return folder


def open_master(engine: SshEngine) -> None:
    """Log in to the host once, leaving a multiplexed connection for the sessions.

    Raises:
        DialError: no ssh client here, or the host could not be reached.
    """
    try:
        done = subprocess.run(  # a fixed argv, no shell
            engine.argv("true", master=True),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
            timeout=CONNECT_TIMEOUT_S + 10,
        )
    except FileNotFoundError:
        msg = "the ssh client is not installed"
        raise DialError(
            msg, "install OpenSSH's client (apt install openssh-client)"
        ) from None
    except subprocess.TimeoutExpired:
        msg = "ssh timed out"
        raise DialError(msg, "is the host up and reachable (firewall, VPN)?") from None
    if done.returncode != 0:
        raise DialError(
            _last_line(done.stderr) or f"ssh exited with status {done.returncode}",
            f"does `ssh {engine.destination} true` work? tracerun runs ssh with "
            "BatchMode=yes: keys or agent, never a password",
        )


@plain
class Bridge:
    """A listening unix socket in a private folder; each connection runs one session."""

    engine: SshEngine
    folder: Path
    listener: socket.socket
    sessions: list[subprocess.Popen[bytes]] = field(default_factory=list)
    _accepting: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The socket's URL, for the SDK: `unix:///tmp/tracerun-dial-…/engine.sock`."""
        return f"unix://{self.folder / 'engine.sock'}"

    def serve(self) -> None:
        """Accept connections (in a thread) until `close`."""
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    def failure(self) -> str | None:
        """Tell what the first failed session wrote last on stderr (None: none failed).

        Why: the SDK only sees its connection closed; ssh or the remote
        `docker` said why (`Cannot connect to the Docker daemon at …`).
        """
        for number, process in enumerate(list(self.sessions)):
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=_SESSION_GRACE_S)
            if process.returncode not in (None, 0):
                text = (self.folder / f"{number}.err").read_bytes()
                return (
                    _last_line(text) or f"ssh exited with status {process.returncode}"
                )
        return None

    def failed_in_ssh(self) -> bool:
        """Whether a failed session was ssh's own failure, not the remote docker's."""
        return any(p.returncode == _SSH_FAILED for p in self.sessions)

    def close(self) -> None:
        """Stop accepting, end every session, remove the folder."""
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        if self._accepting is not None:
            self._accepting.join()
        self.listener.close()
        for process in self.sessions:
            if process.poll() is None:
                process.terminate()  # the SDK has closed its side already
            process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return  # closed
            number = len(self.sessions)
            with conn, (self.folder / f"{number}.err").open("wb") as err:
                try:
                    process = subprocess.Popen(  # a fixed argv, no shell
                        self.engine.argv(),
                        stdin=conn.fileno(),
                        stdout=conn.fileno(),
                        stderr=err,
                        start_new_session=True,  # Ctrl-C reaches tracerun, not ssh
                    )
                except OSError:
                    continue  # the SDK sees its connection closed
            self.sessions.append(process)


@contextlib.contextmanager
def bridge(url: str) -> Iterator[Bridge]:
    """Reach the engine at `url` (`ssh://…`) through a private unix socket.

    Raises:
        DialError: the host could not be reached (checked before yielding).
    """
    engine = SshEngine.parse(url)
    open_master(engine)
    folder = Path(tempfile.mkdtemp(prefix="tracerun-dial-"))  # mode 0700
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(str(folder / "engine.sock"))
        listener.listen(16)
    except BaseException:
        listener.close()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    served = Bridge(engine, folder, listener)
    served.serve()
    try:
        yield served
    finally:
        served.close()


def _last_line(stderr: bytes) -> str:
    text = stderr.decode("utf-8", "replace")
    last = next((line for line in reversed(text.splitlines()) if line.strip()), "")
    return last.strip()[:200]
