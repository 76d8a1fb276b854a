"""Docker tail: a docker source's containers → their live log streams (a Feed).

Each matching container's log is streamed (`follow=True`) by a thread that
resumes after the last line it passed on (the engine's timestamps are the
bookmark), so a restarted container continues with no line lost or repeated.
A watcher thread reads the engine's events: a matching container that starts is
picked up (read from its start), a removed one is noted on stderr, and when the
engine cannot be reached it says so once and retries with back-off. Threads
only move bytes; the bytes go through the same IncrementalReader (prefilter, parser,
matcher) as files, in the driver's thread.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tracerun.config.spec import DockerSourceConfig
from tracerun.origin import Origin
from tracerun.plain import field, plain, replace
from tracerun.query import Query
from tracerun.read.incremental import IncrementalReader
from tracerun.read.target import Target
from tracerun.record import Record
from tracerun.sources.base import Discovery
from tracerun.sources.docker import select
from tracerun.sources.docker.adhoc import AdhocContainers, AdhocDockerSourceConfig
from tracerun.sources.docker.engine import EngineError, connect
from tracerun.sources.docker.logs import engine_window, record_start_rule
from tracerun.sources.docker.stamps import content, engine_ns, last_line_ns, unstamp
from tracerun.sources.feed import Backoff, Note, parse_notes, release_quiet

QUIET = 0.05
"""Seconds without bytes after which a container's held last record is released."""
_EVENTS = {"type": ["container"], "event": ["start", "destroy"]}


@plain(slots=True)
class _Box:
    """One followed container: its record stream and its streaming thread's state."""

    origin: Origin
    stream: IncrementalReader
    since_ns: int = 0
    """Engine time of the last line passed on; the stream resumes after it."""
    restart: threading.Event = field(default_factory=threading.Event)
    stopped: bool = False
    handle: Any = None
    last_data: float = 0.0


class DockerFeed:
    """Follows the containers of one docker source.

    Args:
        target: a target of this source; each container gets a copy with its origin.
        config: the source's settings (selectors, host, streams).
        query: what to match.
    """

    def __init__(
        self, target: Target, config: DockerSourceConfig, query: Query
    ) -> None:
        self._target = target
        self._config = config
        self._group = _watching(target, config)
        if self._group is not None:  # also the flag's globs: containers started later
            globs = [*config.containers, *self._group.values]
            config = replace(config, containers=globs)
        self._discovery = config
        self._query = query
        self._source = target.origin.source
        self._boxes: dict[str, _Box] = {}
        self._inbox: deque[tuple[str, Any]] = deque()
        self._notes: list[Note] = []
        self._stopped = threading.Event()
        self._rule = record_start_rule(target)

    def start(self, history: bool) -> list[Record]:
        """Stream the matching containers; with `history`, return their records so far."""
        found = self._discover()
        failing = bool(found.failures)
        for failure in found.failures[:1]:
            self._notes.append(_engine_note(self._source, failure.reason, failure.hint))
        records: list[Record] = []
        if found.origins:
            boxes = [self._box(origin) for origin in found.origins]
            with ThreadPoolExecutor(min(8, len(boxes))) as pool:
                fetched = list(pool.map(lambda b: self._fetch(b, history), boxes))
            for box, data in zip(boxes, fetched, strict=True):
                box.since_ns = last_line_ns(data) or 0
                if history:
                    records += box.stream.feed(data) + box.stream.flush()
                self._stream(box)
        threading.Thread(target=self._watch, args=(failing,), daemon=True).start()
        return records

    def poll(self, now: float) -> list[Record]:
        """Turn what the threads brought into records; note removed containers."""
        records: list[Record] = []
        while self._inbox:
            kind, item = self._inbox.popleft()
            if kind == "data":
                box = self._boxes.get(item[0])
                if box is not None:
                    box.last_data = now
                    records += box.stream.feed(item[1])
            elif kind == "new" and item.locator not in self._boxes:
                self._stream(self._box(item))
            elif kind == "removed" and item in self._boxes:
                records += self._remove(item)
            elif kind == "note":
                self._notes.append(item)
        return records + release_quiet(self._boxes.values(), now, QUIET)

    def notes(self) -> list[Note]:
        """Engine failures (once) and recoveries, removed containers, parse warnings."""
        self._notes += parse_notes(list(self._boxes.values()))
        notes, self._notes = self._notes, []
        return notes

    def close(self) -> list[Record]:
        """Stop the threads; release the records still held back."""
        self._stopped.set()
        records: list[Record] = []
        for box in self._boxes.values():
            box.stopped = True
            box.restart.set()
            _cancel(box)
            records += box.stream.finish()
        return records

    def _box(self, origin: Origin) -> _Box:
        target = replace(self._target, origin=origin)
        stream = IncrementalReader(
            target,
            self._query,
            is_start=lambda line: self._rule(content(line)),
            unstamp=unstamp,
        )
        box = _Box(origin, stream)
        self._boxes[origin.locator] = box
        return box

    def _remove(self, container_id: str) -> list[Record]:
        box = self._boxes.pop(container_id)
        box.stopped = True
        box.restart.set()
        _cancel(box)
        self._notes.append(
            Note(
                "warning",
                f"source {self._source}: container {box.origin.name} was removed",
            )
        )
        return box.stream.finish()

    def _fetch(self, box: _Box, history: bool) -> bytes:
        """Fetch the log so far (history), or its last line (where to start from)."""
        import docker.errors  # noqa: PLC0415 - loaded by discover() already

        since = engine_window(self._query)[0] if history else None
        try:
            with connect(self._config.host, self._source) as client:
                data: bytes = client.api.logs(
                    box.origin.locator,
                    stdout="stdout" in self._config.streams,
                    stderr="stderr" in self._config.streams,
                    timestamps=True,
                    tail="all" if history else 1,
                    since=since,
                )
        except (EngineError, docker.errors.NotFound):
            return b""  # the watcher tells (engine down) or notices (removed)
        return data

    def _stream(self, box: _Box) -> None:
        threading.Thread(target=self._run_stream, args=(box,), daemon=True).start()

    def _run_stream(self, box: _Box) -> None:
        """Thread: pass the container's new lines on; after it stops, wait for a restart."""
        while not (box.stopped or self._stopped.is_set()):
            box.restart.clear()
            try:
                self._copy_stream(box)
            except EngineError:
                pass  # the engine went away: the watcher says so, and restarts us
            finally:
                box.handle = None
            while not box.restart.wait(1.0):
                if box.stopped or self._stopped.is_set():
                    return

    def _copy_stream(self, box: _Box) -> None:
        import docker.errors  # noqa: PLC0415 - loaded by connect() already

        gate = box.since_ns
        since = (
            (gate // 1000) / 1e6 if gate else None
        )  # floor to µs: the gate drops the rest
        partial = b""
        with connect(self._config.host, self._source) as client:
            try:
                box.handle = client.api.logs(
                    box.origin.locator,
                    stdout="stdout" in self._config.streams,
                    stderr="stderr" in self._config.streams,
                    stream=True,
                    follow=True,
                    timestamps=True,
                    since=since,
                )
            except docker.errors.NotFound:
                return  # removed: the watcher notes it
            for chunk in box.handle:
                data = partial + chunk
                end = data.rfind(b"\n") + 1
                data, partial = data[:end], data[end:]
                if gate and data:
                    data, gate = drop_seen(data, gate)
                if data:
                    box.since_ns = last_line_ns(data) or box.since_ns
                    self._inbox.append(("data", (box.origin.locator, data)))
                if box.stopped:
                    return

    def _watch(self, failing: bool) -> None:
        """Thread: follow the engine's events; pick up, notice removals, reconnect."""
        backoff = Backoff()
        while not self._stopped.is_set():
            try:
                with connect(self._config.host, self._source) as client:
                    events = client.api.events(decode=True, filters=_EVENTS)
                    if failing:
                        failing = False
                        self._note(
                            Note(
                                "warning",
                                f"source {self._source}: the Docker engine answers again",
                            )
                        )
                    backoff = Backoff()
                    self._sync()
                    for event in events:
                        if self._stopped.is_set():
                            return
                        self._on_event(event)
            except EngineError as exc:
                if not failing:
                    failing = True
                    self._note(_engine_note(self._source, exc.reason, exc.hint))
            except Exception as exc:  # noqa: BLE001 - a broken event stream: reconnect
                if not failing:
                    failing = True
                    self._note(
                        _engine_note(
                            self._source,
                            f"lost the Docker engine's events ({exc})",
                            None,
                        )
                    )
            backoff.failed(time.monotonic())
            self._stopped.wait(backoff.next_try - time.monotonic())

    def _on_event(self, event: dict[str, Any]) -> None:
        action = event.get("Action") or event.get("status")
        container_id = event.get("id") or event.get("Actor", {}).get("ID", "")
        if action == "destroy" and container_id in self._boxes:
            self._inbox.append(("removed", container_id))
        elif action == "start":
            self._sync()

    def _discover(self) -> Discovery:
        """List the source's containers; for an ad hoc group's first, the flag's too.

        An ad hoc source follows its own container only; the group's first
        source also takes each container its flag's globs match that no source
        of the group has, under a source named after the container.
        """
        found = select.discover(
            self._source, self._target.origin.source_index, self._discovery
        )
        if not isinstance(self._config, AdhocDockerSourceConfig):
            return found
        own, group = set(self._config.containers), self._config.group
        kept: list[Origin] = []
        for origin in found.origins:
            if origin.name in own:
                kept.append(origin)
            elif self._group is not None and group and origin.name not in group.names:
                name = group.source_name(origin.name)
                kept.append(replace(origin, source=name))
        found.origins = kept
        return found

    def _sync(self) -> None:
        """Pick up new matching containers; wake the threads of known ones (restarts)."""
        found = self._discover()
        if found.failures:
            raise EngineError(found.failures[0].reason, found.failures[0].hint or "")
        for origin in found.origins:
            box = self._boxes.get(origin.locator)
            if box is None:
                self._inbox.append(("new", origin))
            else:
                box.restart.set()

    def _note(self, note: Note) -> None:
        self._inbox.append(("note", note))


def _watching(target: Target, config: DockerSourceConfig) -> AdhocContainers | None:
    """Return the ad hoc group whose globs this source also watches (its first)."""
    if not isinstance(config, AdhocDockerSourceConfig) or config.group is None:
        return None
    return config.group if config.group.first == target.origin.source else None


def drop_seen(data: bytes, gate: int) -> tuple[bytes, int]:
    """Drop the lines at or before `gate` (ns) that a resumed stream sends again.

    Returns the lines to pass on and the gate still to apply (0 once passed).
    """
    lines = data.splitlines(keepends=True)
    for index, line in enumerate(lines):
        stamp = engine_ns(line)
        if stamp is None or stamp > gate:
            return b"".join(lines[index:]), 0
    return b"", gate


def _cancel(box: _Box) -> None:
    handle = box.handle
    if handle is not None:
        with contextlib.suppress(OSError):  # a socket already closed by the engine
            handle.close()


def _engine_note(source: str, reason: str, hint: str | None) -> Note:
    retry = "tracerun keeps retrying (every 1 s, 2 s … 30 s)"
    return Note(
        "error", f"source {source}: {reason}", f"{hint}; {retry}" if hint else retry
    )
