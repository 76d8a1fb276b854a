"""Source protocol: a configured source → its origins (discovery) → matched records (read)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from tracerun.plan import Origin, Scanner
    from tracerun.query import Query
    from tracerun.record import Record


@dataclass(frozen=True, slots=True)
class SourceFailure:
    """A source or origin that could not be read; the run goes on without it."""

    source: str
    origin: str
    reason: str
    hint: str | None = None


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

    def read(self, scanner: Scanner, query: Query) -> OriginResult:
        """Read one origin and return the records that match `query`."""
        ...
