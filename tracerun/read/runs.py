"""Runs: one origin's matched records → a sorted run of the ones that can be printed.

Why: memory must be bounded by the output, not by the input (issue #12: every
matched record was held until the end; 1,000,000 of them took 1.6 GB). Only
the oldest N records of the timeline are printed (the newest N with --limit),
so a run keeps at most N of its own, whatever order they come in: it is pruned
back to N by sort key whenever it holds 1/16 more. A kept record is one bytes
object, a sortable key then the record packed by marshal (~300 bytes, vs ~1.2
KB as objects); a run of more than SPILL_AT goes to a temporary file, unlinked
as soon as the merging process opens it (trace/merge.py reads it back in order).
While a run is built, every CHUNK_AT records that its cap cannot prune go to a
sorted chunk file, merged into the run's file at the end: 1,000,000 records
printed (`level=info --max-records 2000000`) stay within a few MB per origin,
not ~450 MB of packed bytes.
"""

from __future__ import annotations

import heapq
import itertools
import marshal
import os
import struct
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from tracerun.errors import TempSpaceError, TerminatedError
from tracerun.plain import plain
from tracerun.record import Context, ContextLine, Record

SPILL_AT = 10_000
"""A run with more records than this is kept in a temporary file, not in memory."""
CHUNK_AT = 20_000
"""A run being built writes a sorted chunk to a file each time it holds this many."""
_SLACK = 16
"""A run is pruned back to its cap when it holds 1/_SLACK more."""
_KEY = struct.Struct(">QQQ")
"""time (biased to unsigned), line, offset: bytes that sort as the numbers do."""
_BIAS = 1 << 63
_BATCH = 256
"""Entries per marshal call in a run's file, each batch after its size in bytes.
Why: marshal.load(file) reads through a Python call per object (~8 µs an
entry); loads() of a batch read at once is ~1 µs. 256 entries are ~100 KB in
memory per open run (256 runs open at most)."""
_SIZE = struct.Struct(">I")

Entry = tuple[int, int, str, int, int, bytes]
"""A record's sort key (time, source order, origin, line, offset), then the rest of it."""


@plain(frozen=True, slots=True)
class Keep:
    """Which records of the timeline can be printed: the oldest `records`, or the newest."""

    records: int
    newest: bool = False


def keep_of(limit: int | None, max_records: int | None) -> Keep | None:
    """Which records can be printed: the newest `limit`, else the oldest `max_records`.

    With both, no more than `max_records` of the newest `limit`.
    """
    if limit is not None:
        return Keep(min(limit, max_records or limit), newest=True)
    return None if max_records is None else Keep(max_records)


_STATE = ("seen", "count", "source_index", "origin", "packed", "path", "line_base")


class Run:
    """Kept records in sort order: packed in memory (one origin), or in a file.

    Attributes:
        seen: how many records matched (kept or not).
        count: how many were kept.
        source_index, origin: of every record of an in-memory run.
        packed: the in-memory records (key + marshal), None when in a file.
        path: the file of full entries, until claimed.
        line_base: added to every known line number on the way out (a piece of
            a file counts its lines from the piece's start).

    Why not a dataclass: this module is imported by every trace, and creating
    a dataclass costs a millisecond or more of start-up.
    """

    __slots__ = (
        "_file",
        "count",
        "line_base",
        "origin",
        "packed",
        "path",
        "seen",
        "source_index",
    )

    def __init__(
        self,
        seen: int = 0,
        count: int = 0,
        source_index: int = 0,
        origin: str = "",
        packed: list[bytes] | None = None,
        path: str | None = None,
    ) -> None:
        self.seen = seen
        self.count = count
        self.source_index = source_index
        self.origin = origin
        self.packed = packed
        self.path = path
        self.line_base = 0
        self._file: BinaryIO | None = None

    def __getstate__(self) -> tuple[Any, ...]:
        """Pickle (from a worker) without the open file, which stays behind."""
        return (*(getattr(self, name) for name in _STATE), None)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        """Unpickle in the merging process."""
        for name, value in zip((*_STATE, "_file"), state, strict=True):
            setattr(self, name, value)

    @property
    def spilled(self) -> bool:
        """Tell whether the records are in a file."""
        return self.packed is None

    def claim(self) -> None:
        """Open a spilled run's file and unlink it: it is gone when this process is.

        Called by the process that merges, as soon as it receives the run.
        """
        if self.path is not None and self._file is None:
            path = Path(self.path)
            self._file = path.open("rb")
            path.unlink()

    def __iter__(self) -> Iterator[Entry]:
        """Yield the kept entries in sort order, lines shifted by `line_base`."""
        base = self.line_base
        if self.packed is None:
            self.claim()
            source = _read(self._file, self.count)
        else:
            source = _unpacked(self.packed, self.source_index, self.origin)
        if not base:
            yield from source
            return
        for time, index, origin, line, offset, payload in source:
            yield time, index, origin, line + base if line else 0, offset, payload

    def close(self) -> None:
        """Release a spilled run's file (unlinking it if nobody claimed it)."""
        if self._file is not None:
            self._file.close()
            self._file = None
        elif self.path is not None:
            Path(self.path).unlink(missing_ok=True)
        self.path = None


def record_of(entry: Entry) -> Record:
    """Rebuild the Record of an entry."""
    time, index, origin, line, offset, payload = entry
    source, level, message, fields, raw, continuation, hidden, stack, context = (
        marshal.loads(payload)
    )
    return Record(
        time=time,
        source=source,
        source_index=index,
        origin=origin,
        line=line,
        level=level,
        message=message,
        fields=fields,
        raw=raw,
        continuation=continuation,
        hidden=hidden,
        offset=offset,
        stack=stack,
        context=None if context is None else _context_of(*context),
    )


class RunBuilder:
    """Collects one origin's matched records; keeps those `keep` allows, packed."""

    def __init__(self, keep: Keep | None) -> None:
        self._keep = keep
        self._packed: list[bytes] = []
        self._bound: bytes | None = None
        self._origin: tuple[int, str] | None = None
        self._pending: Record | None = None
        self._chunks: list[tuple[str, int]] = []
        self._chunked = 0
        self.seen = 0

    def add(self, record: Record) -> None:
        """Count a matched record; keep it if it can still be printed.

        It is packed when the next one comes: until then the Assembler may still
        cut its context lines (where the next record begins).
        """
        self.seen += 1
        if self._origin is None:
            self._origin = (record.source_index, record.origin)
        if self._pending is not None:
            self._pack(self._pending)
        self._pending = record

    def _pack(self, record: Record) -> None:
        key = _KEY.pack(record.time + _BIAS, record.line, record.offset)
        keep, bound = self._keep, self._bound
        if (
            keep is not None
            and bound is not None
            and ((key < bound) if keep.newest else (key > bound))
        ):
            return
        packed = self._packed
        packed.append(key + encode(record))
        if keep is not None and len(packed) > keep.records + keep.records // _SLACK:
            self._prune(keep)
        elif len(packed) >= CHUNK_AT:
            self._write_chunk()

    def _write_chunk(self) -> None:
        """Move the packed records to a sorted chunk file (memory holds CHUNK_AT)."""
        assert self._origin is not None  # set by the first add()
        self._packed.sort()
        path, count = spill(_unpacked(self._packed, *self._origin))
        self._chunks.append((path, count))
        self._chunked += count
        self._packed = []

    def finish(self) -> Run | None:
        """Give the sorted run (in a file past SPILL_AT records); None if none matched."""
        if self._origin is None:
            return None
        if self._pending is not None:
            self._pack(self._pending)
            self._pending = None
        index, origin = self._origin
        if self._chunks:
            return self._chunks_merged()
        if self._keep is not None:
            self._prune(self._keep)
        else:
            self._packed.sort()
        run = Run(self.seen, len(self._packed), index, origin)
        if run.count > SPILL_AT:
            run.path, _ = spill(_unpacked(self._packed, index, origin))
        else:
            run.packed = self._packed
        self._packed = []
        return run

    def _chunks_merged(self) -> Run:
        """Merge the chunk files (and what is left in memory) into the run's file."""
        if self._packed:
            self._write_chunk()
        assert self._origin is not None  # set by the first add()
        index, origin = self._origin
        with ExitStack() as files:
            readers = []
            for name, count in self._chunks:
                readers.append(_read(files.enter_context(Path(name).open("rb")), count))
                Path(name).unlink()  # open: read until closed, gone however this ends
            merged = heapq.merge(*readers)
            path, count = spill(kept(merged, self._keep, self._chunked))
        self._chunks, self._chunked = [], 0
        return Run(self.seen, count, index, origin, path=path)

    def _prune(self, keep: Keep) -> None:
        packed = self._packed
        packed.sort()  # by key: the keys of one origin are unique
        if len(packed) > keep.records:
            if keep.newest:
                del packed[: len(packed) - keep.records]
            else:
                del packed[keep.records :]
        if packed and len(packed) == keep.records:
            edge = packed[0] if keep.newest else packed[-1]
            self._bound = edge[: _KEY.size]


def kept(entries: Iterator[Entry], keep: Keep | None, total: int) -> Iterator[Entry]:
    """Keep what `keep` allows of `total` sorted entries: the oldest N, or the newest.

    The newest N are found by skipping the others, not by holding N in a deque.
    """
    if keep is None:
        return entries
    if keep.newest:
        return itertools.islice(entries, max(0, total - keep.records), None)
    return itertools.islice(entries, keep.records)


def encode(record: Record) -> bytes:
    """Pack the parts of a record that are not its key (marshal: fast, compact).

    Field values are what the parsers give (JSON types, big ints, any str).
    """
    rest: tuple[Any, ...] = (
        record.source,
        record.level,
        record.message,
        record.fields,
        record.raw,
        record.continuation,
        record.hidden,
        record.stack,
        None if record.context is None else _packed_context(record.context),
    )
    return marshal.dumps(rest)


def _packed_context(context: Context) -> tuple[Any, ...]:
    def lines(found: tuple[ContextLine, ...]) -> tuple[tuple[int, int, str], ...]:
        return tuple((c.offset, c.delta, c.text) for c in found)

    return lines(context.before), lines(context.after), context.extent


def _context_of(
    before: tuple[tuple[int, int, str], ...],
    after: tuple[tuple[int, int, str], ...],
    extent: int,
) -> Context:
    return Context(
        tuple(ContextLine(*c) for c in before),
        tuple(ContextLine(*c) for c in after),
        extent,
    )


def _unpacked(packed: list[bytes], index: int, origin: str) -> Iterator[Entry]:
    size = _KEY.size
    for item in packed:
        time, line, offset = _KEY.unpack_from(item)
        yield time - _BIAS, index, origin, line, offset, item[size:]


def _read(file: BinaryIO | None, count: int) -> Iterator[Entry]:
    assert file is not None  # claim() opened it
    while count > 0:
        size = _SIZE.unpack(file.read(_SIZE.size))[0]
        batch = marshal.loads(file.read(size))
        count -= len(batch)
        yield from batch


class _SpillDirectory:
    """Where runs are written meanwhile; created on first use, removed at the end.

    Why module state: forked workers inherit it, so that what they write is
    removed with the rest however the run ends (a file claimed by the merging
    process is unlinked at once anyway).
    """

    scoped = False
    path: str | None = None
    sigterm = False
    """SIGTERM raises TerminatedError while the directory exists (ours to undo)."""


@contextmanager
def spill_directory(*, for_workers: bool = False) -> Iterator[None]:
    """Write the runs spilled meanwhile to one temporary directory, removed at the end.

    `for_workers`: create it now, so that workers forked next share it.
    """
    state = _SpillDirectory
    previous = (state.scoped, state.path, state.sigterm)
    state.scoped, state.path, state.sigterm = True, None, False
    try:
        if for_workers:
            _directory()
        yield
    finally:
        made, ours = state.path, state.sigterm
        state.scoped, state.path, state.sigterm = previous
        if ours:
            import signal  # noqa: PLC0415 - start-up: only when something spilled

            signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if made is not None:
            import shutil  # noqa: PLC0415 - start-up: only when something spilled

            shutil.rmtree(made, ignore_errors=True)


def share_spill_directory() -> None:
    """Create the scoped spill directory now, so that workers forked next share it."""
    _directory()


def _directory() -> str | None:
    if _SpillDirectory.scoped and _SpillDirectory.path is None:
        import tempfile  # noqa: PLC0415 - start-up: ~3 ms, only when a run spills

        _SpillDirectory.sigterm = _terminate_unwinds()  # before: nothing is left
        try:
            _SpillDirectory.path = tempfile.mkdtemp(prefix="tracerun-")
        except OSError as exc:
            raise TempSpaceError.of(exc) from None
    return _SpillDirectory.path


def _terminate_unwinds() -> bool:
    """Make SIGTERM raise TerminatedError (main thread, default handler only).

    Why: SIGTERM's default action ends the process where it stands, and the
    runs it was writing stayed in TMPDIR (a trace in one process, where no
    pool's handler is set: trace/runner.py). Unwinding removes them.
    """
    import signal  # noqa: PLC0415 - start-up: only when something spilled
    import threading  # noqa: PLC0415 - start-up: only when something spilled

    if threading.current_thread() is not threading.main_thread():
        return False
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return False  # someone handles it already (the pool's run)
    signal.signal(signal.SIGTERM, _terminated)
    return True


def _terminated(_signum: int, _frame: object) -> None:
    raise TerminatedError


def spill(entries: Iterable[Entry]) -> tuple[str, int]:
    """Write sorted entries to a new temporary file; return its path and their count.

    Raises:
        TempSpaceError: the file cannot be made or written (TMPDIR full).
    """
    import tempfile  # noqa: PLC0415 - start-up: ~3 ms, only when a run spills

    folder = _directory()
    try:
        handle, path = tempfile.mkstemp(prefix="run-", dir=folder)
    except OSError as exc:
        raise TempSpaceError.of(exc) from None
    count = 0
    try:
        with os.fdopen(handle, "wb") as out:
            items = iter(entries)
            while batch := tuple(itertools.islice(items, _BATCH)):  # 3.12: batched()
                data = marshal.dumps(batch)
                out.write(_SIZE.pack(len(data)))
                out.write(data)
                count += len(batch)
    except OSError as exc:
        Path(path).unlink(missing_ok=True)
        raise TempSpaceError.of(exc) from None
    return path, count


def spilled_run(entries: Iterable[Entry], seen: int) -> Run:
    """Make a run in a file of sorted entries, already claimed by this process."""
    path, count = spill(entries)
    run = Run(seen, count, path=path)
    run.claim()
    return run
