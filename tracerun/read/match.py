"""Match: a record's extracted fields and time → keep or drop (exact key=value, window, --where).

A key without a dot that is not at the top of a record is looked for at any
depth (`{"ctx": {"request_id": ...}}`), unless the parser defines that field;
a key of the profile's `keys` also matches its other spellings (`requestId`,
`RequestId`, `request-id`). Values are always compared exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tracerun.query import Query
from tracerun.record import field_text


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


def spellings(key: str) -> tuple[str, ...]:
    """List the ways programs spell a key: `request_id`, `requestId`, `RequestId`, `request-id`.

    The key as given comes first; a key of one word has no other spelling.
    """
    words = [w for w in _WORD_BREAK.split(key) if w]
    if len(words) < 2 or not all(w.isalnum() for w in words):
        return (key,)
    lower = [w.lower() for w in words]
    forms = (
        "_".join(lower),
        lower[0] + "".join(w.title() for w in lower[1:]),
        "".join(w.title() for w in lower),
        "-".join(lower),
    )
    return tuple(dict.fromkeys((key, *forms)))


_WORD_BREAK = re.compile(r"[_-]|(?<=[a-z0-9])(?=[A-Z])")


class Matcher:
    """Decides whether a parsed record belongs to the query's answer."""

    def __init__(self, query: Query) -> None:
        fold = str.casefold if query.ignore_case else None
        self._fold = fold
        by_key: dict[str, set[str]] = {}
        bare_keys = [k for key in query.keys for k in spellings(key)]
        for term in query.terms:
            value = fold(term.value) if fold else term.value
            for key in (term.key,) if term.key is not None else bare_keys:
                by_key.setdefault(key, set()).add(value)
        # One lookup per key, then a set test: 1,000 ids cost what one does.
        self._by_key = tuple((key, frozenset(values)) for key, values in by_key.items())
        self._since = query.since
        self._until = query.until
        self._where = _compile_where(query.where) if query.where else None

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
            if not isinstance(found, dict | list) and self._equal(found, values):
                return True
        return bool(deep) and any(
            self._equal(value, deep[key]) for key, value in _nested(fields, deep)
        )

    def _equal(self, value: Any, values: frozenset[str]) -> bool:
        text = field_text(value)
        return (self._fold(text) if self._fold else text) in values

    def in_window(self, time: int) -> bool:
        """Tell whether an instant (µs) lies in [since, until]."""
        if self._since is not None and time < self._since:
            return False
        return self._until is None or time <= self._until

    def where(self, fields: dict[str, Any], level: str = "", source: str = "") -> bool:
        """Evaluate --where; no expression keeps everything.

        The expression sees the record's fields, with `level` replaced by the
        normalised level (so `level == 'error'` holds for ERROR, err, 50) and
        `source` set to the source name.
        """
        if self._where is None:
            return True
        view = {**fields, "source": source} if source else dict(fields)
        if level:
            view["level"] = level
        result = self._where.search(view)
        return result not in (None, False, "", [], {})


def _nested(fields: dict[str, Any], keys: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Yield (key, scalar value) for the wanted keys below the top of a record."""
    stack: list[Any] = [
        v for v in fields.values() if type(v) is dict or type(v) is list
    ]
    while stack:
        node = stack.pop()
        items = node.items() if type(node) is dict else enumerate(node)
        for key, value in items:
            if type(value) is dict or type(value) is list:
                stack.append(value)
            elif key in keys and value is not None:
                yield key, value


def _compile_where(expression: str) -> Any:
    import jmespath  # noqa: PLC0415 - lazy: only when --where is used

    return jmespath.compile(expression)
