"""Template output: Record → one line from a profile's `line:` template (stern-like).

`{time:%H:%M:%S.%f} {source:>12:color} {level:color} {message} {fields[order_id]}`:
placeholders name record attributes or fields, specs align text or format the
time (UTC), `:color`/`:dim`/`:bold` paint. Nothing in a template is evaluated:
config/template.py parses it into parts once, when the profile is validated.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from tracerun.config.spec import OutputConfig, TemplateOutputConfig
from tracerun.config.template import Placeholder, parse_template
from tracerun.output.base import OutputContext, StreamingFormatter, visible
from tracerun.output.color import DIM, RESET, level_color, source_color
from tracerun.output.timeline import message_of, trailing_lines
from tracerun.record import NO_TIME, Record, field_text
from tracerun.timeparse import format_utc_ms

BOLD = "\x1b[1m"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_INDENT = "    "


class TemplateFormatter(StreamingFormatter):
    """Renders each record through the parsed template; continuation lines indented."""

    def __init__(self, line: str, *, color: bool) -> None:
        self._parts = parse_template(line)
        self._color = color

    def format(self, record: Record) -> str:
        """Render one record as its template line plus its continuation lines."""
        out = []
        for part in self._parts:
            if isinstance(part, str):
                out.append(part)
                continue
            text = format(
                visible(_value(part, record)), "" if part.name == "time" else part.spec
            )
            out.append(self._paint(text, part, record))
        tail = "".join(f"{_INDENT}{visible(line)}\n" for line in trailing_lines(record))
        return "".join(out) + "\n" + tail

    def _paint(self, text: str, part: Placeholder, record: Record) -> str:
        if not (self._color and part.style and text):
            return text
        if part.style == "dim":
            code = DIM
        elif part.style == "bold":
            code = BOLD
        elif part.name in ("source", "origin"):
            code = source_color(record.source)
        else:
            code = level_color(record.level)
        return f"{code}{text}{RESET}" if code else text


def _value(part: Placeholder, record: Record) -> str:
    name = part.name
    if name == "time":
        return _time(record.time, part.spec)
    if name == "fields":
        return _text(_field(record.fields, part.keys))
    if name == "message":
        return message_of(record)
    if name == "line":
        return str(record.line) if record.line else ""
    if name == "level":
        return record.level
    text: str = getattr(record, name)  # source, origin, raw: checked names only
    return text


def _time(us: int, spec: str) -> str:
    if us == NO_TIME:
        return format("-", "" if "%" in spec else spec)
    if "%" in spec:
        return (_EPOCH + timedelta(microseconds=us)).strftime(spec)
    return format(format_utc_ms(us), spec)


def _field(fields: dict[str, Any], keys: tuple[str, ...]) -> Any:
    node: Any = fields
    for key in keys:
        if not isinstance(node, dict):
            return None
        if key in node:
            node = node[key]
            continue
        node = _dotted(node, key)
    return node


def _dotted(node: dict[str, Any], key: str) -> Any:
    found: Any = node
    for part in key.split("."):
        if not isinstance(found, dict) or part not in found:
            return None
        found = found[part]
    return found


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        try:
            return orjson.dumps(value).decode()
        except TypeError:  # an integer wider than 64 bits
            return str(value)
    return field_text(value)


def build(config: OutputConfig, context: OutputContext) -> TemplateFormatter:
    """Build the `template` formatter (the registry's factory)."""
    assert isinstance(config, TemplateOutputConfig)  # registry key guarantees it
    return TemplateFormatter(config.line, color=context.color)
