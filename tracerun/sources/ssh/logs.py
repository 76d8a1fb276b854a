"""Logs: one remote file + a query → its matched records, searched on its host.

The host runs `grep -F` over the file (decompressing it there when it is an
archive) and sends back only the hit lines, each with its line number and the
lines after it that look like its continuation; here they are framed with the
source's real record-start rule and go through the same Assembler (parser,
exact match, window, --where) as a local file, so a remote decoy (`abc0`, a
message that only mentions the id) is dropped exactly as it is for files. A
file whose text grep cannot see comes whole instead and is scanned here
(whole.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence

from tracerun.errors import SourceFailure
from tracerun.plain import field, plain
from tracerun.query import Query
from tracerun.read.assemble import Assembler
from tracerun.read.endings import UTF8_BOM
from tracerun.read.match import Matcher
from tracerun.read.repeated import HitPasses, passes_for
from tracerun.read.runs import RunBuilder, keep_of
from tracerun.read.scan import MAX_RECORD, Hit, Needles, ScanNotice
from tracerun.read.tally import Miss
from tracerun.read.target import Target
from tracerun.sources.base import OriginResult
from tracerun.sources.ssh import client, script, whole
from tracerun.sources.ssh.select import RemoteOrigin

PER_HOST = 6
"""`ssh` sessions at once on one host (sshd's MaxSessions defaults to 10)."""
_GATES: dict[str, threading.BoundedSemaphore] = {}
_GATES_LOCK = threading.Lock()


def remote_of(target: Target) -> RemoteOrigin:
    """Return the target's origin, a remote file (discovery made it)."""
    origin = target.origin
    assert isinstance(origin, RemoteOrigin)
    return origin


def needles_of(query: Query) -> list[str]:
    """List the values the host searches for, as text."""
    values = Needles.of(query.values, ignore_case=query.ignore_case).values
    return [value.decode("utf-8", "surrogateescape") for value in values]


def read_remote(
    target: Target, query: Query, timeout: float, *, as_run: bool = True
) -> OriginResult:
    """Search one remote file on its host and return its matching records.

    `as_run`: keep them as a sorted run, spilled to a file past a few thousand
    (a query that matches most of a long log costs disk, not memory); False
    gives them as a list (follow's history, which filters them by line).
    """
    return read_many([target], query, timeout, as_run=as_run)[0]


def batch_key(target: Target, query: Query) -> tuple[object, ...]:
    """Say which files can share one session: same host, same awk program."""
    judged = _judged(target, query)
    return (remote_of(target).host, judged.whole, judged.keyed)


def _judged(target: Target, query: Query) -> Needles:
    return Needles.of(
        query.values,
        ignore_case=query.ignore_case,
        whole=target.parser.whole_values,
        keyed=target.parser.keyed_values(Matcher(query).keys),
    )


class _File:
    """One file's part of a host's session: its framer, assembler and result."""

    def __init__(self, target: Target, query: Query, as_run: bool) -> None:
        self.target = target
        self.query = query
        self.result = OriginResult()
        self.kept = (
            RunBuilder(keep_of(query.limit, query.max_records)) if as_run else None
        )
        self.framer = Framer(target.is_start)
        self.assembler = Assembler(target, Matcher(query))
        mtime = remote_of(target).mtime  # 0: unknown
        # a time of day alone falls on the day the file was last written
        self.assembler.written = round(mtime * 1_000_000) if mtime else None
        if passes_for(target):  # only the hits come back: their order tells
            self.assembler.passes = HitPasses(target, self.assembler.written)
        self.ended = False
        self.whole_hits = 0
        self.damage: whole.CutShortError | None = None

    def take(self, line: bytes) -> None:
        self.result.bytes_read += len(line) + 1
        for hit in self.framer.take(line):
            _keep(self.assembler, hit, self.result, self.kept)

    def take_whole(self, lines: Iterator[bytes], code: bytes) -> None:
        """Scan the file the host sent whole (`@W CODE`), to its `@E` (whole.py)."""
        sent = whole.Sent(lines, code)
        notices: list[ScanNotice] = []
        query = self.query
        context = (query.before, query.after)
        scan = whole.scan_sent(
            sent, self.target, _judged(self.target, query), notices, context
        )
        for hit in scan:
            self.whole_hits += 1
            _keep(self.assembler, hit, self.result, self.kept)
        self.assembler.tally.unkeyed.add(scan.unkeyed)
        name = self.target.origin.name
        self.result.capped += [f"{name}:{n.line}: {n.message}" for n in notices]
        self.result.bytes_read += sent.wire
        self.ended, self.damage = sent.ended, sent.damage

    def finish(self, session: client.Session, stderr: list[str]) -> OriginResult:
        for hit in self.framer.flush():
            _keep(self.assembler, hit, self.result, self.kept)
        run = None if self.kept is None else self.kept.finish()
        if run is not None:
            self.result.runs.append(run)
        result, assembler, origin = self.result, self.assembler, remote_of(self.target)
        assembler.tally.unkeyed.add(self.framer.unkeyed)  # the lines the host judged
        result.capped += lost_notices(origin.name, self.framer)
        result.warnings.extend(assembler.warnings)
        result.warnings.extend(assembler.tally.failure_warnings(origin.name))
        result.tally = assembler.tally
        result.timeless = assembler.timeless
        result.failure = _failure(origin, session, self, stderr)
        return result


def read_many(
    targets: Sequence[Target], query: Query, timeout: float, *, as_run: bool = True
) -> list[OriginResult]:
    """Search files of one host in one `ssh` session; a result per file, in order.

    The host's script frames each file's output between `@F INDEX` and
    `@E INDEX` (its stderr after `@F INDEX` too), so each file keeps its own
    framer, assembler and sorted run: `origin` and `line` stay exact and the
    merge takes each file as its own time-ordered stream.
    """
    origin = remote_of(targets[0])
    judged = _judged(targets[0], query)
    code = script.search_script(
        [remote_of(t).locator for t in targets],
        needles_of(query),
        ignore_case=query.ignore_case,
        whole_tokens=judged.whole,
        keyed=judged.keyed,
    )
    files = [_File(t, query, as_run) for t in targets]
    with _gate(origin.host.spec):
        session = client.start(origin.host, code, timeout)
        try:
            current: _File | None = None
            lines = session.lines()
            for line in lines:
                if line.startswith(b"@F ") and line[3:].isdigit():
                    index = int(line[3:])
                    current = files[index] if index < len(files) else None
                    continue
                if current is None:
                    continue
                if line.startswith(b"@W "):
                    current.take_whole(lines, line[3:])  # on to its `@E`
                    current = None
                    continue
                current.take(line)
                if line.startswith(b"@E "):
                    current.ended = True
                    current = None
        finally:
            session.close()
    stderr = _stderr_by_file(bytes(session.stderr), len(files))
    return [file.finish(session, stderr[index]) for index, file in enumerate(files)]


def _stderr_by_file(data: bytes, count: int) -> list[list[str]]:
    """Split the session's stderr at its `@F INDEX` markers; what comes first is everyone's."""
    shared: list[str] = []
    each: list[list[str]] = [[] for _ in range(count)]
    into = shared
    for line in data.decode("utf-8", "replace").splitlines():
        if line.startswith("@F "):
            index = line[3:].strip()
            into = (
                each[int(index)] if index.isdigit() and int(index) < count else shared
            )
        elif line.strip():
            into.append(line)
    return [shared + lines for lines in each]


class HostBatch:
    """One host's files of one trace, read in one session by whichever asks first.

    The runner submits one job per file; the first job of a host to run reads
    them all, and the others wait for their file's result (the reader never
    waits on another job, so a full pool cannot deadlock).
    """

    def __init__(self, targets: Sequence[Target], query: Query, timeout: float) -> None:
        self.targets = list(targets)
        self._query = query
        self._timeout = timeout
        self._lock = threading.Lock()
        self._claimed = False
        self._done = threading.Event()
        self._results: list[OriginResult] = []
        self._error: BaseException | None = None

    def result_of(self, target: Target) -> OriginResult:
        """Return one of the batch's files' result, reading them all if first."""
        with self._lock:
            mine, self._claimed = not self._claimed, True
        if mine:
            try:
                self._results = read_many(self.targets, self._query, self._timeout)
            except BaseException as error:
                self._error = error
                raise
            finally:
                self._done.set()
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._results[self.targets.index(target)]


def _keep(
    assembler: Assembler, hit: Hit, result: OriginResult, kept: RunBuilder | None
) -> None:
    for record in assembler.records(hit):
        if kept is None:
            result.records.append(record)
        else:
            kept.add(record)


def _failure(
    origin: RemoteOrigin, session: client.Session, file: _File, said: list[str]
) -> SourceFailure | None:
    problem = client.failure_of(session)
    if problem is not None and not (file.ended and session.timed_out):
        return SourceFailure(origin.source, origin.name, problem.reason, problem.hint)
    framer = file.framer
    if said or framer.grep_status not in (0, 1) or file.damage is not None:
        reason = (
            said[0].strip()[:300]
            if said
            else str(file.damage or "grep failed on the host")
        )
        hint = (
            "records read before the problem were kept"
            if framer.hits or file.whole_hits
            else "check the file on the host"
        )
        return SourceFailure(origin.source, origin.name, reason, hint)
    return None


@plain
class Framer:
    """`grep -n -A` output (`N:hit`, `N-context`) → framed records, as Hits.

    A hit line that starts a record begins one; the context lines right after
    it that do not start a record are its continuation. A hit line inside
    another record's continuation is not a record start (as for local files).
    A hit line that does not start a record belongs to the record above it,
    as the local scan walks back to it: a context line that starts a record
    (the host sends the lines before such a hit) is held as a candidate with
    the continuation lines after it, and becomes a record (numbered from its
    first line) if a hit continues it; a gap or another start drops it.
    A UTF-8 BOM before line 1 is no part of its record.
    `@U COUNT LINE`: hit lines the host did not send, their needles only in
    message text (`unkeyed`, as the local scan counts them). `@L LINE`: a hit
    on LINE continues a record that began further back than the host reads
    (script.FAR_BYTES); its line is kept in `lost`, to be told.
    """

    is_start: Callable[[bytes], bool]
    grep_status: int = 0
    hits: int = 0
    unkeyed: Miss = field(default_factory=Miss)
    lost: list[int] = field(default_factory=list)
    _record: list[bytes] = field(default_factory=list)
    _first: int = 0
    _next: int = 0
    _size: int = 0
    _held: list[bytes] = field(default_factory=list)
    _held_first: int = 0
    _held_size: int = 0

    def take(self, line: bytes) -> list[Hit]:
        """Take one output line; return the records it completed."""
        if line.startswith(b"@"):
            if line.startswith(b"@R "):
                self.grep_status = int(line[3:] or 0)
            elif line.startswith(b"@U "):
                count, _, first = line[3:].partition(b" ")
                if count.isdigit() and first.isdigit():
                    self.unkeyed.add(Miss(int(count), int(first)))
            elif line.startswith(b"@L ") and line[3:].isdigit():
                self.lost.append(int(line[3:]))
            if not line.startswith(b"@E "):
                return []
            self._held = []
            return self.flush()
        number, is_hit, text = _split(line)
        if number is None:
            return []
        if number == 1:  # as the local scan, which skips it (read/endings.py)
            text = text.removeprefix(UTF8_BOM)
        done: list[Hit] = []
        starts = number == 1 or self.is_start(text)
        continues = self._record and number == self._next and not starts
        if continues and self._size + len(text) < MAX_RECORD:
            self._record.append(text)
            self._size += len(text) + 1
            self._next += 1
            return done
        done += self.flush()
        held = self._hold(number, text, starts)
        if is_hit and (starts or held):
            # `held` is the start line and its continuation up to this hit
            self._record, self._first = self._held, self._held_first
            self._size, self._next = self._held_size, number + 1
            self._held = []
        return done

    def _hold(self, number: int, text: bytes, starts: bool) -> bool:
        """Hold a line that starts a record, or continues the one held; say if it did."""
        follows = self._held and number == self._held_first + len(self._held)
        if not starts and follows and self._held_size + len(text) < MAX_RECORD:
            self._held.append(text)
            self._held_size += len(text) + 1
            return True
        self._held = [text] if starts else []
        self._held_first, self._held_size = number, len(text)
        return False

    def flush(self) -> list[Hit]:
        """Return the record being framed, if any."""
        if not self._record:
            return []
        data = b"\n".join(self._record)
        self._record = []
        self.hits += 1
        return [Hit(self._first, data.removesuffix(b"\r"), bytearray(), 0)]


LOST_START = (
    f"a search value here continues a record that began more than "
    f"{script.FAR_BYTES // 2**20} MiB before it; the record was not read "
    "(hint: a wrong multiline.start rule makes records this long)"
)


def lost_notices(name: str, framer: Framer) -> list[str]:
    """Word the hits whose record began too far back to be read (`@L`), once each."""
    notices = [f"{name}:{line}: {LOST_START}" for line in framer.lost]
    framer.lost.clear()
    return notices


def _split(line: bytes) -> tuple[int | None, bool, bytes]:
    """`12:text` → (12, True, text); `13-text` → (13, False, text)."""
    for at, char in enumerate(line[:21]):
        if char == 0x3A or char == 0x2D:  # `:` hit, `-` context
            digits = line[:at]
            if digits.isdigit():
                return int(digits), char == 0x3A, line[at + 1 :].removesuffix(b"\r")
            return None, False, b""
    return None, False, b""


class _gate:
    """Hold one of a host's session slots while a read runs."""

    def __init__(self, host: str) -> None:
        with _GATES_LOCK:
            self._gate = _GATES.setdefault(host, threading.BoundedSemaphore(PER_HOST))

    def __enter__(self) -> None:
        self._gate.acquire()

    def __exit__(self, *_: object) -> None:
        self._gate.release()


def hits_of(lines: Iterable[bytes], is_start: Callable[[bytes], bool]) -> list[Hit]:
    """Frame a whole `grep -n -A` output at once (for tests and `sources`)."""
    framer = Framer(is_start)
    found = [hit for line in lines for hit in framer.take(line)]
    return found + framer.flush()
