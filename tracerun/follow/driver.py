"""Follow driver (`-f`): a trace's Plan + Query → its history, then live records.

A second driver over the same pipeline: each source type follows its origins
(sources/<type>/tail.py) through the same prefilter, parser and matcher
(read/incremental.py); records from all sources pass a short reorder window
(reorder.py) and the same formatter as a one-shot trace, until stopped.
"""

from __future__ import annotations

import math
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

from tracerun.config.spec import Profile
from tracerun.errors import ExitCode, OutputError, failure_lines
from tracerun.follow.reorder import ReorderBuffer
from tracerun.output.base import Formatter
from tracerun.plain import field, plain, replace
from tracerun.query import Growing, Query
from tracerun.read.match import RecordFilter
from tracerun.read.tally import Tally
from tracerun.read.target import Target
from tracerun.record import Record
from tracerun.sources import get_source
from tracerun.sources.base import CannotError
from tracerun.sources.feed import Feed, Note
from tracerun.trace.merge import (
    MAX_RECORDS_HINT,
    RECORD_CAP_HINT,
    Timeline,
    cap_message,
)
from tracerun.trace.plan import Plan
from tracerun.trace.runner import run
from tracerun.trace.session import (
    Session,
    TraceOptions,
    expand_settings,
    prepare,
    wants_expand,
)

if TYPE_CHECKING:
    from tracerun.trace.expand import LiveExpander, ViaMarker

POLL = 0.1
"""Seconds between two looks at the followed files (a few stat calls per file)."""
WINDOW = 0.25
"""Default reorder window, seconds."""


Notify = Callable[[Note], None]


@plain(frozen=True, slots=True)
class FollowSettings:
    """How to follow: history or not, reorder window, when to stop."""

    history: bool = True
    window: float = WINDOW
    exit_on: str | None = None
    timeout: float | None = None
    poll: float = POLL


def follow_trace(
    profile: Profile,
    options: TraceOptions,
    settings: FollowSettings,
    out: TextIO,
    notify: Notify,
) -> int:
    """Follow a trace: print its history, then new records, until told to stop.

    Returns the exit code: 0 when stopped by --exit-on, or by --timeout after
    printing something (1 if nothing); 130 on Ctrl-C, 143 on SIGTERM, after
    printing what was held back.
    """
    session = prepare(profile, options, now=time.time())
    for warning in (*session.notes, *session.plan.warnings):
        notify(Note("warning", warning))
    follower = Follower(settings, session.formatter_for(out), out, notify)
    query = session.query
    if wants_expand(profile, options):
        query, follower.marker, follower.live = _expand_first(profile, options, session)
        follower.grow = query.grow
    if options.summary and options.output != "summary":
        # As in a one-shot trace: after the records on a terminal, else on stderr.
        stream = out if out.isatty() else sys.stderr
        follower.summary = (session.formatter_for(stream, "summary"), stream)
    follower.feeds, history = build_feeds(
        profile, session.plan, query, settings, notify, follower.expand
    )
    return follower.run(history)


def _expand_first(
    profile: Profile, options: TraceOptions, session: Session
) -> tuple[Query, ViaMarker, LiveExpander]:
    """Expand the history once; follow every id it found, and those found live.

    The query returned holds a Growing needle set: the follower adds to it the
    ids that live records bring (`LiveExpander`), and every live reader
    searches them from then on, its recent bytes too (#16).
    """
    from tracerun.output.idgraph import render_graph  # noqa: PLC0415 - start-up: only with --expand
    from tracerun.trace.expand import (  # noqa: PLC0415 - start-up: only with --expand
        LiveExpander,
        ViaMarker,
        followed_query,
        record_key,
        run_expanded,
        window_text,
    )

    settings = expand_settings(options, expanding=True)
    result, expansion = run_expanded(session.plan, session.query, profile, settings)
    known = {record_key(r): r.via for r in result.timeline}
    if expansion.window is not None:
        sys.stderr.write(
            f"tracerun: {window_text(expansion.window, settings.margin)}\n"
        )
    for note in expansion.notes:
        sys.stderr.write(f"tracerun: {note}\n")
    sys.stderr.write(render_graph(expansion.nodes, expansion.passes))
    query = followed_query(session.query, profile, expansion)
    query = replace(query, grow=Growing(query))
    live = LiveExpander(profile, settings, expansion)
    return query, ViaMarker(expansion, known), live


def build_feeds(
    profile: Profile,
    plan: Plan,
    query: Query,
    settings: FollowSettings,
    notify: Notify,
    expand: Callable[[list[Record]], list[Record]] | None = None,
) -> tuple[list[Feed], Timeline]:
    """Start one Feed per selected source; return them and the history they read.

    Compressed files (and sources of a type that cannot be followed) are read
    once by the runner, for the history only. The history is capped as a
    one-shot trace is (`--limit`, `--max-records`); a cap is told as an error.
    """
    feeds: list[Feed] = []
    batches: list[list[Record]] = []
    once: list[Target] = []
    rediscovering: set[str] = set()
    by_source: dict[str, list[Target]] = {}
    for target in plan.targets:  # once: ten thousand ad hoc sources are common
        by_source.setdefault(target.origin.source, []).append(target)
    for name in plan.source_names:
        config = profile.sources[name]
        targets = by_source.get(name, [])
        try:
            following = get_source(config.type).follow(
                plan.templates[name], targets, config, query, _now_us
            )
        except CannotError as exc:
            once += targets
            notify(Note("warning", f"source {name}: {exc}"))
            continue
        once += following.once
        if following.rediscovers:
            rediscovering.add(name)
        if following.polled:
            feeds.append(following.feed)
        batches.append(following.feed.start(settings.history))
    if expand is not None:  # what was written since the history's expansion ran
        batches.append(expand([r for batch in batches for r in batch]))
    # The one-shot history read is pickled to workers: without the live needles;
    # numbered, as the live readers number theirs (--exit-on can test `line`).
    once_query = replace(query, grow=None, lines=True)
    result = run(Plan(tuple(once)), once_query) if settings.history and once else None
    history = Timeline(query.limit, query.max_records)
    for batch in batches:
        history.add_records(batch)
    if result is not None:
        history.absorb(result.timeline)
    for warning in [*result.warnings, *result.unparsed] if result else []:
        notify(Note("warning", warning))
    failures = [f for f in plan.failures if f.source not in rediscovering]
    for text, hint in failure_lines([*failures, *(result.failures if result else [])]):
        notify(Note("error", text, hint))
    for capped in result.capped if result else []:
        notify(Note("error", capped, RECORD_CAP_HINT))
    if history.capped:
        notify(Note("error", cap_message(history), MAX_RECORDS_HINT))
    return feeds, history


def _now_us() -> int:
    return time.time_ns() // 1000


@plain(slots=True)
class Follower:
    """The follow loop: poll feeds, reorder, print, stop on a signal, --exit-on or --timeout."""

    settings: FollowSettings
    formatter: Formatter
    out: TextIO
    notify: Notify
    feeds: list[Feed] = field(default_factory=list)
    summary: tuple[Formatter, TextIO] | None = None
    """`--summary`: a formatter that sees every record, and where it writes at the end."""
    printed: int = 0
    marker: ViaMarker | None = None
    """`--expand`: gives each record the chain of ids that led to it."""
    live: LiveExpander | None = None
    """`--expand`: finds the new ids live records carry, for the live needles."""
    grow: Growing | None = None
    _stop_signal: int = 0
    _exit_on: RecordFilter | None = None
    _exit_on_told: bool = False

    def run(self, history: Iterable[Record]) -> int:
        """Print `history`, then follow; return the exit code."""
        if self.settings.exit_on is not None:
            self._exit_on = RecordFilter(self.settings.exit_on, "--exit-on")
        try:
            with self._signals():
                self._notes()
                code = ExitCode.OK if self._emit(history) else self._loop()
            self._finish()
            return code
        finally:
            for feed in self.feeds:
                feed.close()

    def _finish(self) -> None:
        """Write what the formats render after the last record (html, summary…)."""
        self.out.write(self.formatter.finish())
        self.out.flush()
        if self.summary is not None:
            formatter, stream = self.summary
            stream.write(formatter.finish())
            stream.flush()

    def _loop(self) -> int:
        settings = self.settings
        buffer = ReorderBuffer(settings.window)
        now = time.monotonic()
        deadline = math.inf if settings.timeout is None else now + settings.timeout
        next_poll = now
        while not self._stop_signal and now < deadline:
            if now >= next_poll:
                next_poll = now + settings.poll
                self._poll(buffer, now)
            if self._emit(buffer.release(now)):
                return ExitCode.OK
            due = buffer.next_due() or math.inf
            time.sleep(max(0.0, min(next_poll, due, deadline) - time.monotonic()))
            now = time.monotonic()
        # Stopping: take what was written up to now, and what the feeds held back.
        self._poll(buffer, now)
        last = [r for feed in self.feeds for r in feed.close()]
        buffer.add(last + self.expand(last), now)
        self.feeds = []
        self._emit(buffer.drain(), stop_on_match=False)
        if self._stop_signal == signal.SIGTERM:
            return ExitCode.TERMINATED
        if self._stop_signal:
            return ExitCode.INTERRUPTED
        return ExitCode.OK if self.printed else ExitCode.NO_MATCH

    def _poll(self, buffer: ReorderBuffer, now: float) -> None:
        records = [r for feed in self.feeds for r in feed.poll(now)]
        buffer.add(records + self.expand(records), now)
        self._notes()

    def expand(self, records: list[Record]) -> list[Record]:
        """`-f --expand`: search the new ids these records carry; return what they find.

        Found in every reader's recent bytes, in the same poll, so they enter
        the reorder window with the record that brought their id.
        """
        live, grow = self.live, self.grow
        if live is None or grow is None or not records:
            return []
        found: list[Record] = []
        while records and (values := live.found(records)):
            records = grow.add(values)
            found += records
        # The limits reached, and values that are not ids (OnceWarnings: once).
        for note in [*live.notes, *live.correlator.warnings]:
            self.notify(Note("warning", note))
        live.notes.clear()
        live.correlator.warnings.clear()
        return found

    def _emit(self, records: Iterable[Record], *, stop_on_match: bool = True) -> bool:
        """Print records; True when one matched --exit-on (the rest are not printed)."""
        if not records:  # an empty list (a Timeline is always true)
            return False
        exit_on = self._exit_on if stop_on_match else None
        write = self.out.write
        try:
            try:
                for record in records:
                    if self.marker is not None:
                        self.marker.mark(record)
                    write(self.formatter.format(record))
                    if self.summary is not None:
                        self.summary[0].format(record)
                    self.printed += 1
                    if exit_on is not None and self._stops(exit_on, record):
                        return True
                return False
            finally:
                self.out.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:  # a full disk: following on would only fail again
            raise OutputError.of(exc) from None

    def _stops(self, exit_on: RecordFilter, record: Record) -> bool:
        """Tell whether --exit-on holds for a record; its first failure is told once."""
        if exit_on.test(record):
            return True
        if exit_on.error is not None and not self._exit_on_told:
            self._exit_on_told = True
            tally = Tally()
            effect = "records where it fails do not stop the follow"
            tally.fail(exit_on.subject, exit_on.error, record.line, effect)
            for warning in tally.failure_warnings(record.origin):
                self.notify(Note("warning", warning))
        return False

    def _notes(self) -> None:
        for feed in self.feeds:
            for note in feed.notes():
                self.notify(note)

    @contextmanager
    def _signals(self) -> Iterator[None]:
        """Turn Ctrl-C and SIGTERM into a clean stop of the loop (main thread only)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def stop(signum: int, _frame: object) -> None:
            # Only a flag, checked by the loop within one poll: raising here could
            # lose a record taken from the buffer but not yet written.
            self._stop_signal = signum

        previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
