"""Command tail: a followed command → its new matching records, live (a Feed).

The program (`follow: true`: its argv; a list: that argv) is started once and
kept running; a thread moves its stdout into a queue, and the driver's polls
feed the bytes to an IncrementalReader (the same prefilter, parser and
matcher as a one-shot read). The program's own output is its history (e.g.
`journalctl --since {since} -f`); with --no-history the records older than
the start are dropped. Its end is told once, as an error with its last
stderr lines when it failed; it is not restarted (that would repeat its
history).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable

from tracerun.query import Query
from tracerun.read.incremental import IncrementalReader
from tracerun.read.target import Target
from tracerun.record import Record
from tracerun.sources.base import ReadError
from tracerun.sources.command.process import (
    LEFT_OVER,
    CommandOrigin,
    Output,
    last_lines,
    spawn,
)
from tracerun.sources.command.window import expand_argv
from tracerun.sources.feed import Note

QUIET = 0.3
"""Seconds without output after which the held last record is released."""
FIRST_WAIT = 2.0
"""Seconds `start` waits for the program's first output (its history)."""
END_WAIT = 2.0
"""Seconds a followed program may run on after closing its stdout."""
_CHUNK = 64 * 1024
_END = b""


class CommandFeed:
    """Follows one command source: its program's stdout as it comes."""

    def __init__(self, target: Target, query: Query, clock: Callable[[], int]) -> None:
        origin = target.origin
        assert isinstance(origin, CommandOrigin)
        assert origin.live_argv is not None
        self._origin = origin
        self._query = query
        self._reader = IncrementalReader(target, query, clock=clock)
        self._inbox: queue.SimpleQueue[bytes] = queue.SimpleQueue()
        self._notes: list[Note] = []
        self._output: Output | None = None
        self._last_data = 0.0
        self._ended = False
        self._since = 0
        self._thread: threading.Thread | None = None

    def start(self, history: bool) -> list[Record]:
        """Start the program; its records arrive through `poll`."""
        now = time.time_ns() // 1000
        self._since = 0 if history else now
        assert self._origin.live_argv is not None
        argv = expand_argv(self._origin.live_argv, self._query.since, None, now)
        try:
            self._output = Output(spawn(self._origin, argv), None)
        except ReadError as exc:
            self._fail(exc.reason, exc.hint)
            self._ended = True
            return []
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()
        return self._fresh(self._history())

    def _history(self) -> list[Record]:
        """Read what the program prints first, until it goes quiet (or ends)."""
        records: list[Record] = []
        wait = FIRST_WAIT
        while True:
            try:
                chunk = self._inbox.get(timeout=wait)
            except queue.Empty:
                return records + self._reader.flush()
            if chunk is _END:
                records += self._reader.finish()
                self._end()
                return records
            records += self._reader.feed(chunk)
            wait = QUIET

    def poll(self, now: float) -> list[Record]:
        """Scan what the program printed since the last poll; tell its end once."""
        chunks, ended = self._drain()
        if chunks:
            self._last_data = now
        records = [r for chunk in chunks for r in self._reader.feed(chunk)]
        if ended:
            records += self._reader.finish()
            self._end()
        elif now - self._last_data >= QUIET:
            records += self._reader.flush()
        return self._fresh(records)

    def notes(self) -> list[Note]:
        """Return parse warnings, and the program's end (once)."""
        self._notes += [Note("warning", w) for w in self._reader.warnings()]
        notes, self._notes = self._notes, []
        return notes

    def close(self) -> list[Record]:
        """Stop the program; release the records still held back."""
        if self._output is not None:
            self._output.stop()  # its pipes end: the thread sees their end
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._output is not None:
            self._output.close()
        chunks, _ = self._drain()
        records = [r for chunk in chunks for r in self._reader.feed(chunk)]
        return self._fresh(records + self._reader.finish())

    def _drain(self) -> tuple[list[bytes], bool]:
        """Take what the thread queued: the chunks, and whether the program ended."""
        chunks: list[bytes] = []
        while True:
            try:
                chunk = self._inbox.get_nowait()
            except queue.Empty:
                return chunks, False
            if chunk is _END:
                return chunks, True
            chunks.append(chunk)

    def _fresh(self, records: list[Record]) -> list[Record]:
        if not self._since:
            return records
        return [r for r in records if r.time >= self._since]

    def _pump(self) -> None:
        """Thread: move the program's stdout into the inbox until it ends."""
        output = self._output
        assert output is not None
        try:
            while chunk := output.read(_CHUNK):
                self._inbox.put(chunk)
        except (OSError, ValueError):  # closed under us by close()
            pass
        self._inbox.put(_END)

    def _end(self) -> None:
        if self._ended or self._output is None:
            return
        self._ended = True
        # Its stdout ended: a program still running without it gets END_WAIT s.
        self._output.timeout = END_WAIT
        self._output.deadline = time.monotonic() + END_WAIT
        self._output.finish()
        failed = self._output.failure()
        where = f"source {self._origin.source}: {self._origin.name}"
        if self._output.timed_out:
            said = last_lines(
                bytes(self._output.stderr), cut_start=self._output.stderr_cut
            )
            reason = (
                f"closed its stdout but was still running {END_WAIT:g} s later,"
                " so it was stopped"
            )
            hint = (
                "the records it printed before were kept; a followed program must"
                " keep printing to its stdout for as long as it runs"
            )
            self._fail(reason + said, hint)
        elif failed is not None:
            self._fail(*failed)
        elif self._output.left_over:
            self._notes.append(Note("warning", f"{where}: {LEFT_OVER}"))
        else:
            self._notes.append(
                Note("warning", f"{where}: ended; nothing more comes from it")
            )

    def _fail(self, reason: str, hint: str | None) -> None:
        where = f"source {self._origin.source}: {self._origin.name}"
        self._notes.append(Note("error", f"{where}: {reason}", hint))
