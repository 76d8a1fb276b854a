"""Extractor protocol: one decoded log line → its raw fields (or None if not this format)."""

from __future__ import annotations

from typing import Any, Protocol


class Extractor(Protocol):
    """Turns one log line into a mapping of fields; None when the line is not its format."""

    def extract(self, line: str) -> dict[str, Any] | None:
        """Return the line's fields, or None when the line cannot be parsed."""
        ...
