"""Match: a record's extracted fields and time → keep or drop (exact key=value, window, --where)."""

from __future__ import annotations

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


class Matcher:
    """Decides whether a parsed record belongs to the query's answer."""

    def __init__(self, query: Query) -> None:
        fold = str.casefold if query.ignore_case else None
        self._fold = fold
        by_key: dict[str, set[str]] = {}
        for term in query.terms:
            value = fold(term.value) if fold else term.value
            for key in (term.key,) if term.key is not None else query.keys:
                by_key.setdefault(key, set()).add(value)
        # One lookup per key, then a set test: 1,000 ids cost what one does.
        self._by_key = tuple((key, frozenset(values)) for key, values in by_key.items())
        self._since = query.since
        self._until = query.until
        self._where = _compile_where(query.where) if query.where else None

    def match_fields(self, fields: dict[str, Any]) -> bool:
        """Tell whether any term equals its field exactly (case-folded with -i)."""
        for key, values in self._by_key:
            found = lookup(fields, key)
            if found is None or isinstance(found, dict | list):
                continue
            text = field_text(found)
            if (self._fold(text) if self._fold else text) in values:
                return True
        return False

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


def _compile_where(expression: str) -> Any:
    import jmespath  # noqa: PLC0415 - lazy: only when --where is used

    return jmespath.compile(expression)
