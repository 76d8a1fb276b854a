"""Auto extractor: any common log line → fields, guessed per line.

A JSON object is read as JSON; otherwise a leading timestamp, a level word,
`key=value` pairs anywhere, and the remaining text as the message.
"""

from __future__ import annotations

import re
from typing import Any

from tracerun.config.spec import AutoParserConfig
from tracerun.extract.json import JsonExtractor
from tracerun.extract.logfmt import unquote
from tracerun.timeparse import leading_timestamp

_LEVEL = re.compile(
    r"\s*(\[)?(TRACE|DEBUG|INFO|WARN(?:ING)?|ERROR|FATAL|CRITICAL)(?(1)\])"
    r"(?=[\s:]|$):?",
    re.IGNORECASE,
)
# Only `key=value` tokens that start a word; a bare word is message text here.
_PAIR = re.compile(r'(?<!\S)([A-Za-z_@][\w.@-]*)=(?:"((?:[^"\\]|\\.)*)"|(\S*))')
_MESSAGE_KEYS = ("msg", "message")


class AutoExtractor:
    """Guesses the shape of each line: JSON, or text with timestamp, level, pairs."""

    __slots__ = ("_json",)

    def __init__(self) -> None:
        self._json = JsonExtractor()

    def extract(self, line: str) -> dict[str, Any] | None:
        """Return the fields found; None only for an empty line."""
        if line.startswith("{"):
            fields = self._json.extract(line)
            if fields is not None:
                return fields
        if not line or line.isspace():
            return None
        fields = {}
        position = _take_timestamp(line, fields)
        position = _take_level(line, position, fields)
        _take_pairs_and_message(line, position, fields)
        return fields


def from_config(config: AutoParserConfig) -> AutoExtractor:  # noqa: ARG001
    """Build the extractor for a `type: auto` parser."""
    return AutoExtractor()


def _take_timestamp(line: str, fields: dict[str, Any]) -> int:
    found = leading_timestamp(line)
    if found is None:
        return 0
    fields["time"] = found[0]
    return found[1]


def _take_level(line: str, position: int, fields: dict[str, Any]) -> int:
    match = _LEVEL.match(line, position)
    if match is None:
        return position
    fields["level"] = match[2]
    return match.end()


def _take_pairs_and_message(line: str, position: int, fields: dict[str, Any]) -> None:
    """Add every `key=value` pair; the text between them becomes `msg`."""
    pieces: list[str] = []
    matches = _PAIR.finditer(line, position) if "=" in line else ()
    for match in matches:
        pieces.append(line[position : match.start()])
        position = match.end()
        quoted = match[2]
        fields[match[1]] = unquote(quoted) if quoted is not None else match[3]
    pieces.append(line[position:])
    message = " ".join(
        piece.strip() for piece in pieces if piece and not piece.isspace()
    )
    if message and not any(key in fields for key in _MESSAGE_KEYS):
        fields["msg"] = message
