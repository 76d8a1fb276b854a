"""Logs: one container target + a query → its matched records, read from the engine.

The log is streamed from the engine's response in blocks (frames.py), so memory
stays bounded however long it is; `--since/--until` go to the engine, so what
comes back is already only the window asked for; each line carries the engine's
timestamp, which stands in for a line's time when it has none of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from tracerun.errors import SourceFailure
from tracerun.query import Query
from tracerun.read.target import Target, stdout_start_rule
from tracerun.sources.base import OriginResult
from tracerun.sources.docker.engine import EngineError, connect
from tracerun.sources.docker.frames import LogStream
from tracerun.sources.docker.select import ContainerOrigin
from tracerun.sources.docker.stamps import content, unstamp
from tracerun.sources.stamped import read_stamped

if TYPE_CHECKING:
    from docker import DockerClient

UNTIL_SLACK_S = 1.0
"""Extra time asked of the engine after --until: a line's own time (which decides)
is a little earlier than the engine's time for it."""

record_start_rule = stdout_start_rule
"""Which container log lines start a record (read/target.py says how)."""


def container_of(target: Target) -> ContainerOrigin:
    """Return the target's origin, a container (discovery made it)."""
    origin = target.origin
    assert isinstance(origin, ContainerOrigin)
    return origin


def read_container(target: Target, query: Query) -> OriginResult:
    """Stream one container's log and return its matching records.

    When the engine fails part-way, the records read so far are kept and the
    failure is reported with them.
    """
    origin = target.origin
    result = OriginResult()
    try:
        with _log_stream(container_of(target), query) as stream:
            try:
                read_stamped(target, query, stream, result, bare=content, split=unstamp)
            finally:
                result.bytes_read = stream.count
    except EngineError as exc:
        result.failure = SourceFailure(origin.source, origin.name, exc.reason, exc.hint)
    return result


@contextmanager
def _log_stream(origin: ContainerOrigin, query: Query) -> Iterator[LogStream]:
    """Open the container's log in the window, each line prefixed by its engine time.

    Raises:
        EngineError: the engine fails, or the container is gone.
    """
    import docker.errors  # noqa: PLC0415 - start-up: the SDK is loaded by connect()
    import requests  # noqa: PLC0415

    since, until = engine_window(query)
    params: dict[str, Any] = {
        "stdout": int("stdout" in origin.streams),
        "stderr": int("stderr" in origin.streams),
        "timestamps": 1,
        "follow": 0,
        "tail": "all",
    }
    params.update({k: v for k, v in (("since", since), ("until", until)) if v})
    try:
        with connect(origin.host, origin.source) as client:
            api = client.api
            url = f"{api.base_url}/v{api.api_version}/containers/{origin.locator}/logs"
            with api.get(url, params=params, stream=True) as response:
                try:
                    response.raise_for_status()
                except requests.HTTPError as exc:
                    docker.errors.create_api_error_from_http_exception(exc)
                yield LogStream(response.raw, framed=not origin.tty)
    except docker.errors.NotFound:
        reason = "the container was removed while it was being read"
        hint = "its logs went with it; run the trace again to read its replacement"
        raise EngineError(reason, hint) from None


def engine_window(query: Query) -> tuple[float | None, float | None]:
    """Give `--since/--until` as the engine's float epoch seconds (None: unbounded).

    Why floats: the SDK rounds datetimes to whole seconds.
    """
    since, until = query.since, query.until
    return (
        since / 1_000_000 if since is not None and since > 0 else None,
        until / 1_000_000 + UNTIL_SLACK_S if until is not None and until > 0 else None,
    )


def log_head(
    client: DockerClient,
    container: str,
    count: int,
    limit: int,
    *,
    streams: tuple[str, ...] = ("stdout", "stderr"),
    timestamps: bool = False,
) -> list[bytes]:
    """Read a container's first `count` log lines (at most `limit` bytes), then stop.

    Used by `sources --check` and `init`, which look at a log's head only.
    """
    stream = client.api.logs(
        container,
        "stdout" in streams,
        "stderr" in streams,
        stream=True,
        timestamps=timestamps,
        follow=False,
    )
    data = b""
    try:
        for chunk in stream:
            data += chunk
            if data.count(b"\n") >= count or len(data) >= limit:
                break
    finally:
        _close_stream(stream)
    return data.split(b"\n")[:count] if data else []


def head_and_last(
    origin: ContainerOrigin, count: int, limit: int, *, with_last: bool
) -> tuple[list[bytes], bytes]:
    """Stream a container's first `count` lines (engine-stamped), and its last one."""
    last = b""
    with connect(origin.host, origin.source) as client:
        head = log_head(
            client,
            origin.locator,
            count,
            limit,
            streams=origin.streams,
            timestamps=True,
        )
        if with_last:
            out, err = "stdout" in origin.streams, "stderr" in origin.streams
            tail = client.api.logs(origin.locator, out, err, timestamps=True, tail=1)
            last = tail.rstrip(b"\n")
    return head, last


def _close_stream(stream: Any) -> None:
    """Close a log stream and its HTTP response, so no socket is left open.

    Why: the SDK's `CancellableStream.close()` shuts the socket down but leaves
    the response object (and its file) open, and it refuses ssh:// engines.
    """
    response = getattr(stream, "_response", None)
    if response is None:
        stream.close()
        return
    response.close()
