"""Read floor: what reading + searching 1 GB costs in one Python process, by read method.

    .venv/bin/python bench/read_floor.py bench/corpus/text-1G/logs req-bench-000042
    .venv/bin/python bench/read_floor.py --sigbus   # why the scanner does not map files

Issue #18, point 5 (mmap or readinto): the same needle over the same files,
best of 3 runs each (warm page cache), wall and CPU seconds:

readinto
    `readinto` 8 MiB blocks into one reused buffer, nothing else (the copy's cost).
readinto+search
    the same, plus one `ahocorasick-rs` pass over each block (what read/scan.py does).
mmap+search
    one pass over a read-only `mmap` of each file (no copy into a buffer).
mmap+search, 8 MiB views
    the same over 8 MiB memoryview slices of the mapping (what a block scanner
    over a mapping would do).

Prints one line per method; the hit counts must agree.
"""

from __future__ import annotations

import mmap
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ahocorasick_rs import BytesAhoCorasick

BLOCK = 8 << 20


def read_only(files: list[Path], _ac: BytesAhoCorasick) -> int:
    buf = bytearray(BLOCK)
    view = memoryview(buf)
    total = 0
    for name in files:
        with name.open("rb", buffering=0) as fh:
            while got := fh.readinto(view):
                total += got
    return total


def read_search(files: list[Path], ac: BytesAhoCorasick) -> int:
    buf = bytearray(BLOCK)
    view = memoryview(buf)
    hits = 0
    for name in files:
        with name.open("rb", buffering=0) as fh:
            while got := fh.readinto(view):
                hits += len(ac.find_matches_as_indexes(view[:got]))
    return hits


def map_search(files: list[Path], ac: BytesAhoCorasick) -> int:
    hits = 0
    for name in files:
        with (
            name.open("rb") as fh,
            mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped,
        ):
            hits += len(ac.find_matches_as_indexes(mapped))
    return hits


def map_views(files: list[Path], ac: BytesAhoCorasick) -> int:
    hits = 0
    for name in files:
        with (
            name.open("rb") as fh,
            mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped,
        ):
            view = memoryview(mapped)
            # a needle across two views is missed here; the floor is what counts
            for low in range(0, len(mapped), BLOCK):
                hits += len(ac.find_matches_as_indexes(view[low : low + BLOCK]))
            view.release()
    return hits


METHODS: dict[str, Callable[[list[str], BytesAhoCorasick], int]] = {
    "readinto": read_only,
    "readinto+search": read_search,
    "mmap+search": map_search,
    "mmap+search, 8 MiB views": map_views,
}


def sigbus() -> None:
    """Show why the scanner does not map files: one truncated under its mapping.

    A child maps a 1 MiB file, truncates it to 4 KiB (as logrotate's
    `copytruncate` does to a live log) and reads offset 512 KiB: SIGBUS, which
    Python cannot catch, ends the child (exit -7 on Linux) with nothing printed.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "live.log"
        path.write_bytes(b"x" * (1 << 20))
        code = (
            "import mmap\n"
            f"f = open({str(path)!r}, 'rb')\n"
            "m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)\n"
            f"open({str(path)!r}, 'r+b').truncate(4096)\n"
            "try:\n    m[512 * 1024]\nexcept Exception as exc:\n    print('caught', exc)\n"
            "print('survived')\n"
        )
        child = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )
    print(
        f"mmap of a file truncated under it: exit {child.returncode}, "
        f"stdout {child.stdout.strip()!r}"
    )


def main() -> None:
    """Time every method on the files of argv[1] for the needle argv[2]."""
    if sys.argv[1:] == ["--sigbus"]:
        sigbus()
        return
    files = sorted(p for p in Path(sys.argv[1]).iterdir() if p.is_file())
    ac = BytesAhoCorasick([sys.argv[2].encode()])
    size = sum(f.stat().st_size for f in files)
    print(f"{len(files)} files, {size / 1e9:.2f} GB")
    for name, method in METHODS.items():
        best: tuple[float, float, int] | None = None
        for _ in range(3):
            began, cpu = time.perf_counter(), os.times()
            result = method(files, ac)
            after = os.times()
            used = after.user - cpu.user + after.system - cpu.system
            run = (time.perf_counter() - began, used, result)
            best = run if best is None or run < best else best
        assert best is not None
        print(
            f"{name:26s} wall {best[0]:.3f} s  cpu {best[1]:.3f} s  ({best[2]} bytes or hits)"
        )


if __name__ == "__main__":
    main()
