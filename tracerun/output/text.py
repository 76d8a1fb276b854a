"""Text output: Record → `time  source  LEVEL  message  key=value…` (+ indented continuation).

Log content is untrusted: every control character in it but the tab (ESC, BEL,
CR, LF, NUL, the C1 range) and any lone surrogate is shown escaped (`\\x1b`,
`\\r`), so that a log line cannot retitle the terminal, write the clipboard
(OSC 52), clear the screen or overwrite what is shown (issue #12).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from tracerun.errors import printable
from tracerun.output.base import StreamingFormatter
from tracerun.output.color import DIM, RESET, level_color, source_color
from tracerun.record import NO_TIME, ContextLine, Record, field_text
from tracerun.timeparse import format_utc_ms

_NO_TIME_TEXT = "-".ljust(len("2026-03-20T14:10:00.000Z"))
_CONTINUATION_INDENT = "    "
_CONTROL = r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
_control: re.Pattern[str] | None = None
_NAMED = {"\n": "\\n", "\r": "\\r"}
CONTEXT_MARK = "  ┊ "
"""Starts a context line (`-A/-B/-C`), so that it reads apart from records without colour."""
VIA_MARK = "↳"
"""Marks a record that `--expand` found, before the field whose id led to it."""


class TextFormatter(StreamingFormatter):
    """Human-readable timeline, aligned on the widest source name."""

    def __init__(
        self, sources: Sequence[str], *, color: bool, show_fields: bool = True
    ) -> None:
        self._width = max((len(printable(s)) for s in sources), default=0)
        self._color = color
        self._show_fields = show_fields

    def format(self, record: Record) -> str:
        """Render one record as one line plus its continuation lines."""
        time = _NO_TIME_TEXT if record.time == NO_TIME else format_utc_ms(record.time)
        # A source is named after its file: `esc\x1b[2J`, `new\nline` are shown inert.
        source = printable(record.source).ljust(self._width)
        level = visible(record.level.upper() or "-").ljust(5)
        message = visible(record.message or (record.raw if not record.fields else ""))
        extra = visible(_fields_text(record)) if self._show_fields else ""
        via = f"{VIA_MARK} {visible(_via_field(record.via))}" if record.via else ""
        if self._color:
            time = f"{DIM}{time}{RESET}"
            source = f"{source_color(record.source)}{source}{RESET}"
            if tint := level_color(record.level):
                level, message = f"{tint}{level}{RESET}", f"{tint}{message}{RESET}"
            extra = f"{DIM}{extra}{RESET}" if extra else ""
            via = f"{DIM}{via}{RESET}" if via else ""
        parts = (time, source, level, via, message, extra)
        head = " ".join(part for part in parts if part).rstrip()
        tail = "".join(
            f"{_CONTINUATION_INDENT}{visible(line)}\n"
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


def _via_field(via: str) -> str:
    """Name the field of the id that led to a record: `order_id` of `order_id=ord-1 ← …`."""
    return via.split(" ← ", 1)[0].split("=", 1)[0]


def visible(text: str) -> str:
    """Escape the control characters (all but tab) and lone surrogates in `text`.

    Stricter than output/base.py's `visible`, which keeps line feeds for the
    formats that lay text out on several lines: a text record is one line.
    """
    if text.isascii() and text.isprintable():  # none of them: the common case
        return text
    global _control  # noqa: PLW0603 - compiled on first use (~0.4 ms, issue #18)
    if _control is None:
        _control = re.compile(_CONTROL)
    if _control.search(text) is None:
        return text
    return _control.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match[0]
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def _fields_text(record: Record) -> str:
    hidden = record.hidden
    return " ".join(
        [
            f"{key}={_quote(value)}"
            for key, value in record.fields.items()
            if key not in hidden
        ]
    )


def _quote(value: Any) -> str:
    if type(value) is str:
        text = value
    elif isinstance(value, dict | list):
        return _json_text(value)
    else:
        text = field_text(value)
    # Four `in` tests, not any() over a generator: ~1 µs a field (issue #18).
    if not text or " " in text or '"' in text or "=" in text or "\t" in text:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def _json_text(value: dict[str, Any] | list[Any]) -> str:
    """Write a nested value as compact JSON; `json` where orjson cannot (big ints)."""
    import orjson  # noqa: PLC0415 - start-up: only for a nested value (it costs ~7 ms)

    try:
        return orjson.dumps(value).decode()
    except TypeError:
        import json  # noqa: PLC0415 - rare: only when orjson refuses a value

        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
