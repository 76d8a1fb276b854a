"""Tally: the hits of one origin that did not become records → counts and first places.

The Assembler notes why each hit was dropped (it did not parse, no key field
held the value, outside the window, --where) and the first record on which an
expression failed. Counting costs nothing for lines without a hit: a dropped hit
already cost a parse. Pieces of a file are joined, origins summed per run; a
trace that matched nothing says why from it (trace/explain.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tracerun.errors import OnceWarning
from tracerun.expression import EvaluationError

EXCERPT = 60
"""Characters of a line shown as an example of a line that did not parse."""


def where(name: str, line: int) -> str:
    """`origin:line`, or just `origin` when the line is unknown (0)."""
    return f"{name}:{line}" if line else name


def excerpt(line: str) -> str:
    """Shorten a line to EXCERPT characters and `…`."""
    return line if len(line) <= EXCERPT else line[:EXCERPT] + "…"


@dataclass(slots=True)
class Miss:
    """The hits dropped for one reason: how many, the first one's line, a detail."""

    count: int = 0
    line: int = 0
    detail: str = ""

    def note(self, line: int, detail: str = "") -> None:
        """Count one more; the first gives the line, the first detail given stays."""
        if not self.count:
            self.line = line
        self.detail = self.detail or detail
        self.count += 1

    def add(self, other: Miss, base: int = 0) -> None:
        """Add another piece's misses, whose lines are `base` lines further on."""
        if not other.count:
            return
        if not self.count:
            self.line = other.line and other.line + base
        self.detail = self.detail or other.detail
        self.count += other.count


@dataclass(frozen=True, slots=True)
class Failure:
    """The first record on which an expression failed.

    Attributes:
        subject: the expression as the user wrote it, with where: `--where "…"`.
        reason: why it failed there (`abs() needs a number, got a string`).
        hint: how to write it so that it does not.
        effect: what failing means (`records where it fails do not match`).
        line: the record's line (relative to its piece until joined).
    """

    subject: str
    reason: str
    hint: str
    effect: str
    line: int


@dataclass(slots=True)
class Tally:
    """Why the hits of one origin (or of a whole run) did not become records."""

    unparsed: Miss = field(default_factory=Miss)
    """Hit lines the parser could not read; detail: the first one's text."""
    unkeyed: Miss = field(default_factory=Miss)
    """Parsed, but no key field equals a value; detail: a field that does."""
    outside: Miss = field(default_factory=Miss)
    """Matched, outside the time window."""
    dropped: Miss = field(default_factory=Miss)
    """Matched, dropped by --where (false, or failing)."""
    failures: dict[str, Failure] = field(default_factory=dict)
    """The first failure of each expression, by subject."""

    def fail(
        self, subject: str, error: EvaluationError, line: int, effect: str
    ) -> None:
        """Note that an expression failed on the record at `line` (the first counts)."""
        if subject not in self.failures:
            self.failures[subject] = Failure(
                subject, error.reason, error.hint, effect, line
            )

    def add(self, other: Tally, base: int = 0) -> None:
        """Add another piece's tally, whose lines are `base` lines further on."""
        self.unparsed.add(other.unparsed, base)
        self.unkeyed.add(other.unkeyed, base)
        self.outside.add(other.outside, base)
        self.dropped.add(other.dropped, base)
        for subject, failure in other.failures.items():
            if subject not in self.failures:
                line = failure.line and failure.line + base
                self.failures[subject] = Failure(
                    subject, failure.reason, failure.hint, failure.effect, line
                )

    def failure_warnings(self, name: str) -> list[OnceWarning]:
        """One warning per failing expression, naming origin `name` and the line.

        Each is keyed by its expression, so a run prints it once however many
        origins it failed in.
        """
        return [
            OnceWarning(
                f"{f.subject}: {f.reason} at {where(name, f.line)}; {f.effect}",
                f.subject,
                f.hint,
            )
            for f in self.failures.values()
        ]
