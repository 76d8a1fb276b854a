"""Passes: a file being read → what tells its records' pass of a repeated hour.

A plain file is read back with `pread` (the scan's position stays); a .gz or
UTF-16 file, which cannot seek, is decoded again from its start alongside the
scan (read/repeated.py StreamWindow), only when a record needs it: once a year.
A FIFO cannot be read twice: its records keep the first occurrence.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from tracerun.read.assemble import Assembler
from tracerun.read.repeated import FilePasses, StreamWindow, passes_for
from tracerun.read.utf16 import Transcoded
from tracerun.sources.file.open import Decompressed, open_log


@contextmanager
def placing(
    assembler: Assembler, opened: BinaryIO | Decompressed | Transcoded, path: Path
) -> Iterator[None]:
    """Give `assembler` the FilePasses of the file `opened` (at `path`), for the read."""
    target = assembler.target
    if not passes_for(target):
        yield
        return
    if isinstance(opened, Decompressed | Transcoded):
        window = StreamWindow(lambda: open_log(path, strict=False))
        assembler.passes = FilePasses(
            target, window.read_back, assembler.warnings, assembler.written
        )
        try:
            yield
        finally:
            window.close()
        return
    fd = opened.fileno()
    if stat.S_ISREG(os.fstat(fd).st_mode):

        def read_back(end: int, size: int) -> tuple[int, bytes]:
            start = max(0, end - size)
            return start, os.pread(fd, end - start, start)

        assembler.passes = FilePasses(
            target, read_back, assembler.warnings, assembler.written
        )
    yield
