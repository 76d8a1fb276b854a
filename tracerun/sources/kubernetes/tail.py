"""Kubernetes tail: a kubernetes source's containers → their live logs (a Feed).

Each container is read once for its history, then streamed by a thread
running `kubectl logs --follow` from the second of the last line passed on;
lines the kubelet stamped at or before that line are dropped, so a restarted
container (whose stream ends) continues after the last line read, none
repeated. A lister thread lists the pods again every `RELIST` seconds: a new
matching pod is picked up (read from its start), a removed one is noted.
Threads only move bytes; the bytes go through the same IncrementalReader
(prefilter, parser, matcher) as files, in the driver's thread.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tracerun.config.spec import KubernetesSourceConfig
from tracerun.plain import field, plain, replace
from tracerun.query import Query
from tracerun.read.incremental import IncrementalReader
from tracerun.read.target import Target, stdout_start_rule
from tracerun.record import Record
from tracerun.sources.base import Discovery
from tracerun.sources.feed import Backoff, Note, parse_notes, release_quiet
from tracerun.sources.kubernetes import kubectl, logs, pods
from tracerun.sources.kubernetes.kubectl import KubectlError
from tracerun.sources.kubernetes.pods import PodOrigin
from tracerun.sources.kubernetes.stamps import bare, kubelet_ns, split_hit

RELIST = 2.0
"""Seconds between two listings of the pods (new pods, removed ones)."""
QUIET = 0.05
"""Seconds without bytes after which a container's held last record is released."""
_BLOCK = 64 * 1024


@plain(slots=True)
class _Box:
    """One followed container: its record stream and its thread's bookmark."""

    origin: PodOrigin
    stream: IncrementalReader
    last_ns: int = 0
    """Kubelet time of the last line passed on; the stream resumes after it."""
    last_data: float = 0.0
    process: kubectl.Stream | None = None
    backoff: Backoff = field(default_factory=Backoff)


class KubernetesFeed:
    """Follows the containers of one kubernetes source.

    Args:
        template: a target of this source; each container gets a copy with its origin.
        config: the source's settings (contexts, namespaces, selectors).
        query: what to match.
    """

    def __init__(
        self, template: Target, config: KubernetesSourceConfig, query: Query
    ) -> None:
        self._template = template
        self._config = config
        self._query = query
        self._boxes: dict[str, _Box] = {}
        self._inbox: deque[tuple[str, Any]] = deque()
        self._notes: list[Note] = []
        self._told: set[str] = set()
        self._stopped = threading.Event()
        self._rule = stdout_start_rule(template)

    def start(self, history: bool) -> list[Record]:
        """Stream the containers; with `history`, return their records so far.

        It starts from the plan's listing (or lists the pods when there is
        none) and tells what failed in it, once, as its later listings do.
        """
        origin = self._template.origin
        listed = pods.last_discovery(origin.source, origin.source_index, self._config)
        boxes = [self._box(o) for o in self._list(listed)[0]]
        records: list[Record] = []
        if boxes:
            with ThreadPoolExecutor(min(self._config.max_parallel, len(boxes))) as pool:
                fetched = list(pool.map(lambda b: self._history(b, history), boxes))
            for box, data in zip(boxes, fetched, strict=True):
                if history:
                    records += box.stream.feed(data) + box.stream.flush()
        for box in boxes:
            self._follow(box)
        threading.Thread(target=self._relist, daemon=True).start()
        return records

    def poll(self, now: float) -> list[Record]:
        """Turn what the threads brought into records; note new and removed pods."""
        records: list[Record] = []
        while self._inbox:
            kind, item = self._inbox.popleft()
            if kind == "data":
                box = self._boxes.get(item[0])
                if box is not None:
                    box.last_data = now
                    records += box.stream.feed(item[1])
            elif kind == "new" and item.name not in self._boxes:
                self._follow(self._box(item))
            elif kind == "removed" and item in self._boxes:
                box = self._boxes.pop(item)
                _stop(box)
                records += box.stream.finish()
                self._notes.append(
                    Note("warning", f"source {box.origin.source}: {item}: pod removed")
                )
            elif kind == "note":
                self._notes.append(item)
        return records + release_quiet(self._boxes.values(), now, QUIET)

    def notes(self) -> list[Note]:
        """Return what kubectl said (each failure once), removed pods, parse warnings."""
        self._notes += parse_notes(list(self._boxes.values()))
        notes, self._notes = self._notes, []
        return notes

    def close(self) -> list[Record]:
        """Stop the threads and kubectl; release the records still held back."""
        self._stopped.set()
        records: list[Record] = []
        for box in list(self._boxes.values()):
            _stop(box)
            records += box.stream.finish()
        self._boxes.clear()
        return records

    def _box(self, origin: PodOrigin) -> _Box:
        target = replace(self._template, origin=origin)
        stream = IncrementalReader(
            target,
            self._query,
            is_start=lambda line: self._rule(bare(line)),
            unstamp=split_hit,
        )
        box = _Box(origin, stream)
        self._boxes[origin.name] = box
        return box

    def _history(self, box: _Box, history: bool) -> bytes:
        """Read a container's log so far (or its last line); set the bookmark after it.

        Why the last line without history: the kubelet's clock, not ours, says
        where the live part starts.
        """
        if not box.origin.ran:
            return b""
        command = logs.log_argv(box.origin, self._query.since if history else None)
        try:
            data = kubectl.run(
                command if history else [*command, "--tail=1"], box.origin.name
            )
        except KubectlError as exc:
            self._tell(box.origin, exc)
            return b""
        fresh = self._fresh(box, data)
        return fresh if history else b""

    def _fresh(self, box: _Box, data: bytes) -> bytes:
        """Keep the lines stamped after the bookmark; move it to the last one kept."""
        kept = []
        for line in data.splitlines(keepends=True):
            ns = kubelet_ns(line)
            if ns is not None and ns <= box.last_ns:
                continue
            if ns is not None:
                box.last_ns = ns
            kept.append(line)
        return b"".join(kept)

    def _follow(self, box: _Box) -> None:
        threading.Thread(target=self._stream, args=(box,), daemon=True).start()

    def _stream(self, box: _Box) -> None:
        """Run `kubectl logs --follow` again whenever it ends, until stopped or removed."""
        origin = box.origin
        while not self._stopped.is_set() and self._boxes.get(origin.name) is box:
            since = box.last_ns // 1000 or None
            try:
                box.process = kubectl.Stream(
                    logs.log_argv(origin, since, follow=True), origin.name
                )
            except KubectlError as exc:
                self._tell(origin, exc)
                return
            if self._stopped.is_set():  # closed while it started: never orphaned
                box.process.kill()
            got = self._pump(box, box.process)
            problem = box.process.finish()
            box.process.close()
            if problem is not None and "not found" in problem.reason:
                return  # the pod is gone: the lister notes it
            if problem is not None and "waiting to start" not in problem.reason:
                self._tell(origin, problem)
            if got:
                box.backoff = Backoff()
            now = time.monotonic()
            box.backoff.failed(now)
            self._stopped.wait(box.backoff.next_try - now)

    def _pump(self, box: _Box, process: kubectl.Stream) -> bool:
        carry = b""
        got = False
        while True:
            data = process.stdout.read(_BLOCK)
            if not data:
                return got
            lines, newline, carry = (carry + data).rpartition(b"\n")
            fresh = self._fresh(box, lines + newline) if newline else b""
            if fresh:
                got = True
                self._inbox.append(("data", (box.origin.name, fresh)))

    def _list(
        self, found: Discovery | None = None
    ) -> tuple[list[PodOrigin], tuple[str, ...]]:
        """List the current containers (no previous instances) and the places that failed.

        A failed place is a context (`eu`), a `context/namespace`, or "" when
        nothing could be listed at all.
        """
        if found is None:
            found = pods.discover(
                self._template.origin.source,
                self._template.origin.source_index,
                self._config,
            )
        for failure in found.failures:
            text = failure.text()
            if text not in self._told:
                self._told.add(text)
                self._inbox.append(("note", Note("error", text, failure.hint)))
        origins = [
            o for o in found.origins if isinstance(o, PodOrigin) and not o.previous
        ]
        return origins, tuple(f.origin for f in found.failures)

    def _relist(self) -> None:
        while not self._stopped.wait(RELIST):
            found, failed = self._list()
            self._inbox.extend(("new", origin) for origin in found)
            names = {origin.name for origin in found}
            for name in list(self._boxes):
                # A place that did not answer says nothing of its pods.
                silent = any(not p or name.startswith(p + "/") for p in failed)
                if name not in names and not silent:
                    self._inbox.append(("removed", name))

    def _tell(self, origin: PodOrigin, exc: KubectlError) -> None:
        text = f"source {origin.source}: {origin.name}: {exc.reason}"
        if text not in self._told:
            self._told.add(text)
            self._inbox.append(("note", Note("error", text, exc.hint)))


def _stop(box: _Box) -> None:
    """Stop a container's kubectl; its thread, which owns the pipes, closes them."""
    if box.process is not None:
        box.process.kill()
