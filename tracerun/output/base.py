"""Formatter protocol: one Record → the text written to stdout for it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from tracerun.record import Record


class Formatter(Protocol):
    """Renders records; `format` returns complete lines, newline included."""

    def format(self, record: Record) -> str:
        """Render one record."""
        ...
