"""Read an origin's joined result (its sorted runs) back as the records it holds."""

from __future__ import annotations

from tracerun.record import Record
from tracerun.sources.base import OriginResult
from tracerun.trace.merge import Timeline


def records_of(result: OriginResult) -> list[Record]:
    """The records of one origin's result, in timeline order."""
    timeline = Timeline()
    for run in result.runs:
        timeline.add(run)
    timeline.add_records(result.records)
    return list(timeline)
