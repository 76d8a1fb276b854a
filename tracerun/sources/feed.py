"""Feed protocol: a live source the follow driver polls → new records and notes.

One Feed per followed source (the files behind a file source's globs, the
containers of a docker source); `tail.py` and `dockertail.py` implement it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal, Protocol

from tracerun.plain import plain

if TYPE_CHECKING:
    from tracerun.read.incremental import IncrementalReader
    from tracerun.record import Record

RETRY_FIRST = 1.0
"""Seconds before the first retry of something that failed while following."""
RETRY_MAX = 30.0
"""Longest wait between retries; the wait doubles up to it."""


@plain(frozen=True, slots=True)
class Note:
    """A message for stderr: a source failing, recovering, a container removed."""

    level: Literal["error", "warning"]
    message: str
    hint: str | None = None


@plain(slots=True)
class Backoff:
    """When to try again something that keeps failing: 1 s, 2 s, 4 s … 30 s."""

    next_try: float = 0.0
    delay: float = RETRY_FIRST

    def due(self, now: float) -> bool:
        """Tell whether it is time for the next attempt."""
        return now >= self.next_try

    def failed(self, now: float) -> None:
        """Note a failed attempt at `now`; the next one waits twice as long."""
        self.next_try = now + self.delay
        self.delay = min(self.delay * 2, RETRY_MAX)


class Feed(Protocol):
    """A followed source: read what is there, then what is added, until closed.

    The driver polls every feed on one timer; a feed fed by threads (container
    streams) hands over what they queued since the last poll.
    """

    def start(self, history: bool) -> list[Record]:
        """Begin following; with `history`, return the matching records already there."""
        ...

    def poll(self, now: float) -> list[Record]:
        """Return the matching records added since the last poll (complete ones)."""
        ...

    def notes(self) -> list[Note]:
        """Messages gathered since the last call (failures once, recoveries)."""
        ...

    def close(self) -> list[Record]:
        """Stop following; return the records still held back (a last record)."""
        ...


class Streamed(Protocol):
    """One followed origin of a feed fed by threads: its reader, when bytes last came."""

    @property
    def stream(self) -> IncrementalReader:
        """The origin's record stream."""
        ...

    @property
    def last_data(self) -> float:
        """When (monotonic s) bytes last came for it."""
        ...


def release_quiet(
    streamed: Iterable[Streamed], now: float, quiet: float
) -> list[Record]:
    """Release the held last record of each origin quiet for `quiet` seconds.

    Why: a record's continuation lines (a stack trace) may still be on their
    way, so the last one waits; once its writer went quiet it is complete.
    """
    records: list[Record] = []
    for one in streamed:
        if one.stream.pending and now - one.last_data >= quiet:
            records += one.stream.flush()
    return records


def parse_notes(streamed: Iterable[Streamed]) -> list[Note]:
    """Gather the warnings of each origin's reader (lines that did not parse)."""
    return [Note("warning", w) for one in streamed for w in one.stream.warnings()]
