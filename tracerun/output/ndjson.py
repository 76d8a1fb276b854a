"""NDJSON output: Record → one JSON object per line with a fixed set of keys."""

from __future__ import annotations

import json
from typing import Any

import orjson

from tracerun.output.base import StreamingFormatter
from tracerun.record import NO_TIME, ContextLine, Record
from tracerun.timeparse import format_rfc3339_us


class NdjsonFormatter(StreamingFormatter):
    """`{"time", "source", "origin", "line", "level", "message", "fields"}` per record."""

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
        if record.context is None:
            return _dumps(document) + "\n"
        before = "".join(_context(record, c) for c in record.context.before)
        after = "".join(_context(record, c) for c in record.context.after)
        return before + _dumps(document) + "\n" + after


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
    try:
        return orjson.dumps(document).decode()
    except TypeError:  # e.g. an integer wider than 64 bits
        return json.dumps(document, ensure_ascii=False, separators=(",", ":"))
