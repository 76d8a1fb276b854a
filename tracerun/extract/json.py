"""JSON extractor: one JSON-object log line → its top-level keys as fields.

orjson first (5x faster than the standard library); a small iterative parser
where orjson refuses the line or its result could not be carried safely: NaN
and Infinity, a BOM, a lone surrogate escape, an integer beyond 64 bits or
4,300 digits, nesting deeper than MAX_DEPTH (issue #12: one odd value costs
that value's form, never the record or the run).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tracerun.config.spec import JsonParserConfig

MAX_DEPTH = 256
"""Containers nested deeper than this are kept as their JSON text (a string).

Why: every later step that walks a value (orjson.dumps stops at 254 levels,
pickle between processes and Python's own comparisons at ~1,000) stays safe.
"""
MAX_INT_DIGITS = 4300
"""Python's int-from-text limit: longer integers are kept as their digits (a string)."""
_INT64_LIMIT = 2.0**63
_Scan = Callable[[str, int, bool], tuple[str, int]]
_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_CONSTANTS = {
    "true": True,
    "false": False,
    "null": None,
    "NaN": float("nan"),
    "Infinity": float("inf"),
    "-Infinity": float("-inf"),
}
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


class JsonExtractor:
    """Parses a line holding one JSON object; values stay as parsed (nested kept)."""

    __slots__ = ()

    def extract(self, line: str) -> dict[str, Any] | None:
        """Return the object's keys, or None when the line is not a JSON object."""
        try:
            value = _loads(line)
        except ValueError:  # orjson.JSONDecodeError, without importing json
            return loads_object(line)
        if type(value) is not dict:
            return None
        if _needs_care(value):
            return loads_object(line)
        return value


def _first_loads(line: str) -> Any:
    """Import orjson on the first JSON line, then call `orjson.loads` directly.

    Why: orjson imports dataclasses, inspect and uuid (~7 ms); a trace whose
    lines are not JSON never needs it (issue #18).
    """
    global _loads  # noqa: PLW0603 - bound once, to orjson's own function
    import orjson  # noqa: PLC0415 - start-up: only once a line is JSON

    _loads = orjson.loads
    return _loads(line)


_loads: Callable[[str], Any] = _first_loads


def _unbound_scanstring(_text: str, _end: int, _strict: bool) -> tuple[str, int]:
    raise AssertionError  # loads_object binds the real one first


_scanstring: _Scan = _unbound_scanstring


def _bind_scanstring() -> None:
    """Bind `json.decoder.scanstring` once: `json` costs ~1.5 ms, and only this parser needs it."""
    global _scanstring  # noqa: PLW0603 - bound once
    if _scanstring is _unbound_scanstring:
        import json.decoder  # noqa: PLC0415 - start-up: only for a line orjson refused

        _scanstring = json.decoder.scanstring  # type: ignore[attr-defined]  # untyped


def from_config(config: JsonParserConfig) -> JsonExtractor:  # noqa: ARG001
    """Build the extractor for a `type: json` parser."""
    return JsonExtractor()


def _needs_care(value: dict[str, Any]) -> bool:
    """Tell whether orjson's result holds a rounded big integer or deep nesting.

    Why: a 20-digit numeric id that orjson turned into a float would lose its
    last digits and stop matching; such floats are at least 2**63 in magnitude.
    Iterative, so that depth itself cannot break the check.
    """
    todo: list[tuple[Any, int]] = [(value, 1)]
    while todo:
        node, depth = todo.pop()
        for item in node.values() if type(node) is dict else node:
            kind = type(item)
            if kind is float:
                if item >= _INT64_LIMIT or item <= -_INT64_LIMIT:
                    return True
            elif kind is dict or kind is list:
                if depth >= MAX_DEPTH:
                    return True
                todo.append((item, depth + 1))
    return False


def loads_object(text: str) -> dict[str, Any] | None:
    """Parse a JSON object without recursion, with the limits above; None if invalid.

    Accepts what Python's `json` accepts (NaN, Infinity, lone surrogate escapes)
    plus a leading BOM. Containers deeper than MAX_DEPTH and integers longer
    than MAX_INT_DIGITS come back as their JSON text.
    """
    _bind_scanstring()
    text = text.removeprefix("\ufeff")
    start = _skip(text, 0)
    if text[start : start + 1] != "{":
        return None
    try:
        value, end = _Parser(text).value(start)
    except (ValueError, IndexError):
        return None
    if _skip(text, end) != len(text):
        return None
    return value  # type: ignore[no-any-return]  # an object: checked above


class _Parser:
    """An explicit-stack JSON parser over one string (only for the rare odd line)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def value(self, pos: int) -> tuple[Any, int]:
        """Parse the value at `pos`; return it and the offset just after it."""
        text = self.text
        stack: list[list[Any]] = []  # [container, key of the value being read]
        while True:
            pos = _skip(text, pos)
            char = text[pos]
            if char in "{[" and len(stack) < MAX_DEPTH:
                container: Any = {} if char == "{" else []
                pos = _skip(text, pos + 1)
                if text[pos] != ("}" if char == "{" else "]"):
                    key, pos = self._key(pos) if char == "{" else (None, pos)
                    stack.append([container, key])
                    continue
                value, pos = container, pos + 1
            elif char in "{[":
                end = container_end(text, pos)
                value, pos = text[pos:end], end
            else:
                value, pos = self._scalar(pos)
            while stack:
                top = stack[-1]
                if type(top[0]) is dict:
                    top[0][top[1]] = value
                else:
                    top[0].append(value)
                pos = _skip(text, pos)
                char = text[pos]
                if char == ",":
                    if type(top[0]) is dict:
                        top[1], pos = self._key(_skip(text, pos + 1))
                    else:
                        pos += 1
                    break
                if char != ("}" if type(top[0]) is dict else "]"):
                    msg = "expected ',' or a closing bracket"
                    raise ValueError(msg)
                value, pos = stack.pop()[0], pos + 1
            else:
                return value, pos

    def _key(self, pos: int) -> tuple[str, int]:
        """Read `"key" :` at `pos`; return the key and the offset after the colon."""
        if self.text[pos] != '"':
            msg = "expected a key"
            raise ValueError(msg)
        key, pos = _scanstring(
            self.text, pos + 1, True
        )  # strict: no raw control characters
        pos = _skip(self.text, pos)
        if self.text[pos] != ":":
            msg = "expected ':'"
            raise ValueError(msg)
        return key, pos + 1

    def _scalar(self, pos: int) -> tuple[Any, int]:
        text = self.text
        if text[pos] == '"':
            return _scanstring(text, pos + 1, True)  # strict: no raw control characters
        for word, constant in _CONSTANTS.items():
            if text.startswith(word, pos):
                return constant, pos + len(word)
        number = _NUMBER.match(text, pos)
        if number is None:
            msg = "expected a value"
            raise ValueError(msg)
        whole, fraction, exponent = number.groups()
        if fraction or exponent:
            return float(number[0]), number.end()
        digits = len(whole) - whole.startswith("-")
        return (int(whole) if digits <= MAX_INT_DIGITS else whole), number.end()


def _skip(text: str, pos: int) -> int:
    """Offset of the first non-blank character at or after `pos`."""
    return _WS.match(text, pos).end()  # type: ignore[union-attr]  # always matches


def container_end(text: str, pos: int) -> int:
    """End of the container opening at `pos` (brackets in strings skipped, pairs checked)."""
    closers: list[str] = []
    for match in _STRING_OR_BRACKET.finditer(text, pos):
        token = match[0]
        if token in "[{":
            closers.append("]" if token == "[" else "}")
        elif token in "]}":
            if not closers or closers.pop() != token:
                break
            if not closers:
                return match.end()
    msg = "unclosed or mismatched container"
    raise ValueError(msg)
