"""Docker source: a docker source config → matching containers → their matched records.

Containers are found by name glob, labels or compose project/service; each one's
log is read through the engine's log API with the engine's timestamps, which
stand in for a line's time when the line has none of its own.

A log is streamed from the engine's response in blocks (frames.py), so memory
stays bounded however long the log is; `--since/--until` are passed to the
engine, so what comes back is already only the window asked for. Connecting,
and turning the SDK's nested exceptions into one line, is engine.py's job.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from tracerun.config.spec import DockerSourceConfig
from tracerun.errors import SourceFailure
from tracerun.origin import Origin
from tracerun.query import Query
from tracerun.read.assemble import Assembler
from tracerun.read.match import Matcher
from tracerun.read.scan import Hit, Needles, ScanNotice, scan
from tracerun.read.target import Target
from tracerun.sources.base import Discovery, OriginResult
from tracerun.sources.engine import POOL, EngineError, connect, engine_url
from tracerun.sources.frames import LogStream
from tracerun.timeparse import parse_time

if TYPE_CHECKING:
    from docker import DockerClient

UNTIL_SLACK_S = 1.0
"""Extra time asked of the engine after --until: a line's own time (which decides)
is a little earlier than the engine's time for it."""

PIECE_BYTES = 16 * 1024
"""The engine's log message size: longer lines are stored (and stamped) in pieces."""

_STAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d) ")
_NEVER_STARTED = "0001-01-01T00:00:00Z"
# Lines that continue a record in a container's log: indented stack frames,
# blank lines, and the head and tail lines of Python and Java traces.
_CONTINUATION = re.compile(
    rb"\s|$|Traceback \(|Caused by:|During handling of|The above exception"
    rb"|[\w.$]+(?:Error|Exception|Exit|Interrupt)(?::|$)"
)


class DockerSource:
    """Reads the logs of containers on a Docker engine."""

    def discover(self, name: str, index: int, config: DockerSourceConfig) -> Discovery:
        """List the containers of a docker source (name, state, image, start time)."""
        found = Discovery()
        try:
            with connect(config.host, name) as client:
                rows = _matching(client, config, name, found.warnings)
                attrs = _inspect_all(client, [row["Id"] for row in rows])
        except EngineError as exc:
            found.failures.append(SourceFailure(name, "", exc.reason, exc.hint))
            return found
        params = (("host", config.host), ("streams", tuple(config.streams)))
        for info in attrs:
            if info is None:
                continue  # removed between listing and inspecting: not there any more
            container = info["Name"].removeprefix("/")
            found.origins.append(
                Origin(
                    name,
                    index,
                    "docker",
                    container,
                    info["Id"],
                    detail=describe(info),
                    params=(*params, ("tty", bool(info["Config"].get("Tty")))),
                )
            )
        found.origins.sort(key=lambda origin: origin.name)
        return found

    def read(self, target: Target, query: Query) -> OriginResult:
        """Stream one container's log and return its matching records.

        When the engine fails part-way, the records read so far are kept and
        the failure is reported with them.
        """
        origin = target.origin
        result = OriginResult()
        try:
            with _log_stream(origin, query) as stream:
                try:
                    _records(target, query, stream, result)
                finally:
                    result.bytes_read = stream.count
        except EngineError as exc:
            result.failure = SourceFailure(
                origin.source, origin.name, exc.reason, exc.hint
            )
        return result


def describe(info: dict[str, Any]) -> str:
    """Summarise an inspect result as `running  IMAGE  started TIME` (for `sources`)."""
    state = info["State"]
    status = state.get("Status", "?")
    if status == "exited":
        status = f"exited ({state.get('ExitCode', '?')})"
    started = state.get("StartedAt") or _NEVER_STARTED
    start = "never started" if started.startswith("0001-") else f"started {started}"
    if "." in start:
        start = re.sub(r"\.\d+", "", start)  # whole seconds are enough here
    return f"{status}  {info['Config']['Image']}  {start}"


def container_names(host: str | None) -> list[str] | None:
    """Names of every container (running or exited) on the engine; None if unreachable."""
    try:
        with connect(host, "") as client:
            rows = client.api.containers(all=True)
    except EngineError:
        return None
    return sorted(_name(row) for row in rows)


def _matching(
    client: DockerClient,
    config: DockerSourceConfig,
    name: str,
    warnings_: list[str],
) -> list[dict[str, Any]]:
    """Containers with every label, whose name matches a glob (if any are given)."""
    labels = config.label_filters()
    filters = {"label": labels} if labels else None
    rows: list[dict[str, Any]] = client.api.containers(
        all=config.stopped, filters=filters
    )
    which = "" if config.stopped else "running "
    more = "" if config.stopped else " (add stopped: true to include exited ones)"
    having = f" with labels {', '.join(labels)}" if labels else ""
    where = f" on {engine_url(config.host)}"
    if not config.containers:
        if not rows:
            warnings_.append(f"source {name}: no {which}container{having}{where}{more}")
        return rows
    chosen: dict[str, dict[str, Any]] = {}
    for pattern in config.containers:
        hits = [row for row in rows if fnmatch.fnmatchcase(_name(row), pattern)]
        if not hits:
            warnings_.append(
                f"source {name}: no {which}container{having} matches "
                f"{pattern!r}{where}{more}"
            )
        chosen.update((row["Id"], row) for row in hits)
    return list(chosen.values())


def _name(row: dict[str, Any]) -> str:
    names: list[str] = row.get("Names") or ["/" + row["Id"][:12]]
    return names[0].removeprefix("/")


def _inspect_all(client: DockerClient, ids: list[str]) -> list[dict[str, Any] | None]:
    if not ids:
        return []
    with ThreadPoolExecutor(min(POOL, len(ids))) as pool:
        return list(pool.map(lambda one: _inspect(client, one), ids))


def _inspect(client: DockerClient, container_id: str) -> dict[str, Any] | None:
    import docker.errors  # noqa: PLC0415

    try:
        info: dict[str, Any] = client.api.inspect_container(container_id)
    except docker.errors.NotFound:
        return None
    return info


@contextmanager
def _log_stream(origin: Origin, query: Query) -> Iterator[LogStream]:
    """Open the container's log in the window, each line prefixed by its engine time.

    Raises:
        EngineError: the engine fails, or the container is gone.
    """
    import docker.errors  # noqa: PLC0415
    import requests  # noqa: PLC0415

    streams = origin.param("streams", ("stdout", "stderr"))
    since, until = engine_window(query)
    params: dict[str, Any] = {
        "stdout": int("stdout" in streams),
        "stderr": int("stderr" in streams),
        "timestamps": 1,
        "follow": 0,
        "tail": "all",
    }
    params.update({k: v for k, v in (("since", since), ("until", until)) if v})
    try:
        with connect(origin.param("host"), origin.source) as client:
            api = client.api
            url = f"{api.base_url}/v{api.api_version}/containers/{origin.locator}/logs"
            with api.get(url, params=params, stream=True) as response:
                try:
                    response.raise_for_status()
                except requests.HTTPError as exc:
                    docker.errors.create_api_error_from_http_exception(exc)
                framed = not origin.param("tty", False)
                yield LogStream(response.raw, framed=framed)
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


def _records(
    target: Target, query: Query, stream: LogStream, result: OriginResult
) -> None:
    """Scan a container's log (engine-stamped lines); assemble the matching records."""
    assembler = Assembler(target, Matcher(query))
    needles = Needles.of(query.values, ignore_case=query.ignore_case)
    rule = record_start_rule(target)
    notices: list[ScanNotice] = []
    for hit in scan(stream, needles, lambda line: rule(content(line)), notices):
        engine_time, unstamped = unstamp(hit)
        record = assembler.record(unstamped, fallback_time=engine_time)
        if record is not None:
            result.records.append(record)
    name = target.origin.name
    result.warnings.extend(f"{name}:{n.line}: {n.message}" for n in notices)
    result.warnings.extend(assembler.finish())


def record_start_rule(target: Target) -> Callable[[bytes], bool]:
    """Tell which container log lines start a record.

    `multiline.start` when the source sets it; otherwise every line does except
    the ones that look like the rest of a stack trace (indented frames, blank
    lines, `Traceback (...)`, `Caused by:`, `ValueError: ...`).

    Why not the file rule: a container's plain `print()` lines carry no timestamp
    of their own (the engine adds one), so "no leading timestamp" would glue them
    all into one record.
    """
    start = target.start
    if start is not None:
        return lambda line: start.search(line) is not None
    is_start = target.parser.is_record_start
    return lambda line: is_start(line) or _CONTINUATION.match(line) is None


def content(line: bytes) -> bytes:
    """Strip the engine's `TIMESTAMP ` prefix from a log line.

    A line longer than the engine's message size (16 KiB) is stored in pieces,
    and each piece after the first brings its own stamp into the middle of the
    line; those are removed too.
    """
    space = line.find(b" ", 0, 40)
    if space < 20 or line[4:5] != b"-":
        return line
    body = line[space + 1 :]
    if len(body) <= PIECE_BYTES:
        return body
    pieces, pos = [], 0
    while len(body) - pos > PIECE_BYTES:
        pieces.append(body[pos : pos + PIECE_BYTES])
        pos += PIECE_BYTES
        stamp = _STAMP.match(body, pos)
        if stamp is None:
            break
        pos = stamp.end()
    pieces.append(body[pos:])
    return b"".join(pieces)


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


def unstamp(hit: Hit) -> tuple[int | None, Hit]:
    """Split a hit into the engine's time of its first line and its bare lines."""
    lines = hit.data.split(b"\n")
    head = lines[0]
    space = head.find(b" ", 0, 40)
    time = parse_time(head[:space].decode("ascii", "replace")) if space > 0 else None
    bare = b"\n".join(content(line) for line in lines)
    return time, dataclasses.replace(hit, data=bare)
