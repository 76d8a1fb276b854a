"""What a command's outcome prints, and the exit code it becomes, without click.

Why apart from app.py: a plain trace runs without importing click (~20 ms of
start-up, issue #18: cli/quick.py), and prints its messages and maps its
failures to exit codes exactly as the click group does; app.py uses the same
functions.
"""

from __future__ import annotations

import errno
import os
import sys
from typing import TYPE_CHECKING, TextIO

from tracerun.errors import (
    ExitCode,
    OnceWarning,
    OutputError,
    TerminatedError,
    TracerunError,
    failure_lines,
    mask,
    printable,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tracerun.errors import SourceFailure


COMMAND_NAMES = ("init", "profiles", "schema", "sources", "trace", "trust", "validate")
"""cli/app.py's COMMANDS (a test holds the two equal): a first argument naming
one is a command, which click runs (cli/quick.py); a bare TERM naming one
that matched nothing gets a line saying how to run the command."""


def command_terms(terms: Sequence[str]) -> list[str]:
    """Say, for each bare TERM that names a command, how to run that command.

    Why: `tracerun -p demo validate` searches the id `validate` (a command is
    the first word); exit 1 alone would not tell what happened.
    """
    return [
        f"{term!r} was searched as an id; to run the command, write it first: "
        f"tracerun {term} [OPTIONS]"
        for term in dict.fromkeys(terms)
        if term in COMMAND_NAMES
    ]


def echo_err(text: str) -> None:
    """Print one line on stderr as `click.echo(text, err=True)` does, made inert.

    What a terminal would act on (an ESC, a line feed, a C1 control in a file
    name or an excerpt) is shown escaped (errors.printable). Plain ASCII is
    written as click would write it; any other goes through click itself (it
    wraps a misconfigured stream).
    """
    text = printable(text)
    if not text.isascii():
        import click  # noqa: PLC0415 - start-up: only for text click would change

        click.echo(text, err=True)
        return
    if sys.stderr is None:
        return
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def warn(message: str, hint: str | None = None) -> None:
    """Print a warning, and its hint, on stderr."""
    echo_err(f"tracerun: warning: {mask(message)}")
    if hint:
        echo_err(f"  hint: {mask(hint)}")


class Warner:
    """Prints warnings, each OnceWarning key once (a run's expression failures)."""

    def __init__(self) -> None:
        self._told: set[str] = set()

    def __call__(self, message: str, hint: str | None = None) -> None:
        """Print `message` unless it repeats a OnceWarning already printed."""
        if isinstance(message, OnceWarning):
            if message.key in self._told:
                return
            self._told.add(message.key)
            hint = hint or message.hint
        warn(message, hint)


def error(message: str, hint: str | None = None, stream: TextIO | None = None) -> None:
    """Print an error, and its hint, on stderr (secrets masked, as `warn`)."""
    out = stream or sys.stderr
    out.write(f"tracerun: error: {printable(mask(message))}\n")
    if hint:
        out.write(f"  hint: {printable(mask(hint))}\n")


def print_problems(warnings: list[str], failures: list[SourceFailure]) -> None:
    """Print a run's warnings (a OnceWarning once), then its source failures, on stderr."""
    told = Warner()
    for warning in warnings:
        told(warning)
    for text, hint in failure_lines(failures):
        error(text, hint)


def show_error(exc: TracerunError) -> None:
    """Print a user error: a located profile report, or one line and its hint."""
    from tracerun.errors import ProfileError  # noqa: PLC0415 - start-up: error path only

    if isinstance(exc, ProfileError):
        from tracerun.config.report import format_profile_error  # noqa: PLC0415 - start-up: error path only

        sys.stderr.write(format_profile_error(exc))
    else:
        error(exc.message, exc.hint)


def lenient_stdout() -> None:
    """Write what cannot be encoded (a lone surrogate) as an escape, never fail on it."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")


def flushed(code: int) -> int:
    """Flush stdout before Python does at exit, so that a failure is one clear line.

    Why: Python's own flush at exit reports a full disk as "Exception ignored"
    and exit 120.
    """
    if sys.stdout is None:
        return code
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
        return ExitCode.BROKEN_PIPE
    except OSError as exc:
        silence_stdout()
        if code != ExitCode.OUTPUT_FAILED:
            show_error(OutputError.of(exc))
        return ExitCode.OUTPUT_FAILED
    return code


_WRITE_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
"""Errors only a write gives; commands write nothing but stdout unchecked."""


def stdout_failed(exc: OSError) -> bool:
    """Tell whether an error a command let through came from writing stdout."""
    if exc.errno in _WRITE_ERRNOS:
        return True
    try:  # what stdout still buffers cannot be written either
        if sys.stdout is not None:
            sys.stdout.flush()
    except OSError:
        return True
    return False


def silence_stdout() -> None:
    """Point stdout at /dev/null, so that what it still buffers cannot fail again."""
    # Python flushes stdout at exit; point it at devnull so that flush cannot fail
    # again (python/cpython Doc/library/signal.rst, "Note on SIGPIPE"). The
    # buffered bytes that could not be written are dropped with the old stream.
    if sys.stdout is None:
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        fileno = sys.stdout.fileno()
    except (OSError, ValueError):  # not a real descriptor (tests)
        os.close(devnull)
        return
    os.dup2(devnull, fileno)
    os.close(devnull)


def last_resort(exc: BaseException, args: Sequence[str]) -> int:
    """Give the exit code of a run that an exception ended past its command.

    Ctrl-C, SIGTERM while workers ran (they are gone: exit quietly), a closed
    stdout, or a bug in our code (exit 4; `--debug` shows its traceback).
    Shared by the click group (app.py) and the plain trace (quick.py).
    """
    if isinstance(exc, KeyboardInterrupt):
        sys.stderr.write("\ntracerun: interrupted\n")
        return ExitCode.INTERRUPTED
    if isinstance(exc, TerminatedError):
        return ExitCode.TERMINATED
    if isinstance(exc, BrokenPipeError):
        silence_stdout()
        return ExitCode.BROKEN_PIPE
    if "--debug" in args:
        raise exc
    error("internal error; run again with --debug and report it")
    return ExitCode.INTERNAL
