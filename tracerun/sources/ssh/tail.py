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

from tracerun.plain import field, plain
from tracerun.query import Query
from tracerun.read.assemble import Assembler
from tracerun.read.match import Matcher
from tracerun.read.scan import Hit
from tracerun.read.target import Target
from tracerun.record import Record
from tracerun.sources.feed import Backoff, Note
from tracerun.sources.ssh import client, logs, script

QUIET = 0.3
"""Seconds without lines after which a file's held last record is released."""


@plain
class _File:
    """One followed remote file: where to resume, and its record framing."""

    target: Target
    framer: logs.Framer
    assembler: Assembler
    next_line: int = 1
    last_data: float = 0.0


@plain
class _Host:
    """One host's follow session and its files."""

    host: client.Host
    files: list[_File] = field(default_factory=list)
    session: client.Session | None = None
    failing: bool = False
    backoff: Backoff = field(default_factory=Backoff)


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
        self._told_growth = False
        if query.grow is not None:
            query.grow.join(self)

    def regrow(self, added: tuple[str, ...]) -> list[Record]:
        """Say once that ids found while following are not searched on the hosts.

        Why not restart the remote pipeline with the grown needles: `tail -F`
        resumes by line number only from a count taken at the start, and lines
        written between a stop and a restart would be read twice or lost, and
        shipping every line to filter here would cost the network what the
        remote `grep -F` saves. A trace run anew searches the ids (#16).
        """
        if not self._told_growth:
            self._told_growth = True
            shown = ", ".join(added[:3]) + (" …" if len(added) > 3 else "")
            self._notes.append(
                Note(
                    "warning",
                    f"source {self._source}: ids found while following ({shown}) "
                    "are not searched on its hosts: their remote `grep -F` "
                    "searches the ids known when it started",
                    "run the trace again to search them there too",
                )
            )
        return []

    def _assembler(self, target: Target) -> Assembler:
        return Assembler(target, Matcher(self._query))

    def start(self, history: bool) -> list[Record]:
        """Count each file's lines, read the history up to there, then follow from there."""
        records: list[Record] = []
        for entry in self._hosts.values():
            try:
                counts = self._count(entry)
            except client.SshError as exc:
                self._note_failure(entry, exc)
                counts = {}
            for index, item in enumerate(entry.files):
                item.next_line = counts.get(index, 0) + 1
                if history and index in counts:
                    records += self._history(item)
        for entry in self._hosts.values():
            threading.Thread(target=self._run, args=(entry,), daemon=True).start()
        return records

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
                self._notes += [Note("warning", w) for w in warnings]
                warnings.clear()
        notes, self._notes = self._notes, []
        return notes

    def close(self) -> list[Record]:
        """Stop every session; release the records still held back."""
        self._stopped.set()
        records: list[Record] = []
        for entry in self._hosts.values():
            if entry.session is not None:
                entry.session.close()
            for followed in entry.files:
                for hit in followed.framer.flush():
                    records += self._record(followed, hit)
        return records

    def _count(self, entry: _Host) -> dict[int, int]:
        paths = [f.target.origin.locator for f in entry.files]
        counts: dict[int, int] = {}
        for raw in client.run(entry.host, script.count_script(paths)):
            parts = raw.split()
            if len(parts) == 3 and parts[0] == b"@C" and parts[2].isdigit():
                counts[int(parts[1])] = int(parts[2])
        return counts

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
        return [r for r in result.records if r.line < followed.next_line]

    def _record(self, followed: _File, hit: Hit) -> list[Record]:
        record = followed.assembler.record(hit, fallback_time=self._clock())
        return [] if record is None else [record]

    def _run(self, entry: _Host) -> None:
        """Thread: keep a follow session up on one host; queue its lines."""
        while not self._stopped.is_set():
            files = [(f.target.origin.locator, f.next_line) for f in entry.files]
            try:
                entry.session = client.start(
                    entry.host, script.follow_script(files, self._needles), timeout=None
                )
                self._pump(entry, entry.session)
                failure = (
                    client.failure_of(entry.session)
                    if not self._stopped.is_set()
                    else None
                )
            except client.SshError as exc:
                failure = exc
            if self._stopped.is_set():
                return
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
