"""Source protocol: a configured source → its origins (discovery) → matched records (read)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from tracerun.errors import SourceFailure
    from tracerun.origin import Origin
    from tracerun.query import Query
    from tracerun.read.target import Target
    from tracerun.record import Record


@dataclass(slots=True)
class Discovery:
    """What a source resolves to, found without reading any log content."""

    origins: list[Origin] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failures: list[SourceFailure] = field(default_factory=list)


@dataclass(slots=True)
class OriginResult:
    """What reading one origin produced."""

    records: list[Record] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failure: SourceFailure | None = None
    bytes_read: int = 0


class Source(Protocol):
    """One source type (`type:` in a profile): finds origins, reads one origin."""

    def discover(self, name: str, index: int, config: Any) -> Discovery:
        """Resolve a configured source to concrete origins (files, containers)."""
        ...

    def read(self, target: Target, query: Query) -> OriginResult:
        """Read one origin and return the records that match `query`."""
        ...
