"""Errors and exit codes: every user-facing failure is a TracerunError with an exit code.

Library code raises these; only `cli.py` prints them and exits. A value a message
quotes is cut short (`quoted`), and no expanded `${VAR}` value is ever shown
(`register_secret`, `mask`): README "Security".
"""

from __future__ import annotations

import enum
import re
from typing import TYPE_CHECKING, Self

from tracerun.plain import plain, replace

if TYPE_CHECKING:
    from collections.abc import Sequence

SHOWN_CHARS = 80
"""A value quoted in a message is cut to this many characters, then its length."""
SECRET_MIN_CHARS = 4
"""Shorter `${VAR}` values are not masked: they would garble every message."""

_secrets: dict[str, str] = {}
_masker: list[re.Pattern[str]] = []


def register_secret(value: str, name: str) -> None:
    """Never show `value` in a message again; show `${name}` instead.

    Why process-wide: the loader learns the values while expanding a profile,
    and a message can be built much later, anywhere (a source failing at run
    time names an origin built from an expanded path), so every message is
    masked where it is made (TracerunError) and where it is printed (cli).
    """
    if len(value) < SECRET_MIN_CHARS or value in _secrets:
        return
    import json  # noqa: PLC0415 - start-up: only for a profile with ${VAR}

    shown = f"${{{name}}}"
    # The forms a message can quote it in: as is, inside repr(), inside JSON.
    for form in (value, repr(value)[1:-1], json.dumps(value)[1:-1]):
        _secrets.setdefault(form, shown)
    longest_first = sorted(_secrets, key=len, reverse=True)
    _masker[:] = [re.compile("|".join(map(re.escape, longest_first)))]


def forget_secrets() -> None:
    """Forget every registered secret (for tests: each starts with none)."""
    _secrets.clear()
    _masker.clear()


def mask(text: str) -> str:
    """Replace every registered secret value in `text` by its `${NAME}`."""
    if not _masker:
        return text
    return _masker[0].sub(lambda match: _secrets[match[0]], text)


def secret_overlap() -> int:
    """Bytes a kept tail needs beyond its size so no registered secret is cut in it."""
    return max((len(v.encode("utf-8", "surrogatepass")) for v in _secrets), default=0)


def mask_cut_start(text: str) -> str:
    """Mask a text whose start was cut off (a stream's kept end).

    A secret the cut went through is not matched, so its end would show: the
    text loses its first characters, as many as the longest secret (plus a
    cut character's replacement marks), unless a whole secret starts there.
    """
    if not _masker:
        return text
    skip = max(map(len, _secrets)) + 3
    for match in _masker[0].finditer(text):
        if match.start() >= skip:
            break
        if match.end() > skip:
            skip = match.start()
            break
    return mask(text[skip:])


_UNSHOWN = "\n(?!    )|[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
"""What a message never writes as is: C0 (tab too), DEL, C1, line and paragraph
separators, bidi controls, lone surrogates; a line feed unless an indented line
follows (the programs a profile runs, a command's last stderr lines)."""
_unshown: list[re.Pattern[str]] = []
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """Escape what a terminal would act on in `text`: a message stays one inert line.

    Why: file names, ids and log excerpts reach stderr; a name with an ESC
    (`esc\\x1b[2J.log`) would clear the screen, one with a line feed would
    split the message. A byte of a name that is not UTF-8 (Python's
    surrogateescape, U+DC80..U+DCFF) is shown as that byte, `\\xff`. A line
    feed before four spaces is kept: messages list lines so, indented.
    """
    if text.isascii() and text.isprintable():  # none of them: the common case
        return text
    if not _unshown:
        _unshown.append(re.compile(_UNSHOWN))
    return _unshown[0].sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    char = match[0]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode could not decode
        return f"\\x{code - 0xDC00:02x}"
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def cut(text: str, limit: int = SHOWN_CHARS) -> str:
    """Cut `text` to `limit` characters, saying how long it was: `aaaa… (2,000 characters)`."""
    text = mask(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def quoted(value: object, limit: int = SHOWN_CHARS) -> str:
    """Quote a user's value for a message: repr(), secrets masked, cut to `limit`.

    Example: `'aaaa…' (2,000,000 characters)` for a 2 MB string.
    """
    text = mask(repr(value))  # mask first: a cut must not keep half a secret
    if len(text) <= limit + 2:
        return text
    size = len(value) if isinstance(value, str) else len(text)
    close = text[0] if isinstance(value, str) else ""
    return f"{text[: limit + 1]}…{close} ({size:,} characters)"


class ExitCode(enum.IntEnum):
    """Process exit codes (README "Exit codes" is the contract)."""

    OK = 0
    NO_MATCH = 1
    USAGE = 2
    SOURCE_FAILED = 3
    INTERNAL = 4
    OUTPUT_FAILED = 5
    MISSING_HOP = 6
    """--strict-hops: an `expect:` source had no record (5 was taken by OUTPUT_FAILED)."""
    INTERRUPTED = 130
    TERMINATED = 143
    BROKEN_PIPE = 141


class TracerunError(Exception):
    """A user error: one message line plus an optional hint, no traceback."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, hint: str | None = None) -> None:
        message = mask(message)
        super().__init__(message)
        self.message = message
        self.hint = None if hint is None else mask(hint)


@plain(frozen=True)
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

    def masked(self) -> ConfigIssue:
        """Return this issue with every registered secret value masked (see `mask`)."""
        return replace(
            self,
            message=mask(self.message),
            hint=None if self.hint is None else mask(self.hint),
            details=tuple(mask(line) for line in self.details),
        )


class ProfileError(TracerunError):
    """A profile that cannot be used; carries every located issue found in it."""

    exit_code = ExitCode.USAGE

    def __init__(self, file: str, issues: list[ConfigIssue]) -> None:
        count = len(issues)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{file} has {count} {noun}")
        self.file = file
        masked = [issue.masked() for issue in issues]
        self.issues = sorted(masked, key=ConfigIssue.sort_key)


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


class TempSpaceError(TracerunError):
    """A trace's temporary files cannot be written (TMPDIR full): the run stops.

    Why not an OSError: an ENOSPC that reaches the top reads as stdout's
    (`cannot write to stdout`), and one inside a file's read as that log's
    failure; neither is where the trouble is.
    """

    @classmethod
    def of(cls, exc: OSError) -> TempSpaceError:
        """Say which folder could not take the records (TMPDIR's) and what to do."""
        import tempfile  # noqa: PLC0415 - start-up: error path only

        why = exc.strerror or str(exc)
        return cls(
            f"cannot write temporary files in {tempfile.gettempdir()}: {why}",
            "a trace keeps the records of a file that matches more than 10,000 "
            "there meanwhile; point TMPDIR at a folder with room, or narrow the "
            "query (--since, --until, --source, --max-records)",
        )

    def __reduce__(self) -> tuple[type[TempSpaceError], tuple[str, str | None]]:
        """Pickle with the hint (a worker process raises it)."""
        return (type(self), (self.message, self.hint))


class TerminatedError(BaseException):
    """SIGTERM while worker processes run: unwinds like KeyboardInterrupt, exits 143."""


class QueryError(TracerunError):
    """A term, time bound or --where expression that cannot be understood."""


@plain(frozen=True)
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


def failure_lines(failures: Sequence[SourceFailure]) -> list[tuple[str, str | None]]:
    """One line per distinct failure: sources that failed alike share it.

    Why: two sources on one ssh host that refuses connections (or one engine
    that is down) fail for one reason; said once, naming every source, in the
    order the sources first failed.
    """
    grouped: dict[tuple[str, str, str | None], list[str]] = {}
    for failure in failures:
        names = grouped.setdefault((failure.origin, failure.reason, failure.hint), [])
        if failure.source not in names:
            names.append(failure.source)
    lines: list[tuple[str, str | None]] = []
    for (origin, reason, hint), names in grouped.items():
        where = f"{origin}: " if origin else ""
        label = "source" if len(names) == 1 else "sources"
        lines.append((f"{label} {', '.join(names)}: {where}{reason}", hint))
    return lines


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
