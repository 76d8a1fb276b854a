"""Feed protocol: a live source the follow driver polls → new records and notes.

One Feed per followed source (the files behind a file source's globs, the
containers of a docker source); `tail.py` and `dockertail.py` implement it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from tracerun.record import Record

RETRY_FIRST = 1.0
"""Seconds before the first retry of something that failed while following."""
RETRY_MAX = 30.0
"""Longest wait between retries; the wait doubles up to it."""


@dataclass(frozen=True, slots=True)
class Note:
    """A message for stderr: a source failing, recovering, a container removed."""

    level: Literal["error", "warning"]
    message: str
    hint: str | None = None


@dataclass(slots=True)
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
