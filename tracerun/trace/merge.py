"""Merge: per-origin record lists → one timeline in a total, deterministic order.

The key (time, source order, origin, line) is unique per record, so the result
never depends on the order in which origins finished or on sort stability.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable

from tracerun.record import Record


def merge(batches: Iterable[list[Record]], limit: int | None = None) -> list[Record]:
    """Merge record batches by `Record.sort_key`; with `limit`, keep the newest N.

    Args:
        batches: records per origin, in any order.
        limit: keep only the last `limit` records of the timeline (still oldest first).
    """
    records = [record for batch in batches for record in batch]
    if limit is not None:
        return sorted(
            heapq.nlargest(limit, records, key=Record.sort_key), key=Record.sort_key
        )
    records.sort(key=Record.sort_key)
    return records
