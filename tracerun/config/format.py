"""Profile format constants: the version read, built-in names, default field names.

Apart from model.py so that cheap paths (reading layers, shell completion) can
use them without importing pydantic.
"""

from __future__ import annotations

import re

PROFILE_VERSION = 1
DEFAULT_KEYS = ("request_id", "req_id", "rid", "trace_id", "correlation_id")
BUILTIN_PARSERS = ("auto", "json", "logfmt")
BUILTIN_OUTPUTS = (
    "text",
    "ndjson",
    "summary",
    "markdown",
    "html",
    "jaeger",
    "otlp",
    "mermaid",
)
DEFAULT_LEVEL_FIELDS = (
    *("level", "severity", "lvl", "loglevel", "levelname", "log.level", "@l"),
    *("PRIORITY", "severity_text", "severityText", "@level"),
)
"""Where a record's level is looked for, first present wins (see the README)."""
DEFAULT_MESSAGE_FIELDS = (
    *("msg", "message", "@m", "@mt", "event", "MESSAGE", "request", "body", "@message"),
)
"""Where a record's message is looked for, first present string wins."""
NAME_MAX_BYTES = 255
"""The longest file name Linux and macOS file systems take (ENAMETOOLONG past it)."""

_DOTTED_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


def is_dotted_path(expression: str) -> bool:
    """Tell whether a field expression is a plain `a.b.c` path (no JMESPath needed)."""
    return _DOTTED_PATH.fullmatch(expression) is not None
