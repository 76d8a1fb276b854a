"""Worker time of a 1 GB trace by whether lines are numbered (issue #18, point 4).

    .venv/bin/python bench/worker_lines.py /tmp/lines-corpus/logs req-bench-000042

Reads every file of a folder as one pool worker does (sources/file/pieces.py
`read_piece`, one piece per file, in this process) for one id, with
`Query.lines` True (what ndjson and the other formats ask) and False (the text
output), best of 5 in turn each (CPU = user + sys of this process, warm page
cache). Prints one line each; the record counts must agree. On a checkout
without `Query.lines` it measures the numbered read only.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from pathlib import Path

from tracerun.cli.adhoc import with_adhoc
from tracerun.query import Query, Term
from tracerun.sources.file.pieces import Piece, read_piece
from tracerun.trace.plan import build_plan

RUNS = 5


def main() -> None:
    folder, needle = Path(sys.argv[1]), sys.argv[2]
    files = sorted(str(p) for p in folder.iterdir() if p.is_file())
    targets = build_plan(with_adhoc(None, {"file": tuple(files)})).targets
    query = Query(terms=(Term(None, needle),), keys=("request_id",))
    modes = {"numbered (lines=True)": query}
    if any(f.name == "lines" for f in dataclasses.fields(Query)):
        modes["unnumbered (lines=False)"] = dataclasses.replace(query, lines=False)
    for path in files:
        Path(path).read_bytes()  # warm the page cache
    best: dict[str, tuple[float, float, int]] = {}
    for _ in range(RUNS):
        for name, asked in modes.items():
            cpu0, wall0 = _cpu(), time.perf_counter()
            records = 0
            for target in targets:
                count_lines = getattr(asked, "lines", True)
                piece = Piece(target, count_lines=count_lines, numbers_next=False)
                result = read_piece(piece, asked)
                records += sum(run.count for run in result.runs)
            cpu, wall = _cpu() - cpu0, time.perf_counter() - wall0
            old = best.get(name)
            if old is None or cpu < old[0]:
                best[name] = (cpu, wall, records)
    for name, (cpu, wall, records) in best.items():
        print(f"{name}: CPU {cpu:.3f} s, wall {wall:.3f} s, {records} records")


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


if __name__ == "__main__":
    main()
