"""Stacks: a JSON record's stack-trace field → the lines text output prints under it.

A plain-text traceback follows its record as continuation lines; a JSON logger
puts the same text in a field (`exc_info`, `stack_trace`, `@x`, ...) or as
structured frames (structlog's `dict_tracebacks`, log4j2's `thrown`). Shown the
same way, the two read alike (#11).
"""

from __future__ import annotations

from typing import Any

STACK_FIELDS = (
    "exc_info",  # python-json-logger, stdlib formatters
    "exception",  # structlog (format_exc_info: text; dict_tracebacks: frames)
    "stack_trace",  # logstash-logback-encoder
    "stacktrace",  # zap
    "error.stack_trace",  # log4j2 EcsLayout, ECS
    "error.stack",  # ECS nested
    "err.stack",  # pino, bunyan
    "@x",  # Serilog CLEF
    "thrown",  # log4j2 JsonLayout
    "exc",
    "stack",
)
"""Where JSON loggers put a stack trace, in the order they are looked for."""

_TOPS = frozenset(STACK_FIELDS) | {name.partition(".")[0] for name in STACK_FIELDS}


def stack_of(fields: dict[str, Any]) -> tuple[str, tuple[str, ...]] | None:
    """Find the record's stack trace: (the top-level key holding it, its lines).

    Only a multi-line string or structured frames count: a one-line `exception`
    is a field like any other.
    """
    if _TOPS.isdisjoint(fields):  # most records: one set test, not eleven lookups
        return None
    for name in STACK_FIELDS:
        top, _, rest = name.partition(".")
        value = fields.get(name)
        if value is None and rest:
            holder = fields.get(top)
            value = holder.get(rest) if type(holder) is dict else None
        else:
            top = name
        lines = _lines(value)
        if lines:
            return top, lines
    return None


def _lines(value: Any) -> tuple[str, ...]:
    if type(value) is str:
        return tuple(value.rstrip("\n").split("\n")) if "\n" in value else ()
    if type(value) is list and value and all(type(v) is dict for v in value):
        return tuple(line for exc in value for line in _structlog_exception(exc))
    if type(value) is dict and "extendedStackTrace" in value:
        return _log4j2_thrown(value)
    return ()


def _structlog_exception(exc: dict[str, Any]) -> list[str]:
    """Render structlog's dict_tracebacks: frames oldest first, then `Type: value`."""
    lines = ["Traceback (most recent call last):"]
    for frame in exc.get("frames") or ():
        if type(frame) is dict:
            where = f'  File "{frame.get("filename")}", line {frame.get("lineno")}'
            lines.append(f"{where}, in {frame.get('name')}")
    lines.append(f"{exc.get('exc_type')}: {exc.get('exc_value')}")
    return lines


def _log4j2_thrown(thrown: dict[str, Any]) -> tuple[str, ...]:
    head = f"{thrown.get('name')}: {thrown.get('message')}"
    frames = [
        f"\tat {f.get('class')}.{f.get('method')}({f.get('file')}:{f.get('line')})"
        for f in thrown.get("extendedStackTrace") or ()
        if type(f) is dict
    ]
    return (head, *frames)
