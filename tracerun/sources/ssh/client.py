"""Client: a host + a script → the system `ssh` running it, and its failures in one line.

Why the system client: the user's keys, agent, `ProxyJump`, known_hosts and
~/.ssh/config apply unchanged, and connection multiplexing (ControlMaster)
lets discovery, the trace and follow share one connection per host. Every
run uses `BatchMode=yes` (never a password prompt in the middle of a trace)
and sends the fixed command `exec /bin/sh -s`; the work is on stdin.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from tracerun.plain import field, plain
from tracerun.sources.base import ReadError

REMOTE_COMMAND = "exec /bin/sh -s"
CONTROL_PERSIST = "60"
"""Seconds a multiplexed connection stays up after its last use."""
HOST_TIMEOUT = 30.0
"""Seconds a one-shot read of one host may take before it is cut (--host-timeout)."""
SSH_FAILED = 255
"""ssh's own exit status for a connection or authentication failure."""
_STDERR_KEEP = 64 * 1024
_STDERR_WAIT = 5.0
"""Seconds `finish` waits for stderr's end once ssh exited (a master may hold it)."""
_HOST = re.compile(r"(?P<dest>(?:[^@]+@)?(?:\[[^\]]+\]|[^:]+))(?::(?P<port>\d+))?")


class SshError(ReadError):
    """A host that could not be reached, or refused us; carries reason and hint."""


@plain(frozen=True)
class Host:
    """How to reach one host: destination, port, and the source's ssh options."""

    spec: str
    """As the profile writes it: `deploy@web-1:2222`, `web-2`."""
    options: tuple[str, ...] = ()
    connect_timeout: float = 5.0

    def argv(self, *command: str, master: bool = False) -> list[str]:
        """Build the `ssh` command line for this host (default: the remote shell).

        Sessions never become the multiplexing master themselves (a master
        outliving its session would hold the session's pipes); `ensure_master`
        starts one on its own, and a session without one connects directly.
        """
        match = _HOST.fullmatch(self.spec)
        dest, port = (match["dest"], match["port"]) if match else (self.spec, None)
        args = ["ssh", "-T"]
        for option in self.options:  # first: ssh keeps the first value it reads
            args += ["-o", option]
        args += ["-o", "BatchMode=yes"]
        args += ["-o", f"ConnectTimeout={max(1, round(self.connect_timeout))}"]
        args += ["-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3"]
        args += ["-o", f"ControlPath={control_dir()}/%C"]
        if master:
            args += ["-f", "-o", "ControlMaster=yes"]
            args += ["-o", f"ControlPersist={CONTROL_PERSIST}"]
        else:
            args += ["-o", "ControlMaster=no"]
        if extra := os.environ.get("TRACERUN_SSH_CONFIG"):
            args += ["-F", extra]
        if port:
            args += ["-p", port]
        host = dest[1:-1] if dest.startswith("[") else dest
        return [*args, "--", host, *(command or (REMOTE_COMMAND,))]


def control_dir() -> Path:
    """Return the private folder of the multiplexing sockets (made 0700)."""
    base = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    folder = Path(base) / f"tracerun-ssh-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    if folder.stat().st_uid != os.getuid() or folder.stat().st_mode & 0o077:
        msg = f"{folder} is not a private folder of yours"
        raise SshError(msg, "remove it; tracerun creates it with mode 700")
    return folder


_MASTERS: dict[Host, SshError | None] = {}
_OPENING: dict[Host, threading.Lock] = {}
_MASTERS_LOCK = threading.Lock()


def ensure_master(host: Host) -> None:
    """Open (once per process) the host's multiplexed connection, in the background.

    Why on its own: a master started by a session outlives it and holds that
    session's pipes; `ssh -f` detaches with its output on /dev/null. An
    existing master (another tracerun's, still persisting) is reused. Hosts
    connect at once: one lock per host, so a host that takes its whole
    connect timeout holds up only the sessions for that host.

    Raises:
        SshError: the host could not be reached (also on later calls).
    """
    own = {option.split("=", 1)[0].lower() for option in host.options}
    if own & {"controlpath", "controlmaster"}:
        return  # the profile handles multiplexing itself
    with _MASTERS_LOCK:
        opening = _OPENING.setdefault(host, threading.Lock())
    with opening:
        if host in _MASTERS:
            known = _MASTERS[host]
            if known is not None:
                raise known
            return
        problem = _open_master(host)
        _MASTERS[host] = problem
    if problem is not None:
        raise problem


def _open_master(host: Host) -> SshError | None:
    session = host.argv()
    check = subprocess.run(  # a fixed argv, no shell
        [*session[:-3], "-O", "check", session[-2]],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
    )
    if check.returncode == 0:
        return None  # one is running already
    try:
        done = subprocess.run(  # a fixed argv, no shell
            host.argv("true", master=True),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
            timeout=host.connect_timeout + 10,
        )
    except FileNotFoundError:
        return SshError(
            "the ssh client is not installed",
            "install OpenSSH's client (apt install openssh-client)",
        )
    except subprocess.TimeoutExpired:
        return SshError("timed out", "is the host up and reachable (firewall, VPN)?")
    if done.returncode == SSH_FAILED:
        return classify(host, done.stderr)
    return None


@plain(eq=False)  # by identity: kept in a set while live
class Session:
    """One running `ssh`: its stdout lines as they come, its stderr kept for the end."""

    host: Host
    process: subprocess.Popen[bytes]
    timeout: float | None
    deadline: float | None
    stderr: bytearray = field(default_factory=bytearray)
    timed_out: bool = False
    _reader: threading.Thread | None = None

    def lines(self) -> Iterator[bytes]:
        """Yield stdout lines (without `\\n`) until the end or the deadline."""
        assert self.process.stdout is not None
        watchdog = None
        if self.deadline is not None:
            watchdog = threading.Timer(
                max(0.0, self.deadline - time.monotonic()), self._cut
            )
            watchdog.daemon = True
            watchdog.start()
        try:
            for line in self.process.stdout:
                yield line.removesuffix(b"\n")
        finally:
            if watchdog is not None:
                watchdog.cancel()

    def finish(self) -> int:
        """Wait for ssh to end; return its exit status."""
        code = self.process.wait()
        if self._reader is not None:
            # A stray holder of stderr must not hang us: the ControlMaster keeps
            # a cut session's descriptors until the remote command ends.
            self._reader.join(timeout=_STDERR_WAIT)
        return code

    def close(self) -> None:
        """Stop ssh (if still running) and reap it.

        stderr is left to its reader while that still runs (it closes it at
        the end): closed under it, its next read would fail, or read whatever
        file was opened under the same descriptor number meanwhile.
        """
        if self.process.stdin is not None and not self.process.stdin.closed:
            with contextlib.suppress(OSError, ValueError):  # a held stdin (a follow)
                self.process.stdin.close()
        if self.process.poll() is None:
            self.process.kill()
        self.finish()
        with _LIVE_LOCK:
            _LIVE.discard(self)
        if self.process.stdout is not None:
            self.process.stdout.close()
        reading = self._reader is not None and self._reader.is_alive()
        if self.process.stderr is not None and not reading:
            self.process.stderr.close()

    def _cut(self) -> None:
        self.timed_out = True
        if self.process.poll() is None:
            self.process.kill()

    def _collect(self) -> None:
        stream = self.process.stderr
        assert stream is not None
        try:
            while chunk := os.read(stream.fileno(), 8192):
                if len(self.stderr) < _STDERR_KEEP:
                    self.stderr += chunk
        finally:
            stream.close()


_LIVE: set[Session] = set()
"""Sessions started and not yet closed (cut_all stops them when the run ends)."""
_LIVE_LOCK = threading.Lock()


def cut_all() -> None:
    """Stop every session still running: the run is abandoned (Ctrl-C, SIGTERM).

    Why: a read in a worker thread cannot be interrupted, and the interpreter
    waits for its threads at exit; with its ssh killed, a read ends at once.
    """
    with _LIVE_LOCK:
        live = list(_LIVE)
    for session in live:
        session._cut()


def start(
    host: Host, script: str, timeout: float | None = HOST_TIMEOUT, *, hold: bool = False
) -> Session:
    """Start `ssh` running `script` on `host`; read its output with `Session.lines`.

    `hold`: keep ssh's stdin open after the script, until `close` (a script
    that runs until its stdin ends: script.follow_script).

    Raises:
        SshError: the host cannot be reached, or there is no `ssh` client here.
    """
    ensure_master(host)
    try:
        process = subprocess.Popen(
            host.argv(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except FileNotFoundError:
        msg = "the ssh client is not installed"
        raise SshError(
            msg, "install OpenSSH's client (apt install openssh-client)"
        ) from None
    deadline = None if timeout is None else time.monotonic() + timeout
    session = Session(host, process, timeout, deadline)
    with _LIVE_LOCK:
        _LIVE.add(session)
    session._reader = threading.Thread(target=session._collect, daemon=True)
    session._reader.start()
    assert process.stdin is not None
    try:
        process.stdin.write(script.encode())
        if hold:
            process.stdin.flush()
        else:
            process.stdin.close()
    except BrokenPipeError:
        pass  # ssh ended at once: finish() tells why
    return session


def run(host: Host, script: str, timeout: float | None = HOST_TIMEOUT) -> list[bytes]:
    """Run `script` on `host` and return its stdout lines.

    Raises:
        SshError: the host could not be reached or the run was cut by `timeout`.
    """
    session = start(host, script, timeout)
    try:
        lines = list(session.lines())
    finally:
        session.close()
    failure = failure_of(session)
    if failure is not None:
        raise failure
    return lines


def failure_of(session: Session) -> SshError | None:
    """Say why a finished session failed (None: it did not)."""
    code = session.process.returncode
    if session.timed_out:
        return SshError(
            f"no complete answer within {session.timeout:g} s; "
            "what it sent before was kept",
            "a slow or hung host: check it, or allow more with --host-timeout",
        )
    if code != SSH_FAILED:
        return None
    return classify(session.host, bytes(session.stderr))


_NOT_SSH = "the host accepts connections but does not speak SSH"
_UNREACHABLE = "is the host up and reachable (firewall, VPN)?"
_REASONS: Sequence[tuple[str, str, str]] = (
    # Checked in order: "banner exchange" says more than "timed out".
    ("banner exchange", _NOT_SSH, "is the port right?"),
    ("Connection refused", "connection refused", "is sshd running there, on that port?"),
    ("Connection timed out", "timed out", _UNREACHABLE),
    ("Operation timed out", "timed out", _UNREACHABLE),
    ("Could not resolve hostname", "unknown host name", "check the name, or add it to ~/.ssh/config"),
    ("Host key verification failed", "its host key is not known (or changed)", "connect once with ssh to check and accept the key, or fix known_hosts"),
    ("Permission denied", "authentication failed", "is your key loaded (ssh-add -l) and authorised on the host? tracerun never asks for a password (BatchMode)"),
    ("No route to host", "no route to host", _UNREACHABLE),
    ("Connection closed", "the connection was closed", "check the host's sshd log"),
    ("Connection reset", "the connection was reset", "check the host's sshd log"),
    ("Broken pipe", "the connection dropped", "check the network, then run again"),
)  # fmt: skip


def classify(host: Host, stderr: bytes) -> SshError:
    """Turn ssh's stderr after a failure into one reason and a hint."""
    text = stderr.decode("utf-8", "replace")
    for needle, reason, hint in _REASONS:
        if needle in text:
            return SshError(reason, hint)
    last = next((line for line in reversed(text.splitlines()) if line.strip()), "")
    shown = last.strip()[:200] or "ssh failed without saying why"
    return SshError(f"ssh failed: {shown}", f"try: ssh {host.spec} true")
