"""Logs: one container target + a query → its matched records, read with `kubectl logs`.

The container is read whole (from `--since` on: `--since-time`, in whole
seconds as the API takes it) and streamed from kubectl's stdout into the
shared scanner, so memory stays bounded; each line carries the kubelet's
timestamp, removed before parsing and kept as the time of a line that has
none of its own. `--until` is cut here: the log is read until its kubelet
times pass it.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from tracerun.errors import SourceFailure
from tracerun.query import Query
from tracerun.read.scan import Readable
from tracerun.read.target import Target
from tracerun.sources.base import OriginResult
from tracerun.sources.kubernetes import kubectl
from tracerun.sources.kubernetes.kubectl import KubectlError
from tracerun.sources.kubernetes.pods import PodOrigin
from tracerun.sources.kubernetes.stamps import bare, kubelet_ns, split_hit
from tracerun.sources.stamped import read_stamped

UNTIL_SLACK_NS = 1_000_000_000
"""Read this far past --until by the kubelet's clock: a line's own time (which
decides) is a little earlier than the kubelet's time for it."""
_STAMP_BYTES = 40
"""Enough of a line's start to hold the kubelet's stamp and its space."""
_GATES: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_GATES_LOCK = threading.Lock()


def pod_of(target: Target) -> PodOrigin:
    """Return the target's origin, a container (discovery made it)."""
    origin = target.origin
    assert isinstance(origin, PodOrigin)
    return origin


def log_argv(
    origin: PodOrigin, since: int | None, *, follow: bool = False
) -> list[str]:
    """Build `kubectl logs` for one container, from `since` (µs) on when given."""
    args = [
        "logs",
        f"pod/{origin.pod}",  # never read as a flag, whatever the API named it
        f"--namespace={origin.namespace}",
        f"--container={origin.container}",
        "--timestamps",
    ]
    if origin.previous:
        args.append("--previous")
    if follow:
        args.append("--follow")
    if since is not None and since > 0:
        args.append(f"--since-time={since_text(since)}")
    return kubectl.argv(origin.context, *args)


def since_text(us: int) -> str:
    """Format µs as the whole second at or before it, `2026-03-20T14:10:00Z`."""
    return datetime.fromtimestamp(us // 1_000_000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def gate(origin: PodOrigin) -> threading.BoundedSemaphore:
    """Return the semaphore that bounds the kubectl processes of the origin's source."""
    key = (origin.source, origin.gate)
    with _GATES_LOCK:
        return _GATES.setdefault(key, threading.BoundedSemaphore(origin.gate))


def read_container(target: Target, query: Query) -> OriginResult:
    """Stream one container's log and return its matching records.

    When kubectl fails part-way, the records read so far are kept and the
    failure is reported with them.
    """
    origin = pod_of(target)
    result = OriginResult()
    with gate(origin):
        try:
            stream = kubectl.Stream(log_argv(origin, query.since), origin.name)
        except KubectlError as exc:
            result.failure = SourceFailure(
                origin.source, origin.name, exc.reason, exc.hint
            )
            return result
        until = None if query.until is None else query.until * 1000 + UNTIL_SLACK_NS
        body = Cut(stream.stdout, until)
        watchdog = threading.Timer(query.timeout, stream.kill)
        watchdog.daemon = True
        watchdog.start()
        try:
            read_stamped(target, query, body, result, bare=bare, split=split_hit)
        finally:
            watchdog.cancel()
            result.bytes_read = body.count
            problem = None if body.stopped else stream.finish()
            stream.close()
    if problem is not None and stream.killed:
        reason = f"kubectl logs took longer than {query.timeout:g} s and was cut"
        hint = "what it sent is kept; give it longer with --host-timeout DURATION"
        problem = KubectlError(reason, hint)
    if problem is not None:
        result.failure = SourceFailure(
            origin.source, origin.name, problem.reason, problem.hint
        )
    return result


class Cut:
    """kubectl's stdout, ended at the first line the kubelet stamped after `until` (ns).

    Only the last line start of a block is looked at, unless its stamp is
    past the cut; a line start too short to hold a stamp yet is held back
    until the next block (or the end) says more.
    """

    def __init__(self, body: Readable, until: int | None) -> None:
        self._body = body
        self._until = until
        self._held = b""
        self._at_start = True
        """The held bytes (or the next byte) begin a line not looked at yet."""
        self.count = 0
        self.stopped = False

    def read(self, size: int = -1) -> bytes:
        """Return up to about `size` bytes; b"" at the end or past the cut."""
        out = b""
        while not out and not self.stopped:
            data = self._body.read(size)
            if self._until is None or not data:
                out, self._held = self._held + data, b""
                break
            out = self._cut(data, self._until)
        self.count += len(out)
        return out

    def _cut(self, data: bytes, until: int) -> bytes:
        view, self._held = self._held + data, b""
        first = 0 if self._at_start else view.find(b"\n") + 1
        if first == 0 and not self._at_start:
            return view  # still inside a line looked at before
        last = max(first, view.rfind(b"\n") + 1)
        hold = len(view) - last < _STAMP_BYTES
        if hold:
            self._held = view[last:]
        self._at_start = hold
        keep = view[:last] if hold else view
        seen = max(first, view.rfind(b"\n", 0, last - 1) + 1) if hold else last
        if (hold and last == first) or not _past(view, seen, until):
            return keep
        at = first
        while not _past(view, at, until):
            at = view.find(b"\n", at) + 1
        self.stopped = True
        return view[:at]


def _past(view: bytes, at: int, until: int) -> bool:
    stamp = kubelet_ns(view[at : at + _STAMP_BYTES])
    return stamp is not None and stamp > until


def head_and_last(origin: PodOrigin, count: int) -> tuple[list[bytes], bytes]:
    """Read a container's first `count` lines (kubelet-stamped) and its last one.

    Raises:
        KubectlError: kubectl failed.
    """
    limit = f"--limit-bytes={count * 4096}"
    with gate(origin):
        head = kubectl.run([*log_argv(origin, None), limit], origin.name)
        last = kubectl.run([*log_argv(origin, None), "--tail=1"], origin.name)
    lines = head.split(b"\n")
    complete = lines[:-1] if len(lines) > 1 else lines
    return [line for line in complete if line][:count], last.rstrip(b"\n")
