"""Match: a record's extracted fields and time → keep or drop (exact key=value, window, --where).

A key without a dot that is not at the top of a record is looked for at any
depth (`{"ctx": {"request_id": ...}}`), unless the parser defines that field;
a key of the profile's `keys` also matches its other spellings (`requestId`,
`RequestId`, `request-id`, `REQUEST_ID`, `X-Request-Id`). Values are always
compared exactly; a list carries a value when one of its scalars equals it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from tracerun.errors import EvaluationError
from tracerun.query import Query
from tracerun.record import NO_TIME, Record, field_text
from tracerun.timeparse import format_rfc3339_us

if TYPE_CHECKING:
    from tracerun.expression import Expression
    from tracerun.extract.fields import Getter

_DEPTH = 4
"""How deep `holder` looks into nested objects for a field holding a value."""


def lookup(fields: dict[str, Any], key: str) -> Any:
    """Return `fields[key]`, or walk a dotted key through nested mappings."""
    if key in fields:
        return fields[key]
    if "." not in key:
        return None
    node: Any = fields
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def record_view(record: Record) -> dict[str, Any]:
    """Build what a --where or --exit-on expression sees for one record.

    The record's fields, then `time` (RFC 3339 UTC, null when it has none),
    `source`, `origin`, `line` (null when unknown), the normalised `level` and
    `message` (the values ndjson prints) and `fields` (the fields as parsed, so
    that `fields.level` still reaches a field these names hide): these win over
    fields of the same name.
    """
    view = dict(record.fields)
    view["time"] = None if record.time == NO_TIME else format_rfc3339_us(record.time)
    view["source"] = record.source
    view["origin"] = record.origin
    view["line"] = record.line or None
    view["level"] = record.level
    view["message"] = "\n".join((record.message, *record.continuation))
    view["fields"] = record.fields
    return view


class RecordFilter:
    """A --where or --exit-on expression over records; it never raises.

    A record on which the expression fails (a type error, a failing function)
    does not pass; `error` then says why, until the next test.
    """

    __slots__ = ("_expression", "error", "subject")

    def __init__(self, expression: str, option: str = "--where") -> None:
        from tracerun.expression import compile_expression  # noqa: PLC0415 - start-up: imports jmespath

        self._expression: Expression = compile_expression(expression)
        quote = "'" if '"' in expression else '"'
        self.subject = f"{option} {quote}{expression}{quote}"
        """The option and expression, as a warning names them."""
        self.error: EvaluationError | None = None

    def test(self, record: Record) -> bool:
        """Tell whether the expression is truthy for the record (False when it fails)."""
        from tracerun.expression import truthy  # noqa: PLC0415 - loaded by __init__

        self.error = None
        try:
            return truthy(self._expression.search(record_view(record)))
        except EvaluationError as exc:
            self.error = exc
            return False


def spellings(key: str) -> tuple[str, ...]:
    """List the ways programs spell a key: `request_id`, `requestId`, `RequestId`, `request-id`.

    Also journald's `REQUEST_ID` (its user fields are upper case), Go's
    `requestID` and `RequestID` (the initialism upper case, as golint asks), the HTTP
    header's `X-Request-Id` / `x-request-id` / `X-Request-ID`, under which
    Caddy, pino-http and Envoy log the header that carries the id, and
    Traefik's `request_X-Request-Id` (its access log's `fields.headers`: the
    request header's canonical name after `request_`); `x_request_id` has the
    header's spellings too. The key as given comes first; a key of one word has
    no other spelling.
    """
    words = [w for w in _WORD_BREAK.split(key) if w]
    if len(words) < 2 or not all(w.isalnum() for w in words):
        return (key,)
    lower = [w.lower() for w in words]
    title = [w.title() for w in lower]
    forms = [
        "_".join(lower),
        lower[0] + "".join(title[1:]),
        "".join(title),
        "-".join(lower),
        "_".join(w.upper() for w in lower),
    ]
    if lower[-1] == "id":  # Go's initialisms: requestID, RequestID (Jaeger's traceID)
        forms += [
            forms[1].removesuffix("Id") + "ID",
            forms[2].removesuffix("Id") + "ID",
        ]
    header = lower if lower[0] == "x" else ["x", *lower]
    canonical = "-".join(w.title() for w in header)  # Go's CanonicalHeaderKey
    forms += [canonical, "-".join(header)]
    if lower[-1] == "id":
        forms.append(canonical.removesuffix("-Id") + "-ID")
    forms.append(f"request_{canonical}")
    return tuple(dict.fromkeys((key, *forms)))


_WORD_BREAK = re.compile(r"[_-]|(?<=[a-z0-9])(?=[A-Z])")


class Matcher:
    """Decides whether a parsed record belongs to the query's answer."""

    def __init__(self, query: Query) -> None:
        fold = str.casefold if query.ignore_case else None
        self._fold = fold
        keyed: dict[str, set[str]] = {}
        bare: set[str] = set()
        for term in query.terms:
            value = fold(term.value) if fold else term.value
            if term.key is None:
                bare.add(value)
            else:
                keyed.setdefault(term.key, set()).add(value)
        # One lookup per key, then a set test: 1,000 ids cost what one does. The
        # keys' spellings share one set of the bare values (--ids-from 100,000
        # ids would otherwise copy it for each of ~40 spellings).
        shared = frozenset(bare)
        by_key: dict[str, frozenset[str]] = {}
        if shared:
            for key in (k for name in query.keys for k in spellings(name)):
                by_key.setdefault(key, shared)
        for key, values in keyed.items():
            by_key[key] = by_key.get(key, frozenset()) | values
        self._by_key = tuple(by_key.items())
        self._values = shared.union(*keyed.values())
        self.keys = tuple(key for key, _ in self._by_key)
        """Every field name a term is compared with (the keys' spellings too)."""
        self._since = query.since
        self._until = query.until
        self._derived = _derived(query) if query.derived else ()
        self.where_filter = RecordFilter(query.where) if query.where else None
        """The --where filter, None without one."""

    def match_fields(
        self, fields: dict[str, Any], defined: frozenset[str] = frozenset()
    ) -> bool:
        """Tell whether any term equals its field exactly (case-folded with -i).

        Args:
            fields: the record's fields.
            defined: the parser's own field names (`fields:`), looked up only
                at the top: the profile said where they are.
        """
        deep: dict[str, frozenset[str]] = {}
        for key, values in self._by_key:
            found = lookup(fields, key)
            if found is None:
                if "." not in key and key not in defined:
                    deep[key] = values
                continue
            if self._carries(found, values):
                return True
        if deep and any(
            self._carries(value, deep[key]) for key, value in _nested(fields, deep)
        ):
            return True
        return bool(self._derived) and self._match_derived(fields)

    def _match_derived(self, fields: dict[str, Any]) -> bool:
        """Compare the bare values with what `correlate:` expressions give (--expand)."""
        for getter, values in self._derived:
            try:
                found = getter.get(fields)
            except EvaluationError:
                continue  # trace/expand.py reports a failing expression once
            items = found if isinstance(found, list) else (found,)
            for item in items:
                scalar = item is not None and not isinstance(item, dict | list)
                if scalar and self._equal(item, values):
                    return True
        return False

    def _carries(self, value: Any, values: frozenset[str]) -> bool:
        """Tell whether a scalar equals a value, or a list has a scalar that does.

        Why lists: Go's http.Header is a map of lists, so Caddy logs
        `"X-Request-Id": ["abc"]`. An object never equals a value.
        """
        if type(value) is list:
            return any(
                item is not None
                and not isinstance(item, dict | list)
                and self._equal(item, values)
                for item in value
            )
        return not isinstance(value, dict) and self._equal(value, values)

    def _equal(self, value: Any, values: frozenset[str]) -> bool:
        text = field_text(value)
        return (self._fold(text) if self._fold else text) in values

    def holder(self, fields: dict[str, Any], depth: int = _DEPTH) -> str | None:
        """Name a field (dotted when nested) whose value equals a search value.

        Asked only of a hit that `match_fields` refused, to tell the user which
        field to write as `key=VALUE`.
        """
        for key, value in fields.items():
            if isinstance(value, dict):
                inner = self.holder(value, depth - 1) if depth > 1 else None
                if inner is not None:
                    return f"{key}.{inner}"
            elif self._carries(value, self._values):
                return str(key)
        return None

    def in_window(self, time: int) -> bool:
        """Tell whether an instant (µs) lies in [since, until]."""
        if self._since is not None and time < self._since:
            return False
        return self._until is None or time <= self._until

    def where(self, record: Record) -> bool:
        """Evaluate --where over the record's view (`record_view`); none keeps all.

        False also when the expression fails on this record: `where_filter.error`
        then says why.
        """
        return self.where_filter is None or self.where_filter.test(record)


def _derived(query: Query) -> tuple[tuple[Getter, frozenset[str]], ...]:
    from tracerun.extract.fields import expression_getter  # noqa: PLC0415 - start-up: only with --expand

    fold = str.casefold if query.ignore_case else None
    bare = frozenset(
        fold(t.value) if fold else t.value for t in query.terms if t.key is None
    )
    return tuple((expression_getter(e), bare) for e in query.derived)


def _nested(fields: dict[str, Any], keys: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Yield (key, scalar value) for the wanted keys below the top of a record.

    An `id` inside an object counts as `<object>_id` too: pino-http's
    `"req": {"id": ...}` is a `req_id`, ECS's `"trace": {"id": ...}` a
    `trace_id` (the whole value must still equal the term).
    """
    stack: list[tuple[object, Any]] = [
        (k, v) for k, v in fields.items() if type(v) is dict or type(v) is list
    ]
    while stack:
        parent, node = stack.pop()
        items = node.items() if type(node) is dict else enumerate(node)
        for key, value in items:
            if value is not None and type(value) is not dict:
                if key in keys:
                    yield key, value  # a list: _carries looks at its scalars
                elif key == "id" and type(parent) is str:
                    joined = f"{parent}_id"
                    if joined in keys:
                        yield joined, value
            if type(value) is dict or type(value) is list:
                stack.append((key, value))
