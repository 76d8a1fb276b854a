"""Origin: one concrete place a source reads (a file, a container, a host:path).

A shared noun: discovery (sources/) makes them, the plan (trace/plan.py) wraps
each in a read Target, and every stage after that names records by them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Origin:
    """One concrete place a source reads: a file, a container, a host:path.

    `locator` is what the reader opens (a path, a container id); `name` is what
    the user sees; `params` carries source-specific settings (engine URL, streams).
    """

    source: str
    source_index: int
    kind: str
    name: str
    locator: str
    size: int | None = None
    detail: str = ""
    params: tuple[tuple[str, Any], ...] = ()

    def param(self, key: str, default: Any = None) -> Any:
        """Look up a source-specific setting."""
        return dict(self.params).get(key, default)
