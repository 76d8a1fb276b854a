"""Text output: Record → `time  source  LEVEL  message  key=value…` (+ indented continuation)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from tracerun.output.base import StreamingFormatter, visible
from tracerun.output.color import DIM, RESET, level_color, source_color
from tracerun.record import NO_TIME, ContextLine, Record, field_text
from tracerun.timeparse import format_utc_ms

_NO_TIME_TEXT = "-".ljust(len("2026-03-20T14:10:00.000Z"))
_CONTINUATION_INDENT = "    "
CONTEXT_MARK = "  ┊ "
"""Starts a context line (`-A/-B/-C`), so that it reads apart from records without colour."""


class TextFormatter(StreamingFormatter):
    """Human-readable timeline, aligned on the widest source name."""

    def __init__(
        self, sources: Sequence[str], *, color: bool, show_fields: bool = True
    ) -> None:
        self._width = max((len(s) for s in sources), default=0)
        self._color = color
        self._show_fields = show_fields

    def format(self, record: Record) -> str:
        """Render one record as one line plus its continuation lines."""
        time = _NO_TIME_TEXT if record.time == NO_TIME else format_utc_ms(record.time)
        source = record.source.ljust(self._width)
        level = (record.level.upper() or "-").ljust(5)
        message = record.message or (record.raw if not record.fields else "")
        extra = _fields_text(record) if self._show_fields else ""
        if self._color:
            time = f"{DIM}{time}{RESET}"
            source = f"{source_color(record.source)}{source}{RESET}"
            if tint := level_color(record.level):
                level, message = f"{tint}{level}{RESET}", f"{tint}{message}{RESET}"
            extra = f"{DIM}{extra}{RESET}" if extra else ""
        parts = (time, source, level, message, extra)
        head = " ".join(part for part in parts if part).rstrip()
        tail = "".join(
            f"{_CONTINUATION_INDENT}{line}\n"
            for line in record.continuation or record.stack
        )
        if record.context is None:
            return f"{head}\n{tail}"
        before = self._context(record.context.before)
        return f"{before}{head}\n{tail}{self._context(record.context.after)}"

    def _context(self, lines: tuple[ContextLine, ...]) -> str:
        """Context lines (`-A/-B/-C`): marked, and dimmed when colouring."""
        if self._color:
            return "".join(
                f"{DIM}{CONTEXT_MARK}{visible(c.text)}{RESET}\n" for c in lines
            )
        return "".join(f"{CONTEXT_MARK}{visible(c.text)}\n" for c in lines)


def _fields_text(record: Record) -> str:
    return " ".join(
        f"{key}={_quote(value)}"
        for key, value in record.fields.items()
        if key not in record.hidden
    )


def _quote(value: Any) -> str:
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    text = field_text(value)
    if text == "" or any(c in text for c in ' "=\t'):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text
