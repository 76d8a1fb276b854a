"""JSON extractor: one JSON-object log line → its top-level keys as fields.

orjson first (5x faster than the standard library); `json` where orjson refuses
or would lose precision.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import orjson

from tracerun.config.spec import JsonParserConfig

_INT64_LIMIT = 2.0**63


class JsonExtractor:
    """Parses a line holding one JSON object; values stay as parsed (nested kept)."""

    __slots__ = ()

    def extract(self, line: str) -> dict[str, Any] | None:
        """Return the object's keys, or None when the line is not a JSON object."""
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError:
            return _stdlib_loads(line)
        if type(value) is not dict:
            return None
        if _has_huge_float(value):
            return _stdlib_loads(line)
        return value


def from_config(config: JsonParserConfig) -> JsonExtractor:  # noqa: ARG001
    """Build the extractor for a `type: json` parser."""
    return JsonExtractor()


def _stdlib_loads(line: str) -> dict[str, Any] | None:
    """Why: orjson rejects NaN/Infinity and a BOM, which `json` reads."""
    try:
        value = json.loads(line.removeprefix("\ufeff"))
    except ValueError:
        return None
    return value if type(value) is dict else None


def _has_huge_float(value: dict[str, Any] | list[Any]) -> bool:
    """Tell whether orjson turned an integer beyond 64 bits into a float.

    Why: a 20-digit numeric id would silently lose its last digits and stop
    matching; such floats are at least 2**63 in magnitude.
    """
    items: Iterable[Any] = value.values() if isinstance(value, dict) else value
    for item in items:
        kind = type(item)
        if kind is float:
            if item >= _INT64_LIMIT or item <= -_INT64_LIMIT:
                return True
        elif (kind is dict or kind is list) and _has_huge_float(item):
            return True
    return False
