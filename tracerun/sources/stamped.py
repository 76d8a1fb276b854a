"""Stamped: a container's log whose every line the transport stamped → its matched records.

Shared by the types that read a container's stdout with a time prefix the
transport adds (the Docker engine's, the kubelet's): the prefix is removed
before a line is judged a record start or parsed, and the stamp of a
record's first line stands in for a record without its own time.
"""

from __future__ import annotations

from collections.abc import Callable

from tracerun.query import Query
from tracerun.read.assemble import Assembler
from tracerun.read.match import Matcher
from tracerun.read.runs import RunBuilder, keep_of
from tracerun.read.scan import Hit, Needles, Readable, ScanNotice, scan
from tracerun.read.target import Target, stdout_start_rule
from tracerun.sources.base import OriginResult


def read_stamped(
    target: Target,
    query: Query,
    stream: Readable,
    result: OriginResult,
    *,
    bare: Callable[[bytes], bytes],
    split: Callable[[Hit], tuple[int | None, Hit]],
) -> None:
    """Scan a stamped log and add its matching records and warnings to `result`.

    The records are kept as a sorted run, spilled to a file past a few
    thousand, so a query that matches most of a long log costs disk, not
    memory (issue #12); a transport failing part-way keeps what was read.

    Args:
        target: the origin with its parser and record-start rule.
        query: what to match.
        stream: the log, each line beginning with the transport's stamp.
        result: where the records, warnings and tally go.
        bare: one line without its stamp.
        split: a hit → the stamp of its first line (µs) and the hit unstamped.
    """
    assembler = Assembler(target, Matcher(query))
    kept = RunBuilder(keep_of(query.limit, query.max_records))
    needles = Needles.of(query.values, ignore_case=query.ignore_case)
    rule = stdout_start_rule(target)
    notices: list[ScanNotice] = []
    found = scan(
        stream,
        needles,
        lambda line: rule(bare(line)),
        notices,
        before=query.before,
        after=query.after,
    )
    try:
        for hit in found:
            stamp, unstamped = split(hit)
            for record in assembler.records(unstamped, fallback_time=stamp):
                kept.add(record)
    finally:
        run = kept.finish()
        if run is not None:
            result.runs.append(run)
    name = target.origin.name
    result.warnings.extend(f"{name}:{n.line}: {n.message}" for n in notices)
    result.warnings.extend(assembler.warnings)
    result.warnings.extend(assembler.tally.failure_warnings(name))
    result.tally = assembler.tally
    result.timeless = assembler.timeless
