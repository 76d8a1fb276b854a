"""Logfmt extractor: one `key=value key2="quoted value"` line → its pairs as fields."""

from __future__ import annotations

import re
from typing import Any

from tracerun.config.spec import LogfmtParserConfig

# Groups: key, "=", '"' when quoted, the quoted text, the bare value ("" if absent).
_PAIR = re.compile(r'([^\s="]+)(?:(=)(?:(")((?:[^"\\]|\\.)*)"|(\S*)))?')
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "/": "/"}


class LogfmtExtractor:
    """Reads logfmt pairs; values stay strings, a bare `key` is True."""

    __slots__ = ()

    def extract(self, line: str) -> dict[str, Any] | None:
        """Return the pairs, or None when the line has no `key=value` pair."""
        fields = _split_pairs(line) if '"' not in line else None
        if fields is None:
            fields = _scan_pairs(line)
        return fields if any(v is not True for v in fields.values()) else None


def from_config(config: LogfmtParserConfig) -> LogfmtExtractor:  # noqa: ARG001
    """Build the extractor for a `type: logfmt` parser."""
    return LogfmtExtractor()


def _split_pairs(line: str) -> dict[str, Any] | None:
    """Read a line without quotes by splitting on whitespace.

    Why: 2.5x faster than the regex; None for a token starting with `=`, which
    the regex reads differently.
    """
    fields: dict[str, Any] = {}
    for token in line.split():
        key, equals, value = token.partition("=")
        if not key:
            return None
        fields[key] = value if equals else True
    return fields


def _scan_pairs(line: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key, equals, quote, quoted, bare in _PAIR.findall(line):
        if not equals:
            fields[key] = True
        else:
            fields[key] = unquote(quoted) if quote else bare
    return fields


def unquote(text: str) -> str:
    r"""Resolve the escapes of a quoted logfmt value (`\"`, `\\`, `\n`, `\t`, `\uXXXX`)."""
    if "\\" not in text:
        return text
    return _ESCAPE.sub(_unescape, text)


def _unescape(match: re.Match[str]) -> str:
    code = match[1]
    if len(code) == 5:
        return chr(int(code[1:], 16))
    return _ESCAPES.get(code, match[0])
