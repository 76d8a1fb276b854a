"""NDJSON output: Record → one JSON object per line with a fixed set of keys."""

from __future__ import annotations

import json
import math
from typing import Any

import orjson

from tracerun.output.base import StreamingFormatter, ascii_json, inert_json
from tracerun.record import NO_TIME, ContextLine, Record
from tracerun.timeparse import format_rfc3339_us


class NdjsonFormatter(StreamingFormatter):
    """`{"time", "source", "origin", "line", "level", "message", "fields"}` per record.

    With `--expand` (`via=True`) also `via`: the chain of ids that led to the
    record (`order_id=ord-8841 ← req-7f3a9c2e`), null for the query's own.
    """

    def __init__(self, *, via: bool = False, ascii: bool = False) -> None:
        self._via = via
        self._ascii = ascii

    def format(self, record: Record) -> str:
        """Render one record as one JSON line."""
        message = "\n".join((record.message, *record.continuation))
        document = {
            "time": None if record.time == NO_TIME else format_rfc3339_us(record.time),
            "source": record.source,
            "origin": record.origin,
            "line": record.line or None,  # 0: unknown (file entered by bisection)
            "level": record.level,
            "message": message,
            "fields": record.fields,
        }
        if self._via:
            document["via"] = record.via or None
        if record.context is None:
            text = _dumps(document) + "\n"
        else:
            before = "".join(_context(record, c) for c in record.context.before)
            after = "".join(_context(record, c) for c in record.context.after)
            text = before + _dumps(document) + "\n" + after
        return ascii_json(text) if self._ascii else text


def _context(record: Record, line: ContextLine) -> str:
    """Render a context line (`-A/-B/-C`): the record's keys with `context: true`."""
    document: dict[str, Any] = {
        "time": None,
        "source": record.source,
        "origin": record.origin,
        "line": record.line + line.delta if record.line else None,
        "level": "",
        "message": line.text,
        "fields": {},
        "context": True,
    }
    return _dumps(document) + "\n"


def _dumps(document: dict[str, Any]) -> str:
    """Compact JSON, always valid and UTF-8-encodable.

    `json` takes over where orjson refuses (an integer over 64 bits, a lone
    surrogate); NaN and infinities become null, as orjson writes them; a lone
    surrogate is written as its `\\ud800` escape (valid JSON; the raw character
    cannot be encoded), and so are DEL, C1 and bidi controls (`inert_json`).
    """
    try:
        return inert_json(orjson.dumps(document).decode())
    except TypeError:
        pass
    value = _finite(document)
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode()
    except UnicodeEncodeError:
        return json.dumps(value, separators=(",", ":"))
    return inert_json(text)


def _finite(value: Any) -> Any:
    """Copy a value with NaN and infinities as None (nesting is bounded by the parsers)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value
