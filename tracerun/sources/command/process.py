"""Process: a command origin → its running program, its stdout as a stream, its failure.

The program runs in its own process group with no stdin and never through a
shell. Its stdout is read as a file is (`Output` is a Readable for read/scan);
its stderr is kept (the last 64 KiB) to say why it failed. A one-shot run has
a deadline: past it the whole group is stopped (TERM, then KILL) and what it
printed before is kept. Reading waits on both pipes with `select`, so a
descendant that keeps a pipe open cannot hang the trace past the deadline.
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import shutil
import signal
import subprocess
import threading
import time

from tracerun.errors import cut, mask, mask_cut_start, secret_overlap
from tracerun.origin import Origin
from tracerun.plain import field, plain
from tracerun.sources.base import ReadError

STDERR_KEEP = 64 * 1024
"""Bytes of a program's stderr kept (its end) to report why it failed."""
STDERR_LINES = 5
"""How many of its last stderr lines a failure shows."""
GRACE = 1.0
"""Seconds between TERM and KILL when a program's group is stopped."""
STEP = 0.1
"""Seconds between two looks at whether a program whose stdout ended has exited."""
LEFT_WAIT = 0.5
"""Seconds stdout and stderr are still read after the program exited."""
MAX_TIMEOUT = 7 * 24 * 3600.0
"""The longest wait a program gets (a week): longer ones are clamped (select's limit)."""
LEFT_OVER = (
    f"exited, but a process it started (in its process group) still held its stdout"
    f" {LEFT_WAIT:g} s later; that process was stopped, the records read are kept"
)
"""The warning for a program whose leftover child held its stdout."""
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_RUNNING: set[subprocess.Popen[bytes]] = set()
"""Programs being read, for `stop_all` (a read in a thread cannot be interrupted)."""
_RUNNING_LOCK = threading.Lock()


@plain(frozen=True, slots=True)
class CommandOrigin(Origin):
    """A command: its argv (placeholders unfilled), environment, folder and limits.

    `name` is the program as the profile writes it (no arguments: they may hold
    an expanded ${SECRET}, and records carry their origin's name to stdout).
    """

    argv: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    cwd: str | None = None
    timeout: float = 60.0
    live_argv: tuple[str, ...] | None = None
    """The argv kept running under -f (None: the source is not followed)."""


def spawn(origin: CommandOrigin, argv: list[str]) -> subprocess.Popen[bytes]:
    """Start the program, no shell, in a new process group, stdin closed.

    Raises:
        ReadError: the program or its folder is missing, or may not be run.
    """
    env = {**os.environ, **dict(origin.env)}
    program = argv[0]
    if "/" in program:
        program = os.path.abspath(program)  # noqa: PTH100 - a str for exec
    elif shutil.which(program, path=env.get("PATH", os.defpath)) is None:
        msg = f"program {cut(program)} is not on PATH"
        raise ReadError(msg, "install it, or write its full path as argv's first item")
    try:
        return subprocess.Popen(
            [program, *argv[1:]],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=origin.cwd,
            start_new_session=True,
            close_fds=True,
        )
    except OSError as exc:
        raise _spawn_error(exc, program, origin.cwd) from None


def _spawn_error(exc: OSError, program: str, cwd: str | None) -> ReadError:
    why = exc.strerror or str(exc)
    if cwd is not None and exc.filename == cwd:
        return ReadError(f"cannot run in {cut(cwd)}: {why}", "check the source's cwd")
    if isinstance(exc, FileNotFoundError):
        return ReadError(f"program {cut(program)} does not exist", "check argv")
    return ReadError(f"cannot run {cut(program)}: {why}", "is it an executable file?")


@plain
class Output:
    """A running program's stdout as a Readable, until its end or the deadline.

    After the stream ends, `finish()` waits for the program (to the deadline)
    and `failure()` says what went wrong, if anything.
    """

    process: subprocess.Popen[bytes]
    timeout: float | None
    deadline: float | None = None
    stderr: bytearray = field(default_factory=bytearray)
    timed_out: bool = False
    left_over: bool = False
    """The program exited, but a process it left in its group still held stdout."""
    stderr_cut: bool = False
    """The start of the stderr kept was dropped (over STDERR_KEEP)."""
    cut: bool = False
    """The stream was cut short (timeout): its last line may be partial (read/scan)."""
    count: int = 0
    _open: list[int] = field(default_factory=list)
    _exited_at: float | None = None
    _group_stopped: bool = False

    def __post_init__(self) -> None:
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        if self.timeout is not None:
            self.timeout = min(self.timeout, MAX_TIMEOUT)
            self.deadline = time.monotonic() + self.timeout
        self._out = self.process.stdout.fileno()
        self._err = self.process.stderr.fileno()
        self._open = [self._out, self._err]
        with _RUNNING_LOCK:
            _RUNNING.add(self.process)

    def read(self, size: int, /) -> bytes:
        """Return the next bytes of stdout (b"" at its end or at the deadline).

        What is already in the pipe is gathered, up to `size`, so the scan
        works on large blocks (a pipe gives 64 KiB a read).
        """
        while self._out in self._open:
            ready = self._wait(STEP)
            if ready is None:
                return b""
            if not ready:
                if self._stdout_left_over():
                    return b""
                continue
            if self._err in ready:
                self._take_stderr()
            if self._out in ready:
                data = os.read(self._out, size)
                if not data:
                    self._open.remove(self._out)
                    return b""
                if len(data) < size:
                    data += self._more(size - len(data))
                self.count += len(data)
                return data
        return b""

    def _stdout_left_over(self) -> bool:
        """Tell whether stdout is held by what the exited program left (then stop it).

        Once the program itself has exited, stdout gets LEFT_WAIT s to end;
        past that its group is killed and the read ends with what came.
        """
        if self.process.poll() is None:
            return False
        now = time.monotonic()
        if self._exited_at is None:
            self._exited_at = now
        if now - self._exited_at < LEFT_WAIT:
            return False
        self.left_over = self.cut = True
        self._kill_group()
        self._open.remove(self._out)
        return True

    def _kill_group(self) -> None:
        """KILL the program's group (its leader may be gone, its children not)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def _more(self, size: int) -> bytes:
        """Read what stdout already holds, up to `size` bytes, without waiting."""
        parts = []
        while size > 0 and select.select([self._out], [], [], 0)[0]:
            data = os.read(self._out, size)
            if not data:
                break  # the end: the next read() says so
            parts.append(data)
            size -= len(data)
        return b"".join(parts)

    def finish(self) -> int:
        """Wait for the program (to the deadline), draining stderr; return its status.

        Once it has ended, what is left on stderr is read for LEFT_WAIT s; a
        descendant still holding the pipe then is stopped with its group.
        """
        while not self.timed_out and self.process.poll() is None:
            ready = self._wait(STEP)
            if ready and self._err in ready:
                self._take_stderr()
        if self.timed_out:
            return self.stop()
        end = time.monotonic() + LEFT_WAIT
        while self._err in self._open and (left := end - time.monotonic()) > 0:
            if not select.select([self._err], [], [], left)[0]:
                break
            self._take_stderr()
        if self._err in self._open:
            self._kill_group()
        return self.process.returncode

    def stop(self) -> int:
        """Stop the program's whole group (TERM, then KILL) and reap it.

        Its group is killed even when the program itself has exited: a child
        it forked is still in it (README "Security": the whole group stops).
        A group id is not given to a new process while the group has members.
        """
        if self.process.poll() is None:
            stop_group(self.process)
        elif not self._group_stopped:
            self._kill_group()
        self._group_stopped = True
        return self.process.wait()

    def close(self) -> None:
        """Stop the program if it still runs; close the pipes."""
        self.stop()
        with _RUNNING_LOCK:
            _RUNNING.discard(self.process)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()

    def failure(self) -> tuple[str, str] | None:
        """Say why the run failed, as (reason, hint); None when it did not."""
        code = self.process.returncode
        said = last_lines(bytes(self.stderr), cut_start=self.stderr_cut)
        if self.timed_out:
            reason = f"still running after its timeout of {self.timeout:g} s, so it was stopped"
            hint = "the records it printed before were kept; allow more with the source's `timeout:`"
            return reason + said, hint
        if code is None or code == 0:
            return None
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            reason = f"was killed by {name}"
        else:
            reason = f"exited with status {code}"
        return (
            reason + said,
            "the records it printed before were kept; run the command yourself to see more",
        )

    def _left(self) -> float | None:
        return (
            None
            if self.deadline is None
            else max(0.0, self.deadline - time.monotonic())
        )

    def _wait(self, most: float | None = None) -> list[int] | None:
        """Wait until a pipe can be read, for at most `most` s (None: to the deadline).

        Returns None at the deadline (the group is then stopped), [] when
        `most` passed first or no pipe is open any more.
        """
        left = self._left()
        if left == 0.0:
            self._cut()
            return None
        wait = most if left is None else left if most is None else min(most, left)
        if not self._open:
            time.sleep(wait or 0)
            return []
        ready, _, _ = select.select(self._open, [], [], wait)
        if not ready and wait == left:
            self._cut()
            return None
        return ready

    def _cut(self) -> None:
        self.timed_out = self.cut = True
        stop_group(self.process)
        self._open.clear()

    def _take_stderr(self) -> None:
        data = os.read(self._err, 65536)
        if not data:
            self._open.remove(self._err)
            return
        self.stderr += data
        # Kept: the end, plus enough to mask a secret the cut goes through (last_lines).
        keep = STDERR_KEEP + secret_overlap()
        if len(self.stderr) > keep:
            del self.stderr[:-keep]
            self.stderr_cut = True


def stop_all() -> None:
    """Stop the group of every program still being read (KILL: the run is ending)."""
    with _RUNNING_LOCK:
        running = list(_RUNNING)
    for process in running:
        # Even when the program has exited: a child it forked may remain in its group
        # (not reaped yet, its group id cannot be reused).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """TERM the program's process group, KILL it after GRACE seconds if still there."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, sig)
        try:
            process.wait(GRACE)
        except subprocess.TimeoutExpired:
            continue
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # what the leader left behind
        return


def last_lines(stderr: bytes, *, cut_start: bool = False) -> str:
    """Give stderr's last STDERR_LINES non-blank lines, as a block to append to a reason.

    Secrets are masked before any cut; `cut_start`: the text's start was cut
    off, so a secret the cut went through is dropped, not shown in part.
    """
    text = stderr.decode("utf-8", "replace")
    text = mask_cut_start(text) if cut_start else mask(text)
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    shown = [_CONTROL.sub(_escaped, cut(line, 200)) for line in lines[-STDERR_LINES:]]
    return "; its last lines on stderr:\n" + "\n".join(
        f"    | {line}" for line in shown
    )


def _escaped(match: re.Match[str]) -> str:
    return f"\\x{ord(match[0]):02x}"
