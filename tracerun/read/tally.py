"""Tally: the hits of one origin that did not become records → counts and first places.

The Assembler notes why each hit was dropped (it did not parse, no key field
held the value, outside the window, --where) and the first record on which an
expression failed. Counting costs nothing for lines without a hit: a dropped hit
already cost a parse. Pieces of a file are joined, origins summed per run; a
trace that matched nothing says why from it (trace/explain.py).
"""

from __future__ import annotations

from tracerun.errors import EvaluationError, OnceWarning

HELD_NAMES = 3
"""Fields named in the warning of records only a non-key field holds (`Tally.held`)."""
EXCERPT = 60
"""Characters of a line shown as an example of a line that did not parse."""


def where(name: str, line: int) -> str:
    """`origin:line`, or just `origin` when the line is unknown (0)."""
    return f"{name}:{line}" if line else name


def excerpt(line: str) -> str:
    """Shorten a line to EXCERPT characters and `…`."""
    return line if len(line) <= EXCERPT else line[:EXCERPT] + "…"


class Miss:
    """The hits dropped for one reason: how many, the first one's line, a detail.

    Why plain classes here: a dataclass costs ~0.5 ms of every start-up.
    """

    __slots__ = ("count", "detail", "line")

    def __init__(self, count: int = 0, line: int = 0, detail: str = "") -> None:
        self.count = count
        self.line = line
        self.detail = detail

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Miss):
            return NotImplemented
        mine = (self.count, self.line, self.detail)
        return mine == (other.count, other.line, other.detail)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Miss({self.count}, {self.line}, {self.detail!r})"

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


class Failure:
    """The first record on which an expression failed.

    Attributes:
        subject: the expression as the user wrote it, with where: `--where "…"`.
        reason: why it failed there (`abs() needs a number, got a string`).
        hint: how to write it so that it does not.
        effect: what failing means (`records where it fails do not match`).
        line: the record's line (relative to its piece until joined).
    """

    __slots__ = ("effect", "hint", "line", "reason", "subject")

    def __init__(
        self, subject: str, reason: str, hint: str, effect: str, line: int
    ) -> None:
        self.subject = subject
        self.reason = reason
        self.hint = hint
        self.effect = effect
        self.line = line


class Tally:
    """Why the hits of one origin (or of a whole run) did not become records.

    Attributes:
        unparsed: hit lines the parser could not read; detail: the first's text.
        unkeyed: parsed, but no key field equals a value; detail: a field that does.
        held: of those, the ones where a field that is not a key equals a value
            (detail: the first few such fields, NUL-separated), told even
            when other records matched.
        outside: matched, outside the time window.
        dropped: matched, dropped by --where (false, or failing).
        failures: the first failure of each expression, by subject.
    """

    __slots__ = ("dropped", "failures", "held", "outside", "unkeyed", "unparsed")

    def __init__(self) -> None:
        self.unparsed = Miss()
        self.unkeyed = Miss()
        self.held = Miss()
        self.outside = Miss()
        self.dropped = Miss()
        self.failures: dict[str, Failure] = {}

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
        self.held.add(other.held, base)
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
