"""Origin: one concrete place a source reads (a file, a container, a host:path).

A shared noun: discovery (sources/) makes them, the plan (trace/plan.py) wraps
each in a read Target, and every stage after that names records by them.
"""

from __future__ import annotations

from tracerun.plain import plain


@plain(frozen=True, slots=True)
class Origin:
    """One concrete place a source reads: a file, a container, a host:path.

    `locator` is what the reader opens (a path, a container id); `name` is what
    the user sees. A source type that needs more per origin (an engine URL)
    subclasses it with typed fields.
    """

    source: str
    source_index: int
    kind: str
    name: str
    locator: str
    size: int | None = None
    detail: str = ""
