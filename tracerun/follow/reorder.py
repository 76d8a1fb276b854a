"""Reorder: records arriving live from many origins → released in time order.

Each record waits at most `window` seconds after it arrived. When one is due,
it goes out together with every waiting record that sorts before it, so records
arriving within the window of each other come out in `Record.sort_key` order.
A record that arrives after a later one was already released still goes out
(late, out of place): nothing is ever dropped.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass, field

from tracerun.record import Record, SortKey


@dataclass(order=True, slots=True)
class _Waiting:
    key: SortKey
    seq: int
    arrived: float = field(compare=False)
    record: Record = field(compare=False)
    released: bool = field(default=False, compare=False)


class ReorderBuffer:
    """Holds live records for a short window and releases them sorted.

    Args:
        window: seconds a record may wait for earlier ones from other origins.
    """

    def __init__(self, window: float) -> None:
        self.window = window
        self._heap: list[_Waiting] = []
        self._arrivals: deque[_Waiting] = deque()
        self._seq = 0

    def __len__(self) -> int:
        return len(self._heap)

    def add(self, records: list[Record], now: float) -> None:
        """Take records that arrived at `now` (monotonic seconds)."""
        for record in records:
            self._seq += 1
            waiting = _Waiting(record.sort_key(), self._seq, now, record)
            heapq.heappush(self._heap, waiting)
            self._arrivals.append(waiting)

    def release(self, now: float) -> list[Record]:
        """Return the records whose wait is over, plus every record sorting before them."""
        horizon: _Waiting | None = None
        while self._arrivals and (
            self._arrivals[0].released or self._arrivals[0].arrived + self.window <= now
        ):
            waiting = self._arrivals.popleft()
            if not waiting.released and (horizon is None or horizon < waiting):
                horizon = waiting
        if horizon is None:
            return []
        out: list[Record] = []
        while self._heap and self._heap[0] <= horizon:
            waiting = heapq.heappop(self._heap)
            waiting.released = True
            out.append(waiting.record)
        return out

    def drain(self) -> list[Record]:
        """Every waiting record, in order (the follow is ending)."""
        out = [heapq.heappop(self._heap).record for _ in range(len(self._heap))]
        self._arrivals.clear()
        return out

    def next_due(self) -> float | None:
        """When the next record's wait ends (monotonic seconds), or None if empty."""
        while self._arrivals and self._arrivals[0].released:
            self._arrivals.popleft()
        if not self._arrivals:
            return None
        return self._arrivals[0].arrived + self.window
