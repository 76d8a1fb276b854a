"""Errors and exit codes: every user-facing failure is a TracerunError with an exit code.

Library code raises these; only `cli.py` prints them and exits.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ExitCode(enum.IntEnum):
    """Process exit codes (README "Exit codes" is the contract)."""

    OK = 0
    NO_MATCH = 1
    USAGE = 2
    SOURCE_FAILED = 3
    INTERNAL = 4
    OUTPUT_FAILED = 5
    INTERRUPTED = 130
    TERMINATED = 143
    BROKEN_PIPE = 141


class TracerunError(Exception):
    """A user error: one message line plus an optional hint, no traceback."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class ConfigIssue:
    """One located problem in a profile, printed as `file:line:col: key.path: message`.

    `line` and `col` are 1-based; 0 means "unknown" (the whole file).
    """

    file: str
    line: int
    col: int
    key_path: str
    message: str
    hint: str | None = None
    source_line: str | None = None
    width: int = 1
    details: tuple[str, ...] = ()
    """Lines shown under the excerpt, e.g. a failing sample's expected/got."""

    def sort_key(self) -> tuple[str, int, int, str]:
        """Order issues by file, then position, then key path."""
        return (self.file, self.line, self.col, self.key_path)


class ProfileError(TracerunError):
    """A profile that cannot be used; carries every located issue found in it."""

    exit_code = ExitCode.USAGE

    def __init__(self, file: str, issues: list[ConfigIssue]) -> None:
        count = len(issues)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{file} has {count} {noun}")
        self.file = file
        self.issues = sorted(issues, key=ConfigIssue.sort_key)


class ProfileNotFoundError(TracerunError):
    """`-p NAME` matched no profile file on the search path."""


class OutputError(TracerunError):
    """stdout cannot be written (a full disk, a closed descriptor): the run stops.

    A closed pipe (`| head`) is not one: it ends quietly with 141.
    """

    exit_code = ExitCode.OUTPUT_FAILED

    @classmethod
    def of(cls, exc: OSError) -> OutputError:
        """Say which write failed and why: `cannot write to stdout: No space left…`."""
        return cls(f"cannot write to stdout: {exc.strerror or exc}")


class TerminatedError(BaseException):
    """SIGTERM while worker processes run: unwinds like KeyboardInterrupt, exits 143."""


class QueryError(TracerunError):
    """A term, time bound or --where expression that cannot be understood."""


@dataclass(frozen=True)
class SourceFailure:
    """A source or origin that could not be read; the run goes on without it."""

    source: str
    origin: str
    reason: str
    hint: str | None = None

    def text(self) -> str:
        """Say it in one line: `source NAME: ORIGIN: REASON`."""
        where = f"{self.origin}: " if self.origin else ""
        return f"source {self.source}: {where}{self.reason}"
