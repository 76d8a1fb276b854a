"""Query: command-line terms and options → an immutable Query the pipeline runs."""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable
from typing import Any, Protocol

from tracerun.errors import ExpressionError, QueryError, cut, quoted
from tracerun.plain import field, plain, replace
from tracerun.timeparse import format_utc_ms

_KEY = re.compile(r"[A-Za-z_@][\w.@-]*")


@plain(frozen=True, slots=True)
class Term:
    """One search term: `key=value`, or a bare value (key None) matched on the keys."""

    key: str | None
    value: str

    def __str__(self) -> str:
        return self.value if self.key is None else f"{self.key}={self.value}"


@plain(frozen=True, slots=True)
class Query:
    """What to look for and which records to keep; terms are OR-ed."""

    terms: tuple[Term, ...]
    keys: tuple[str, ...] = ()
    ignore_case: bool = False
    since: int | None = None
    until: int | None = None
    where: str | None = None
    limit: int | None = None
    max_records: int | None = None
    """At most this many records are printed (None: no cap)."""
    before: int = 0
    """Lines of context to keep before each record (`-B`, `-C`)."""
    after: int = 0
    """Lines of context to keep after each record (`-A`, `-C`)."""
    timeout: float = 30.0
    """Seconds one remote origin (an ssh host) may take to answer a one-shot read."""
    lines: bool = True
    """Records carry their line numbers. False: nothing shows them (the text
    output), so a plain file's lines are counted only for the warnings that
    name one (issue #18; read/numbers.py)."""
    derived: tuple[str, ...] = ()
    """JMESPath expressions a bare term is also compared with (`correlate:` with
    `--expand`): a record matches when one of them gives the value."""
    grow: Growing | None = field(default=None, compare=False)
    """`-f --expand`: the live needle set, which grows as records bring new ids."""

    @property
    def values(self) -> tuple[str, ...]:
        """The distinct search values, the needles of the byte prefilter."""
        return tuple(dict.fromkeys(t.value for t in self.terms))

    def window(self) -> str | None:
        """Describe the time window in UTC, `2026-03-20T14:00:00.000Z → …` (None: none)."""
        if self.since is None and self.until is None:
            return None
        start = "…" if self.since is None else format_utc_ms(self.since)
        end = "…" if self.until is None else format_utc_ms(self.until)
        return f"{start} → {end} UTC"


class Regrowing(Protocol):
    """A live reader that can search again what it read recently, for new ids."""

    def regrow(self, added: tuple[str, ...]) -> list[Any]:
        """Take the grown query; return the recent records that carry `added`."""
        ...


class Growing:
    """The ids a follow searches, which grow while it runs (`-f --expand`, #16).

    The follow driver adds the ids it finds on live records; every reader made
    with a query holding this (read/incremental.py) registers, switches to the
    grown needle set on `add`, and searches again the bytes it read recently,
    so a record that arrived just before its id was known is not missed.
    Why not in the pickled query of a one-shot read: `history()` drops it.
    """

    def __init__(self, query: Query) -> None:
        self.query = query
        self.version = 0
        self._readers: weakref.WeakSet[Any] = weakref.WeakSet()

    def join(self, reader: Regrowing) -> None:
        """Register a live reader (held weakly: a finished origin's goes away)."""
        self._readers.add(reader)

    def add(self, values: Iterable[str]) -> list[Any]:
        """Search `values` too; return the records the readers' recent bytes hold."""
        known = set(self.query.values)
        added = tuple(v for v in dict.fromkeys(values) if v not in known)
        if not added:
            return []
        terms = (*self.query.terms, *(Term(None, v) for v in added))
        self.query = replace(self.query, terms=terms)
        self.version += 1
        found: list[Any] = []
        for reader in list(self._readers):
            found += reader.regrow(added)
        return found


def parse_term(text: str) -> Term:
    """Split `key=value`; anything else (or an empty key or value) is a bare value.

    Example: `request_id=abc` → Term("request_id", "abc"); `abc==` → Term(None, "abc==").
    """
    if "\n" in text or "\0" in text:
        what = "spans lines" if "\n" in text else "holds a NUL character"
        msg = f"search term {quoted(text)} {what}; records are matched line by line"
        raise QueryError(msg, "remove it from the term")
    key, sep, value = text.partition("=")
    if sep and value and not value.startswith("=") and _KEY.fullmatch(key):
        return Term(key, value)
    if not text.strip():
        msg = "an empty search term matches nothing"
        raise QueryError(msg, "give a value such as request_id=abc123")
    return Term(None, text)


def check_where(expression: str) -> str:
    """Compile a --where JMESPath expression, raising QueryError when it is invalid."""
    return check_expression(expression, "--where", "--where \"level == 'error'\"")


def check_expression(expression: str, option: str, example: str) -> str:
    """Compile and check the JMESPath expression given to `option`.

    Raises:
        QueryError: invalid syntax, or a call that can never work (an unknown
            function, a wrong number of arguments), before anything is read.
    """
    from tracerun.expression import compile_expression  # noqa: PLC0415 - start-up: only with an expression

    try:
        compile_expression(expression)
    except ExpressionError as exc:
        msg = f"{option} {quoted(expression)}: {cut(str(exc), 300)}"
        raise QueryError(msg, exc.hint or f"example: {example}") from None
    return expression
