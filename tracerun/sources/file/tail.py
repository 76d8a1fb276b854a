"""Tail: a file source's globs, polled → the matching records appended to its files.

Each file is tracked by (st_dev, st_ino) through an open descriptor, so a file
renamed away (logrotate's default) or deleted is read to its end before it is
let go, and the new file at its path is read from its start. A file that
shrinks, or whose first bytes change, was truncated (copytruncate) and is read
again from the start. A new file beginning with the bytes a truncated (or still
tracked) file began with is a copy of it: reading it resumes where that file
had been read, so no line is printed twice. Compressed files that appear are
rotated archives of what was already read: they are skipped.

Past MANY files (or once the descriptor limit was met), a file that brought
nothing for IDLE_CLOSE seconds is closed and looked at by path every
IDLE_POLL seconds (reopened, its identity checked, when its size or mtime
moved): a follow of 50,000 files holds only the descriptors of the files being
written, and a poll costs the files being written plus the idle ones due a
look. (A closed file written and then renamed out of the globs within
IDLE_POLL loses those lines: the price of not holding its descriptor.)

Why one module over 400 lines: rotation, copies, truncation, idle closing and
retries all act on the same per-file state within one poll; the state and the
per-file reading helpers are in tracked.py.
"""

from __future__ import annotations

import codecs
import errno
import heapq
import os
import time
from collections.abc import Callable

from tracerun.plain import replace
from tracerun.query import Query
from tracerun.read.incremental import IncrementalReader
from tracerun.read.match import Matcher
from tracerun.read.scan import CHUNK
from tracerun.read.target import Target
from tracerun.read.utf16 import UTF16_PROBE, utf16
from tracerun.record import Record
from tracerun.sources.feed import Backoff, Note
from tracerun.sources.file.globs import Globs, Key
from tracerun.sources.file.open import MAGIC_BYTES, file_failure, is_archive
from tracerun.sources.file.tracked import (
    HEAD,
    Memo,
    Tracked,
    first_line,
    head_of,
    rewritten,
    same_start,
    seek_to,
    skip_to_end,
)

COPY_WAIT = 2.0
"""Seconds a copy of a tracked file waits for that file to be truncated."""
MEMO_KEEP = 10.0
"""Seconds a truncated file's old first bytes are remembered, to spot its copy."""
MANY = 256
"""Past this many followed files, idle ones are closed and looked at less often."""
IDLE_CLOSE = 2.0
"""Seconds without new bytes after which one of many files is closed."""
IDLE_POLL = 1.0
"""Seconds between two looks (one stat by path) at a closed file."""
LIMIT_HINT = "raise the limit (ulimit -n) to keep every followed file open"

Owner = Callable[[str], "tuple[str, int | None] | None"]
"""A followed file's path → the source its records belong to: (name, index), the
index None while that source is not followed (yet); None: not this feed's."""


class SourceTail:
    """Follows every plain file behind one file source's globs (a Feed).

    Args:
        target: a target of this source; each file gets a copy with its origin.
        patterns: the source's globs and directories, expanded on every poll.
        query: what to match.
        clock: the time (µs) given to a live record that has none.
        skip: files (by key) read elsewhere (compressed history), never tailed.
        owner: names each file's source (an ad hoc group); default: the target's.
    """

    def __init__(
        self,
        target: Target,
        patterns: list[str],
        query: Query,
        clock: Callable[[], int],
        skip: set[Key] | None = None,
        owner: Owner | None = None,
    ) -> None:
        self._target = target
        self._query = query
        self._matcher = Matcher(query)  # one for every file: it is stateless
        self._clock = clock
        self._owner = owner or self._own
        self._globs = Globs(patterns)
        self._tails: dict[Key, Tracked] = {}
        self._open: set[Key] = set()
        self._looks: list[tuple[float, Key]] = []  # closed files: when to look
        self._skip: set[Key] = set(skip or ())
        self._waiting: dict[str, set[Key]] = {}  # files of sources not followed yet
        self._memos: list[Memo] = []
        self._deferred: dict[Key, float] = {}
        self._failing: dict[str, Backoff] = {}
        self._notes: list[Note] = []
        self._dirty: dict[Key, None] = {}  # in the order files were read: notes keep it
        self._found: dict[Key, str] = {}
        self._crowded = False  # many files, or the descriptor limit met
        self._told_limit = False
        self._now = 0.0

    def start(self, history: bool) -> list[Record]:
        """Track the files there now; with `history`, read them up to their end."""
        found = self._found = self._expand()
        self._crowded = self._crowded or len(found) > MANY
        records: list[Record] = []
        for key, path in found.items():
            records += self._begin(key, path, history)
        return records

    def adopt(self, source: str, history: bool) -> list[Record]:
        """Track the files of a source now followed too (an ad hoc group's)."""
        records: list[Record] = []
        for key in sorted(self._waiting.pop(source, set())):
            path = self._found.get(key)
            if path is not None:
                records += self._begin(key, path, history)
        return records

    def skip(self, keys: set[Key]) -> None:
        """Never tail these files (compressed history read elsewhere)."""
        self._skip |= keys

    def poll(self, now: float) -> list[Record]:
        """Read what was appended, finish files rotated away, start new ones."""
        self._now = now
        found = self._expand()
        changed, self._found = found is not self._found, found
        due = self._due(now)
        keys = list(self._tails) if changed else [*self._open, *due]
        records: list[Record] = []
        for key in keys:
            tail = self._tails.get(key)
            if tail is None:
                continue
            records += self._pump(tail)
            if key not in found:  # renamed away or deleted: it has been read to its end
                records += self._let_go(key)
            elif found[key] != tail.path:  # rotated by rename: finish what it holds
                records += tail.stream.flush()
                tail.path = found[key]
        if changed or self._deferred or self._failing:
            records += self._start_all_new(found)
        if self._memos:
            self._memos = [m for m in self._memos if now - m.at < MEMO_KEEP]
        return records

    def notes(self) -> list[Note]:
        """Failures (once each), recoveries and warnings since the last call."""
        for key in self._dirty:
            tail = self._tails.get(key)
            if tail is not None:
                self._notes += [Note("warning", w) for w in tail.stream.warnings()]
        self._dirty.clear()
        notes, self._notes = self._notes, []
        return notes

    def close(self) -> list[Record]:
        """Stop following; release the records still held back."""
        records: list[Record] = []
        for key in list(self._tails):
            records += self._let_go(key)
        return records

    def _own(self, _path: str) -> tuple[str, int]:
        origin = self._target.origin
        return origin.source, origin.source_index

    def _expand(self) -> dict[Key, str]:
        return self._globs.expand(time.time())

    def _named(self, key: Key, path: str) -> tuple[str, int] | None:
        """Name the file's source (None: not this feed's, or not followed yet)."""
        named = self._owner(path)
        if named is None:
            return None
        source, index = named
        if index is None:
            self._waiting.setdefault(source, set()).add(key)
            return None
        return source, index

    def _begin(self, key: Key, path: str, history: bool) -> list[Record]:
        """Track a file there at the start; with `history`, read it to its end."""
        if key in self._skip:
            return []
        tail = self._track(key, path)
        if tail is None:
            return []
        records: list[Record] = []
        if history:
            assert tail.fd is not None  # just opened
            records += self._read(tail, limit=os.fstat(tail.fd).st_size)
            records += tail.stream.flush()
        else:
            skip_to_end(tail)
        tail.stream.clock = self._clock
        if self._crowded:
            self._rest(tail, force=True)
        return records

    def _start_all_new(self, found: dict[Key, str]) -> list[Record]:
        """Start the files not tracked yet; forget deferrals of files gone."""
        records: list[Record] = []
        heads: dict[bytes, list[bytes]] | None = None
        waiting = set().union(*self._waiting.values()) if self._waiting else set()
        for key, path in found.items():
            if key in self._tails or key in self._skip or key in waiting:
                continue
            if heads is None:  # the first lines of tracked files, once per poll
                heads = {}
                for tail in self._tails.values():
                    heads.setdefault(first_line(tail.head), []).append(tail.head)
            records += self._start_new(key, path, heads)
        paths = set(found.values())
        self._failing = {p: b for p, b in self._failing.items() if p in paths}
        self._deferred = {k: t for k, t in self._deferred.items() if k in found}
        return records

    def _track(self, key: Key, path: str) -> Tracked | None:
        """Open a file and track it, named by its owner (None: not now)."""
        retry = self._failing.get(path)
        if retry is not None and not retry.due(self._now):
            return None
        named = self._named(key, path)
        if named is None:
            return None
        try:
            fd = self._open_fd(path)
        except OSError as exc:
            self._fail(path, exc)
            return None
        if fd is None:
            return None  # the descriptor limit: tried again at a later poll
        if retry is not None:
            del self._failing[path]
            self._notes.append(Note("warning", f"{self._where(path)}readable again"))
        head = os.pread(fd, UTF16_PROBE, 0)
        if is_archive(path, head[:MAGIC_BYTES]):
            os.close(fd)
            self._skip.add(key)
            return None
        source, index = named
        origin = replace(
            self._target.origin,
            source=source,
            source_index=index,
            name=path,
            locator=path,
        )
        target = replace(self._target, origin=origin)
        stream = IncrementalReader(target, self._query, matcher=self._matcher)
        tail = Tracked(key, path, fd, stream, decoder=_decoder(utf16(head)))
        tail.active = self._now
        self._tails[key] = tail
        self._open.add(key)
        return tail

    def _open_fd(self, path: str) -> int | None:
        """Open a file; at the descriptor limit, close idle ones first (None: full)."""
        try:
            return os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError as exc:
            if exc.errno not in (errno.EMFILE, errno.ENFILE):
                raise
        for key in list(self._open):  # first: even an import needs a descriptor
            self._rest(self._tails[key], force=True)
        if not self._crowded:
            self._crowded = True
            message = (
                f"source {self._target.origin.source}: the open-file limit "
                f"(ulimit -n {_limit()}) was reached; idle files are closed and "
                f"looked at every {IDLE_POLL:g} s"
            )
            self._notes.append(Note("warning", message, LIMIT_HINT))
        try:
            return os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError as exc:
            if exc.errno not in (errno.EMFILE, errno.ENFILE):
                raise
        if not self._told_limit:
            self._told_limit = True
            message = (
                f"source {self._target.origin.source}: too many open files "
                f"({len(self._open)} open after closing the idle ones); "
                "the others are tried again"
            )
            self._notes.append(Note("error", message, LIMIT_HINT))
        return None

    def _start_new(
        self, key: Key, path: str, heads: dict[bytes, list[bytes]]
    ) -> list[Record]:
        """Read a new file from its start, or from where the file it copies was."""
        retry = self._failing.get(path)
        if retry is not None and not retry.due(self._now):
            return []
        offset, line = 0, 1
        head = head_of(path)
        memo = next((m for m in self._memos if same_start(m.head, head)), None)
        if memo is not None:
            self._memos.remove(memo)
            offset, line = memo.offset, memo.line
        elif any(same_start(known, head) for known in heads.get(first_line(head), [])):
            first_seen = self._deferred.setdefault(key, self._now)
            if self._now - first_seen < COPY_WAIT:
                return []  # a copy of a live file: wait for copytruncate's truncate
            offset = -1  # a plain copy (cp) of what was read: only what is added
        self._deferred.pop(key, None)
        tail = self._track(key, path)
        if tail is None:
            return []
        if offset == -1:
            skip_to_end(tail)
        elif offset:
            assert tail.fd is not None  # just opened
            seek_to(tail, min(offset, os.fstat(tail.fd).st_size), line)
        tail.stream.clock = self._clock
        return self._pump(tail)

    def _pump(self, tail: Tracked) -> list[Record]:
        if tail.retry is not None and not tail.retry.due(self._now):
            return []
        if tail.fd is None and not self._reopen(tail):
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
        if self._crowded:
            self._rest(tail)
        return records

    def _due(self, now: float) -> list[Key]:
        """Take the closed files due a look."""
        due: list[Key] = []
        while self._looks and self._looks[0][0] <= now:
            due.append(heapq.heappop(self._looks)[1])
        return due

    def _rest(self, tail: Tracked, *, force: bool = False) -> None:
        """Close a file that brought nothing for a while; look at it by path later."""
        if tail.fd is None or not (force or self._now - tail.active >= IDLE_CLOSE):
            return
        st = os.fstat(tail.fd)
        tail.seen = (st.st_size, st.st_mtime_ns)
        os.close(tail.fd)
        tail.fd = None
        self._open.discard(tail.key)
        self._look_later(tail)

    def _look_later(self, tail: Tracked) -> None:
        tail.next_look = self._now + IDLE_POLL
        heapq.heappush(self._looks, (tail.next_look, tail.key))

    def _reopen(self, tail: Tracked) -> bool:
        """Open a closed file again if it changed; False: not due, unchanged, gone."""
        if self._now < tail.next_look:
            return False
        self._look_later(tail)
        try:
            st = os.stat(tail.path)  # noqa: PTH116 - per idle file and look: no Path
        except OSError:
            return False  # gone or renamed: the globs tell
        now = (st.st_size, st.st_mtime_ns)
        if (st.st_dev, st.st_ino) != tail.key or now == tail.seen:
            return False
        try:
            fd = self._open_fd(tail.path)
        except OSError:
            return False
        if fd is None:
            return False
        st = os.fstat(fd)
        if (st.st_dev, st.st_ino) != tail.key:
            os.close(fd)  # replaced between the stat and the open
            return False
        tail.fd, tail.active = fd, self._now
        self._open.add(tail.key)
        return True

    def _read(self, tail: Tracked, limit: int | None = None) -> list[Record]:
        """Read from the tail's offset to the end (or `limit`), noticing truncation."""
        assert tail.fd is not None  # callers open it first
        size = os.fstat(tail.fd).st_size
        records: list[Record] = []
        if size < tail.offset or rewritten(tail, size):
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
            records += tail.stream.feed(_text(tail, data))
            tail.offset += len(data)
        tail.active = self._now
        self._dirty[tail.key] = None
        return records

    def _truncated(self, tail: Tracked) -> list[Record]:
        """Read again from the start; remember how far the old content was read."""
        records = tail.stream.release_pieces() + tail.stream.flush()
        offset = tail.offset - tail.stream.pending
        self._memos.append(Memo(tail.head, offset, tail.stream.line, self._now))
        tail.stream.drop_partial()
        tail.stream.line, tail.stream.offset, tail.offset, tail.head = 1, 0, 0, b""
        tail.decoder = None  # told again by the new bytes' BOM (_text)
        return records

    def _let_go(self, key: Key) -> list[Record]:
        tail = self._tails.pop(key)
        if tail.fd is not None:
            os.close(tail.fd)
        self._open.discard(key)
        records = tail.stream.finish()
        self._notes += [Note("warning", w) for w in tail.stream.warnings()]
        return records

    def _fail(self, path: str, exc: OSError) -> None:
        retry = self._failing.get(path)
        if retry is None:
            retry = self._failing[path] = Backoff()
            self._notes.append(self._failure_note(path, exc))
        retry.failed(self._now)

    def _source(self, path: str) -> str:
        """Name the source a file's messages speak of (its owner's)."""
        named = self._owner(path)
        return self._target.origin.source if named is None else named[0]

    def _where(self, path: str) -> str:
        return f"source {self._source(path)}: {path}: "

    def _failure_note(self, path: str, exc: OSError) -> Note:
        origin = replace(self._target.origin, source=self._source(path), name=path)
        failure = file_failure(origin, exc)
        retrying = "tracerun keeps retrying"
        hint = f"{failure.hint}; {retrying}" if failure.hint else f"{retrying} it"
        return Note("error", failure.text(), hint)


def _limit() -> str:
    """Return the soft limit on open files, as `ulimit -n` shows it."""
    import resource  # noqa: PLC0415 - only when the limit was met

    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return "unlimited" if soft == resource.RLIM_INFINITY else str(soft)


def _decoder(encoding: str | None) -> codecs.IncrementalDecoder | None:
    return (
        None if encoding is None else codecs.getincrementaldecoder(encoding)("replace")
    )


def _text(tail: Tracked, data: bytes) -> bytes:
    """Give the bytes read at the tail's offset as UTF-8 (UTF-16 text is transcoded).

    As sources/file/open.py's Transcoded does for a one-shot read: the needle
    search runs on UTF-8, so UTF-16 text fed as it is matched nothing. A file
    read from its start tells by its BOM (dropped here); newlines map one to one,
    so line numbers stay exact (the reader's offsets are the UTF-8 bytes').
    """
    if tail.offset == 0:
        tail.decoder = _decoder(utf16(data))
        if tail.decoder is not None:
            data = data[2:]
    if tail.decoder is None:
        return data
    return tail.decoder.decode(data).encode()
