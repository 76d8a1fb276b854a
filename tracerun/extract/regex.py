"""Regex extractor: one log line + a pattern with named groups → those groups as fields."""

from __future__ import annotations

import re
from typing import Any

from tracerun.config.spec import RegexParserConfig


class RegexExtractor:
    """Searches the line; named groups that took part in the match become fields."""

    __slots__ = ("pattern",)

    def __init__(self, pattern: str | re.Pattern[str]) -> None:
        self.pattern = re.compile(pattern)

    def extract(self, line: str) -> dict[str, Any] | None:
        """Return the named groups' text, or None when the pattern does not match."""
        match = self.pattern.search(line)
        if match is None:
            return None
        return {k: v for k, v in match.groupdict().items() if v is not None}


def from_config(config: RegexParserConfig) -> RegexExtractor:
    """Build the extractor for a `type: regex` parser."""
    return RegexExtractor(config.pattern)
