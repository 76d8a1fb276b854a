"""What a straightforward Python tool would do: a per-line loop.

    python bench/naive.py NEEDLE PATH...            # prints the count
    python bench/naive.py --ids-from FILE PATH...
    python bench/naive.py NEEDLE PATH... --since 2026-03-20T23:55:00Z

For each file (directories are walked; `.gz` through the stdlib `gzip`), for
each line: if an id occurs in the line, parse it (json.loads, or a regex for
text and logfmt) and compare its request_id field exactly; with --since /
--until also parse the timestamp. With --ids-from every line is parsed and its
request_id looked up in a set (checking 1,000 substrings per line would be
worse still). The line's format is detected once per file from its first line.
Prints the number of matching records.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO

LOGFMT_PAIR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S*)')
TEXT_ID = re.compile(r"(?:^|\s)request_id=(\S+)")
TEXT_TS = re.compile(r"^(\S+)")
ANY_ID = re.compile(r'request_id(?:=|":")([^\s"]+)')


def files_under(paths: list[str]) -> Iterator[Path]:
    for p in map(Path, paths):
        if p.is_dir():
            yield from sorted(x for x in p.rglob("*") if x.is_file())
        else:
            yield p


def open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return path.open(encoding="utf-8", errors="replace")


def detect(line: str) -> str:
    if line.startswith("{"):
        return "json"
    if line.startswith("time="):
        return "logfmt"
    return "text"


def parse(fmt: str, line: str) -> tuple[str | None, str | None]:
    """(request_id, timestamp) of one line."""
    if fmt == "json":
        try:
            rec = json.loads(line)
        except ValueError:
            return None, None
        rid = rec.get("request_id")
        if rid is None:
            rid = (rec.get("ctx") or {}).get("request_id")
        return rid, rec.get("ts")
    if fmt == "logfmt":
        fields = {k: v.strip('"') for k, v in LOGFMT_PAIR.findall(line)}
        return fields.get("request_id"), fields.get("time")
    m = TEXT_ID.search(line)
    t = TEXT_TS.match(line)
    return (m.group(1) if m else None), (t.group(1) if t else None)


def in_window(ts: str | None, since: datetime | None, until: datetime | None) -> bool:
    if since is None and until is None:
        return True
    if ts is None:
        return False
    t = datetime.fromisoformat(ts)
    return (since is None or t >= since) and (until is None or t <= until)


def count_one(
    path: Path, needle: str, since: datetime | None, until: datetime | None
) -> int:
    n = 0
    fmt = ""
    with open_text(path) as f:
        for line in f:
            if not fmt:
                fmt = detect(line)
            if needle in line:
                rid, ts = parse(fmt, line)
                if rid == needle and in_window(ts, since, until):
                    n += 1
    return n


def count_many(
    path: Path, ids: set[str], since: datetime | None, until: datetime | None
) -> int:
    n = 0
    fmt = ""
    with open_text(path) as f:
        for line in f:
            if not fmt:
                fmt = detect(line)
            m = ANY_ID.search(line)  # cheap pre-check before the real parse
            if m and m.group(1) in ids:
                rid, ts = parse(fmt, line)
                if rid in ids and in_window(ts, since, until):
                    n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("needle", nargs="?", help="omit with --ids-from")
    p.add_argument("paths", nargs="+")
    p.add_argument("--ids-from", metavar="FILE")
    p.add_argument("--since", type=datetime.fromisoformat)
    p.add_argument("--until", type=datetime.fromisoformat)
    args = p.parse_args(argv)
    paths = args.paths
    if args.ids_from:
        if args.needle is not None:  # argparse put the first path there
            paths = [args.needle, *paths]
        ids = set(Path(args.ids_from).read_text().split())
        total = sum(
            count_many(f, ids, args.since, args.until) for f in files_under(paths)
        )
    else:
        total = sum(
            count_one(f, args.needle, args.since, args.until)
            for f in files_under(paths)
        )
    print(total)
    return 0 if total else 1


if __name__ == "__main__":
    sys.exit(main())
