"""Select: a docker source's selectors → the matching containers, as origins.

Containers are found by name glob (matched on our side: the engine's name
filter is a regular expression), labels or compose project/service, then
inspected for their TTY flag and what `tracerun sources` shows.
"""

from __future__ import annotations

import fnmatch
import re
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from tracerun.config.spec import DockerSourceConfig, Stream
from tracerun.errors import SourceFailure
from tracerun.origin import Origin
from tracerun.plain import plain
from tracerun.sources.base import Discovery
from tracerun.sources.docker.engine import POOL, EngineError, connect, engine_url

if TYPE_CHECKING:
    from docker import DockerClient

_NEVER_STARTED = "0001-01-01T00:00:00Z"


@plain(frozen=True, slots=True)
class ContainerOrigin(Origin):
    """A container: its engine, the output streams read, and whether it has a TTY."""

    host: str | None = None
    streams: tuple[Stream, ...] = ("stdout", "stderr")
    tty: bool = False


def discover(name: str, index: int, config: DockerSourceConfig) -> Discovery:
    """List the containers of a docker source (name, state, image, start time)."""
    found = Discovery()
    try:
        with connect(config.host, name) as client:
            rows = _matching(client, config, name, found.warnings)
            attrs = _inspect_all(client, [row["Id"] for row in rows])
    except EngineError as exc:
        found.failures.append(SourceFailure(name, "", exc.reason, exc.hint))
        return found
    for info in attrs:
        if info is None:
            continue  # removed between listing and inspecting: not there any more
        found.origins.append(
            ContainerOrigin(
                name,
                index,
                "docker",
                info["Name"].removeprefix("/"),
                info["Id"],
                detail=describe(info),
                host=config.host,
                streams=tuple(config.streams),
                tty=bool(info["Config"].get("Tty")),
            )
        )
    found.origins.sort(key=lambda origin: origin.name)
    return found


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
    return sorted(name_of(row) for row in rows)


def name_of(row: dict[str, Any]) -> str:
    """Name a container list row, without the leading `/`."""
    names: list[str] = row.get("Names") or ["/" + row["Id"][:12]]
    return names[0].removeprefix("/")


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
        hits = [row for row in rows if fnmatch.fnmatchcase(name_of(row), pattern)]
        if not hits:
            warnings_.append(
                f"source {name}: no {which}container{having} matches "
                f"{pattern!r}{where}{more}"
            )
        chosen.update((row["Id"], row) for row in hits)
    return list(chosen.values())


def _inspect_all(client: DockerClient, ids: list[str]) -> list[dict[str, Any] | None]:
    if not ids:
        return []
    with ThreadPoolExecutor(min(POOL, len(ids))) as pool:
        return list(pool.map(lambda one: _inspect(client, one), ids))


def _inspect(client: DockerClient, container_id: str) -> dict[str, Any] | None:
    import docker.errors  # noqa: PLC0415 - start-up: the SDK is loaded by connect()

    try:
        info: dict[str, Any] = client.api.inspect_container(container_id)
    except docker.errors.NotFound:
        return None
    return info
