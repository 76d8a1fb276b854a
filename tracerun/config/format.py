"""Profile format constants: the version this tracerun reads and the built-in names.

Apart from model.py so that cheap paths (reading layers, shell completion) can
use them without importing pydantic.
"""

from __future__ import annotations

PROFILE_VERSION = 1
DEFAULT_KEYS = ("request_id", "req_id", "trace_id", "correlation_id")
BUILTIN_PARSERS = ("auto", "json", "logfmt")
BUILTIN_OUTPUTS = ("text", "ndjson")
