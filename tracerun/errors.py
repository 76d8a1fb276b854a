"""Errors and exit codes: every user-facing failure is a TracerunError with an exit code.

Library code raises these; only `cli.py` prints them and exits.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Self


class ExitCode(enum.IntEnum):
    """Process exit codes (README "Exit codes" is the contract)."""

    OK = 0
    NO_MATCH = 1
    USAGE = 2
    SOURCE_FAILED = 3
    INTERNAL = 4
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


class ExpressionError(ValueError):
    """An expression (JMESPath, or a regex in a profile) that cannot be used.

    Why a ValueError: pydantic validators raise it, and the report finds it
    again. It carries the offset of the problem inside the expression, so a
    report can put its caret on that character, and a hint.
    """

    def __init__(
        self, message: str, offset: int | None, hint: str | None = None, width: int = 1
    ) -> None:
        super().__init__(message)
        self.offset = offset
        self.hint = hint
        self.width = width


class EvaluationError(Exception):
    """An expression that fails on one record (a type error, a failing function).

    Here rather than in expression.py: the hot path catches it without
    importing the expression code.
    """

    def __init__(self, reason: str, hint: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


class OnceWarning(str):
    """A warning printed once per run: a later one with the same `key` is dropped.

    Why a str: warnings travel as text through readers, worker processes and
    follow feeds; this one adds what the printer needs, its key and a hint.
    """

    key: str
    hint: str | None

    def __new__(cls, text: str, key: str, hint: str | None = None) -> Self:
        """Make the warning `text`, unique per run by `key`, with an optional hint."""
        made = super().__new__(cls, text)
        made.key = key
        made.hint = hint
        return made

    def __getnewargs__(self) -> tuple[str, str, str | None]:  # type: ignore[override]
        """Pickle with its key and hint (worker processes send warnings back)."""
        return (str(self), self.key, self.hint)
