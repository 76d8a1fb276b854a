"""Tail: a file source's globs, polled → the matching records appended to its files.

Each file is tracked by (st_dev, st_ino) through an open descriptor, so a file
renamed away (logrotate's default) or deleted is read to its end before it is
let go, and the new file at its path is read from its start. A file that
shrinks, or whose first bytes change, was truncated (copytruncate) and is read
again from the start. A new file beginning with the bytes a truncated (or still
tracked) file began with is a copy of it: reading it resumes where that file
had been read, so no line is printed twice. Compressed files that appear are
rotated archives of what was already read: they are skipped.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tracerun.query import Query
from tracerun.read.incremental import IncrementalReader
from tracerun.read.scan import CHUNK
from tracerun.read.target import Target
from tracerun.record import Record
from tracerun.sources.feed import Backoff, Note
from tracerun.sources.file.globs import Globs, Key
from tracerun.sources.file.open import MAGIC_BYTES, file_failure, is_archive

HEAD = 256
"""Bytes at the start of a file that identify its content (truncation, copies)."""
COPY_WAIT = 2.0
"""Seconds a copy of a tracked file waits for that file to be truncated."""
MEMO_KEEP = 10.0
"""Seconds a truncated file's old first bytes are remembered, to spot its copy."""


@dataclass(frozen=True, slots=True)
class _Memo:
    """A truncated file's old first bytes and how far it had been read."""

    head: bytes
    offset: int
    line: int
    at: float


@dataclass(slots=True)
class _Tail:
    """One followed file: descriptor, read offset, first bytes, record stream."""

    path: str
    fd: int
    stream: IncrementalReader
    offset: int = 0
    head: bytes = b""
    retry: Backoff | None = None


def same_start(known: bytes, new: bytes) -> bool:
    """Tell whether a new file begins as a known one did: a copy of it.

    `known` is the known file's first bytes (up to HEAD); the new file must
    begin with all of them, and they must hold at least one whole line.
    """
    return b"\n" in known and new.startswith(known)


class SourceTail:
    """Follows every plain file behind one file source's globs (a Feed).

    Args:
        target: a target of this source; each file gets a copy with its origin.
        patterns: the source's globs and directories, expanded on every poll.
        query: what to match.
        clock: the time (µs) given to a live record that has none.
        skip: files (by key) read elsewhere (compressed history), never tailed.
    """

    def __init__(
        self,
        target: Target,
        patterns: list[str],
        query: Query,
        clock: Callable[[], int],
        skip: set[Key] | None = None,
    ) -> None:
        self._target = target
        self._query = query
        self._clock = clock
        self._globs = Globs(patterns)
        self._tails: dict[Key, _Tail] = {}
        self._skip: set[Key] = set(skip or ())
        self._memos: list[_Memo] = []
        self._deferred: dict[Key, float] = {}
        self._failing: dict[str, Backoff] = {}
        self._notes: list[Note] = []
        self._now = 0.0

    def start(self, history: bool) -> list[Record]:
        """Track the files there now; with `history`, read them up to their end."""
        records: list[Record] = []
        for key, path in self._expand().items():
            tail = self._open(key, path)
            if tail is None:
                continue
            if history:
                records += self._read(tail, limit=os.fstat(tail.fd).st_size)
                records += tail.stream.flush()
            else:
                _skip_to_end(tail)
            tail.stream.clock = self._clock
        return records

    def poll(self, now: float) -> list[Record]:
        """Read what was appended, finish files rotated away, start new ones."""
        self._now = now
        found = self._expand()
        records: list[Record] = []
        for key, tail in list(self._tails.items()):
            records += self._pump(tail)
            if key not in found:  # renamed away or deleted: it has been read to its end
                records += self._let_go(key)
            elif found[key] != tail.path:  # rotated by rename: finish what it holds
                records += tail.stream.flush()
                tail.path = found[key]
        for key, path in found.items():
            if key not in self._tails and key not in self._skip:
                records += self._start_new(key, path)
        self._memos = [m for m in self._memos if now - m.at < MEMO_KEEP]
        paths = set(found.values())
        self._failing = {p: b for p, b in self._failing.items() if p in paths}
        self._deferred = {k: t for k, t in self._deferred.items() if k in found}
        return records

    def notes(self) -> list[Note]:
        """Failures (once each), recoveries and warnings since the last call."""
        for tail in self._tails.values():
            self._notes += [Note("warning", w) for w in tail.stream.warnings()]
        notes, self._notes = self._notes, []
        return notes

    def close(self) -> list[Record]:
        """Stop following; release the records still held back."""
        records: list[Record] = []
        for key in list(self._tails):
            records += self._let_go(key)
        return records

    def _expand(self) -> dict[Key, str]:
        return self._globs.expand(time.time())

    def _open(self, key: Key, path: str) -> _Tail | None:
        retry = self._failing.get(path)
        if retry is not None and not retry.due(self._now):
            return None
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError as exc:
            self._fail(path, exc)
            return None
        if retry is not None:
            del self._failing[path]
            self._notes.append(Note("warning", f"{self._where(path)}readable again"))
        if is_archive(path, os.pread(fd, MAGIC_BYTES, 0)):
            os.close(fd)
            self._skip.add(key)
            return None
        origin = dataclasses.replace(self._target.origin, name=path, locator=path)
        target = dataclasses.replace(self._target, origin=origin)
        tail = _Tail(path, fd, IncrementalReader(target, self._query))
        self._tails[key] = tail
        return tail

    def _start_new(self, key: Key, path: str) -> list[Record]:
        """Read a new file from its start, or from where the file it copies was."""
        retry = self._failing.get(path)
        if retry is not None and not retry.due(self._now):
            return []
        offset, line = 0, 1
        head = _head(path)
        memo = next((m for m in self._memos if same_start(m.head, head)), None)
        if memo is not None:
            self._memos.remove(memo)
            offset, line = memo.offset, memo.line
        elif any(same_start(t.head, head) for t in self._tails.values()):
            first_seen = self._deferred.setdefault(key, self._now)
            if self._now - first_seen < COPY_WAIT:
                return []  # a copy of a live file: wait for copytruncate's truncate
            offset = -1  # a plain copy (cp) of what was read: only what is added
        self._deferred.pop(key, None)
        tail = self._open(key, path)
        if tail is None:
            return []
        if offset == -1:
            _skip_to_end(tail)
        elif offset:
            _seek(tail, min(offset, os.fstat(tail.fd).st_size), line)
        tail.stream.clock = self._clock
        return self._pump(tail)

    def _pump(self, tail: _Tail) -> list[Record]:
        if tail.retry is not None and not tail.retry.due(self._now):
            return []
        try:
            records = self._read(tail)
        except OSError as exc:
            if tail.retry is None:
                self._notes.append(self._failure_note(tail.path, exc))
                tail.retry = Backoff()
            tail.retry.failed(self._now)
            return []
        if tail.retry is not None:
            tail.retry = None
            self._notes.append(
                Note("warning", f"{self._where(tail.path)}readable again")
            )
        return records

    def _read(self, tail: _Tail, limit: int | None = None) -> list[Record]:
        """Read from the tail's offset to the end (or `limit`), noticing truncation."""
        size = os.fstat(tail.fd).st_size
        records: list[Record] = []
        if size < tail.offset or _rewritten(tail, size):
            records += self._truncated(tail)
        end = size if limit is None else min(size, limit)
        if end <= tail.offset:
            return records + tail.stream.flush()  # quiet: release the held record
        while tail.offset < end:
            data = os.pread(tail.fd, min(CHUNK, end - tail.offset), tail.offset)
            if not data:
                break
            if len(tail.head) < HEAD:
                tail.head = (tail.head + data)[:HEAD]
            tail.offset += len(data)
            records += tail.stream.feed(data)
        return records

    def _truncated(self, tail: _Tail) -> list[Record]:
        """Read again from the start; remember how far the old content was read."""
        records = tail.stream.flush()
        offset = tail.offset - tail.stream.pending
        self._memos.append(_Memo(tail.head, offset, tail.stream.line, self._now))
        tail.stream.drop_partial()
        tail.stream.line, tail.stream.offset, tail.offset, tail.head = 1, 0, 0, b""
        return records

    def _let_go(self, key: Key) -> list[Record]:
        tail = self._tails.pop(key)
        os.close(tail.fd)
        records = tail.stream.finish()
        self._notes += [Note("warning", w) for w in tail.stream.warnings()]
        return records

    def _fail(self, path: str, exc: OSError) -> None:
        retry = self._failing.get(path)
        if retry is None:
            retry = self._failing[path] = Backoff()
            self._notes.append(self._failure_note(path, exc))
        retry.failed(self._now)

    def _where(self, path: str) -> str:
        return f"source {self._target.origin.source}: {path}: "

    def _failure_note(self, path: str, exc: OSError) -> Note:
        failure = file_failure(dataclasses.replace(self._target.origin, name=path), exc)
        retrying = "tracerun keeps retrying"
        hint = f"{failure.hint}; {retrying}" if failure.hint else f"{retrying} it"
        return Note("error", failure.text(), hint)


def _head(path: str) -> bytes:
    try:
        with Path(path).open("rb") as file:
            return file.read(HEAD)
    except OSError:
        return b""


def _rewritten(tail: _Tail, size: int) -> bool:
    """Grown, but no longer beginning as it did: truncated and written again."""
    if size == tail.offset or not tail.head:
        return False
    return os.pread(tail.fd, len(tail.head), 0) != tail.head


def _skip_to_end(tail: _Tail) -> None:
    """Start at the end of the file's last complete line, counting lines on the way."""
    size = os.fstat(tail.fd).st_size
    lines, last_newline, pos = 0, 0, 0
    while pos < size:
        data = os.pread(tail.fd, min(CHUNK, size - pos), pos)
        if not data:
            break
        lines += data.count(b"\n")
        at = data.rfind(b"\n")
        if at != -1:
            last_newline = pos + at + 1
        pos += len(data)
    _seek(tail, last_newline, lines + 1)


def _seek(tail: _Tail, offset: int, line: int) -> None:
    tail.head = os.pread(tail.fd, min(HEAD, offset), 0)
    tail.offset, tail.stream.offset, tail.stream.line = offset, offset, line


def archives_of(targets: list[Target]) -> tuple[list[Target], set[Key]]:
    """Split off a file source's compressed files: read once for history, never tailed.

    Returns the targets of the compressed files and the keys of all of them.
    """
    archives: list[Target] = []
    keys: set[Key] = set()
    for target in targets:
        path = target.origin.locator
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            continue  # the tail reports it (and retries)
        try:
            if is_archive(path, os.pread(fd, MAGIC_BYTES, 0)):
                st = os.fstat(fd)
                archives.append(target)
                keys.add((st.st_dev, st.st_ino))
        finally:
            os.close(fd)
    return archives, keys
