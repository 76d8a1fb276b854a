"""SSH tail: an ssh source's remote files → their new matching records, live (a Feed).

Per host, one `ssh` runs `tail -F` on each file with an `awk` filter that
passes on only the lines holding a needle and their continuations, each with
its line number. Following starts right after the lines the history read
(their count is taken first), so nothing is lost or printed twice; a dropped
connection is reported once and re-established with back-off, resuming each
file after the last line that arrived. Threads only move lines; framing and
matching happen in the driver's thread, through the same Framer and
Assembler as a one-shot read.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable

from tracerun.plain import field, plain, replace
from tracerun.query import Query, Term
from tracerun.read.assemble import Assembler
from tracerun.read.match import Matcher
from tracerun.read.repeated import ArrivalPasses, passes_for
from tracerun.read.scan import Hit
from tracerun.read.target import Target
from tracerun.record import Record
from tracerun.sources.feed import Backoff, Note
from tracerun.sources.ssh import client, logs, script

QUIET = 0.3
"""Seconds without lines after which a file's held last record is released."""

PARK_WAIT = 5.0
"""Seconds a grown follow waits for a host's session to stop before it restarts it."""

NOT_LIVE = 2**62
"""The next line of a file not followed: all its lines are history (its records
and, with --expand, a search for grown ids keep every one)."""


@plain
class _File:
    """One followed remote file: where to resume, and its record framing."""

    target: Target
    framer: logs.Framer
    assembler: Assembler
    next_line: int = 1
    last_data: float = 0.0
    given: set[int] = field(default_factory=set)
    """Lines of the records given (-f --expand: a search for grown ids skips them)."""
    live: bool = True
    """False for a file the host sends whole (UTF-16, lone CRs): not followed."""


@plain
class _Host:
    """One host's follow session and its files."""

    host: client.Host
    files: list[_File] = field(default_factory=list)
    session: client.Session | None = None
    failing: bool = False
    backoff: Backoff = field(default_factory=Backoff)
    pause: threading.Event = field(default_factory=threading.Event)
    """Set by a grown follow: the session's end is a restart, not a failure."""
    parked: threading.Event = field(default_factory=threading.Event)
    resume: threading.Event = field(default_factory=threading.Event)
    gate: threading.Lock = field(default_factory=threading.Lock)
    """Makes parking and giving up on it one step each (no thread left waiting)."""


class SshFeed:
    """Follows the files of one ssh source on every host."""

    def __init__(
        self,
        template: Target,
        targets: list[Target],
        query: Query,
        clock: Callable[[], int],
    ) -> None:
        self._template = template
        self._source = template.origin.source
        self._query = query
        self._clock = clock
        self._needles = logs.needles_of(query)
        self._hosts: dict[str, _Host] = {}
        for target in targets:
            origin = logs.remote_of(target)
            entry = self._hosts.setdefault(origin.host.spec, _Host(origin.host))
            entry.files.append(
                _File(target, logs.Framer(target.is_start), self._assembler(target))
            )
        self._inbox: queue.SimpleQueue[tuple[str, int, bytes] | Note] = (
            queue.SimpleQueue()
        )
        self._notes: list[Note] = []
        self._stopped = threading.Event()
        self._grow = query.grow
        if query.grow is not None:
            query.grow.join(self)

    def regrow(self, added: tuple[str, ...]) -> list[Record]:
        """Search the hosts for ids found while following; return their earlier records.

        Each host's follow session is stopped and started again with the grown
        needles, from the line after the last one that arrived, so a line
        written meanwhile is searched once, with every id. The lines before
        that are searched once more on the host, for the added ids only (the
        record naming an id often comes after records that carry only that
        id); a record already given, by its line, is not given again.
        """
        grow = self._grow
        if grow is None:
            return []
        self._query = grow.query
        self._needles = logs.needles_of(self._query)
        matcher = Matcher(self._query)
        for entry in self._hosts.values():
            for followed in entry.files:
                followed.assembler.matcher = matcher
        searched = replace(
            self._query, grow=None, terms=tuple(Term(None, v) for v in added)
        )
        found: list[Record] = []
        for entry in self._hosts.values():
            restarted = self._park(entry)
            try:
                cutoffs = [f.next_line for f in entry.files]
            finally:
                if restarted:
                    entry.resume.set()
            for followed, cutoff in zip(entry.files, cutoffs, strict=True):
                found += self._earlier(followed, searched, cutoff)
        return found

    def _park(self, entry: _Host) -> bool:
        """Stop the host's session and hold its thread; False when none was running."""
        if not any(f.live for f in entry.files):
            return False  # no session was started (start)
        entry.pause.set()
        deadline = time.monotonic() + PARK_WAIT
        while not entry.parked.is_set():
            session = entry.session
            if entry.failing or time.monotonic() > deadline:
                # No session to stop: the next connection starts with the
                # grown needles, from the line after the last that arrived.
                with entry.gate:
                    if entry.parked.is_set():
                        return True
                    entry.pause.clear()
                    return False
            if session is not None and session.process.poll() is None:
                session.process.kill()  # the thread's pump ends and closes it
            entry.parked.wait(0.05)
        return True

    def _earlier(self, followed: _File, query: Query, cutoff: int) -> list[Record]:
        """Search the file for the query's (added) ids; keep records before `cutoff`."""
        result = logs.read_remote(followed.target, query, query.timeout, as_run=False)
        for warning in result.warnings:
            self._notes.append(Note("warning", warning))
        if result.failure is not None:
            failure = result.failure
            self._notes.append(Note("error", failure.text(), failure.hint))
        found = []
        for record in result.records:
            if record.line < cutoff and record.line not in followed.given:
                followed.given.add(record.line)
                found.append(record)
        return found

    def _assembler(self, target: Target) -> Assembler:
        assembler = Assembler(target, Matcher(self._query))
        if passes_for(target):  # a line that arrives now: the pass before now
            assembler.passes = ArrivalPasses(target, self._clock)
        return assembler

    def start(self, history: bool) -> list[Record]:
        """Count each file's lines, read the history up to there, then follow from there."""
        records: list[Record] = []
        for entry in self._hosts.values():
            try:
                counts, kinds = self._count(entry)
            except client.SshError as exc:
                self._note_failure(entry, exc)
                counts, kinds = {}, {}
            for index, item in enumerate(entry.files):
                item.next_line = counts.get(index, 0) + 1
                if index in kinds:
                    self._not_live(item, kinds[index])
                if history and index in counts:
                    records += self._history(item)
        for entry in self._hosts.values():
            if any(f.live for f in entry.files):
                threading.Thread(target=self._run, args=(entry,), daemon=True).start()
        return records

    def _not_live(self, followed: _File, kind: str) -> None:
        """Leave out a file the host cannot follow: every line of it is history."""
        followed.live = False
        followed.next_line = NOT_LIVE
        text = "UTF-16 text" if kind == "utf16" else "lines ending in lone CRs"
        where = f"source {self._source}: {followed.target.origin.name}"
        self._notes.append(
            Note(
                "warning",
                f"{where}: {text} is not followed over ssh; "
                "only its records up to now are printed",
                "follow it on its host (tracerun --path FILE -f), "
                "or have it written as UTF-8 with LF or CRLF line ends",
            )
        )

    def poll(self, now: float) -> list[Record]:
        """Frame and match what the sessions brought; release quiet files' held records."""
        records: list[Record] = []
        while True:
            try:
                item = self._inbox.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, Note):
                self._notes.append(item)
                continue
            spec, index, line = item
            followed = self._hosts[spec].files[index]
            followed.last_data = now
            for hit in followed.framer.take(line):
                records += self._record(followed, hit)
        for entry in self._hosts.values():
            for followed in entry.files:
                if now - followed.last_data >= QUIET:
                    for hit in followed.framer.flush():
                        records += self._record(followed, hit)
        return records

    def notes(self) -> list[Note]:
        """Return connection failures (once), recoveries and parse warnings."""
        for entry in self._hosts.values():
            for followed in entry.files:
                warnings = followed.assembler.warnings
                warnings += logs.lost_notices(
                    followed.target.origin.name, followed.framer
                )
                self._notes += [Note("warning", w) for w in warnings]
                warnings.clear()
        notes, self._notes = self._notes, []
        return notes

    def close(self) -> list[Record]:
        """Stop every session; release the records still held back."""
        self._stopped.set()
        records: list[Record] = []
        for entry in self._hosts.values():
            entry.resume.set()
            if entry.session is not None:
                entry.session.close()
            for followed in entry.files:
                for hit in followed.framer.flush():
                    records += self._record(followed, hit)
        return records

    def _count(self, entry: _Host) -> tuple[dict[int, int], dict[int, str]]:
        """Each file's line count, and the kind of those the host sends whole."""
        paths = [f.target.origin.locator for f in entry.files]
        counts: dict[int, int] = {}
        kinds: dict[int, str] = {}
        for raw in client.run(entry.host, script.count_script(paths)):
            parts = raw.split()
            if len(parts) != 3 or not parts[1].isdigit():
                continue
            if parts[0] == b"@C" and parts[2].isdigit():
                counts[int(parts[1])] = int(parts[2])
            elif parts[0] == b"@K":
                kinds[int(parts[1])] = parts[2].decode("ascii", "replace")
        return counts, kinds

    def _history(self, followed: _File) -> list[Record]:
        """Read the file's matching records up to the counted line (the rest comes live)."""
        result = logs.read_remote(
            followed.target, self._query, self._query.timeout, as_run=False
        )
        for warning in result.warnings:
            self._notes.append(Note("warning", warning))
        if result.failure is not None:
            failure = result.failure
            self._notes.append(Note("error", failure.text(), failure.hint))
        records = [r for r in result.records if r.line < followed.next_line]
        if self._grow is not None:
            followed.given.update(r.line for r in records)
        return records

    def _record(self, followed: _File, hit: Hit) -> list[Record]:
        records = followed.assembler.records(hit, fallback_time=self._clock())
        # the records of one line (an OTLP batch) are given together, once
        records = [r for r in records if r.line not in followed.given]
        if self._grow is not None:
            followed.given.update(r.line for r in records)
        return records

    def _run(self, entry: _Host) -> None:
        """Thread: keep a follow session up on one host; queue its lines."""
        while not self._stopped.is_set():
            files = [
                (f.target.origin.locator, f.next_line) if f.live else None
                for f in entry.files
            ]
            try:
                code = script.follow_script(files, self._needles)
                entry.session = client.start(entry.host, code, timeout=None, hold=True)
                self._pump(entry, entry.session)
                failure = (
                    client.failure_of(entry.session)
                    if not self._stopped.is_set() and not entry.pause.is_set()
                    else None
                )
            except client.SshError as exc:
                failure = exc
            if self._stopped.is_set():
                return
            with entry.gate:
                parking = entry.pause.is_set()  # a grown follow restarts the session
                if parking:
                    entry.pause.clear()
                    entry.parked.set()
            if parking:
                entry.resume.wait()
                entry.resume.clear()
                entry.parked.clear()
                continue
            lost = failure or client.SshError(
                "the connection ended", "check the host and the network"
            )
            self._note_failure(entry, lost)
            entry.backoff.failed(time.monotonic())
            self._stopped.wait(max(0.0, entry.backoff.next_try - time.monotonic()))

    def _pump(self, entry: _Host, session: client.Session) -> None:
        recovered = False
        for raw in session.lines():
            index, _, line = raw.partition(b"\t")
            if not index.isdigit() or int(index) >= len(entry.files):
                continue
            if entry.failing and not recovered:
                recovered = True
                entry.failing = False
                entry.backoff = Backoff()
                self._inbox.put(
                    Note(
                        "warning",
                        f"source {self._source}: {entry.host.spec}: answers again",
                    )
                )
            followed = entry.files[int(index)]
            number = line.split(b":", 1)[0].split(b"-", 1)[0]
            if number.isdigit():
                followed.next_line = max(followed.next_line, int(number) + 1)
            self._inbox.put((entry.host.spec, int(index), line))
        session.close()

    def _note_failure(self, entry: _Host, exc: client.SshError) -> None:
        if entry.failing:
            return
        entry.failing = True
        retry = "tracerun keeps retrying (every 1 s, 2 s … 30 s)"
        hint = f"{exc.hint}; {retry}" if exc.hint else retry
        where = f"source {self._source}: {entry.host.spec}"
        self._inbox.put(Note("error", f"{where}: {exc.reason}", hint))
