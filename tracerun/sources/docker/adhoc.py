"""Ad hoc containers: `--docker` globs → one docker source per container (trace, init)."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Sequence
from typing import Any

from tracerun.config.spec import DockerSourceConfig
from tracerun.errors import TracerunError
from tracerun.plain import plain
from tracerun.sources.base import Family
from tracerun.sources.docker.engine import EngineError, connect
from tracerun.sources.docker.logs import log_head
from tracerun.sources.docker.select import container_names, name_of

HEAD_LINES = 50
"""How many lines of a container's log `init` looks at."""
_HEAD_BYTES = 64 * 1024


@plain(slots=True, eq=False)
class AdhocContainers:
    """The docker sources one `--docker` flag made (one per container it matched).

    While following, the first of them also watches the flag's globs: a
    container started later gets a source of its own, named after it, as a
    one-shot run would name it (tail.py).

    Attributes:
        values: the flag's globs, as typed.
        names: the containers that have a source of their own.
        first: the source that watches for new containers.
        taken: names a new container's source may not have (it gets `-docker`).
    """

    values: tuple[str, ...]
    names: frozenset[str]
    first: str
    taken: frozenset[str]

    def source_name(self, container: str) -> str:
        """Name the source of a container started later."""
        return container if container not in self.taken else f"{container}-docker"


@plain(frozen=True, slots=True, kw_only=True)
class AdhocDockerSourceConfig(DockerSourceConfig):
    """A docker source made from `--docker` values rather than read from a profile."""

    group: AdhocContainers | None = None


def adhoc_sources(
    patterns: Sequence[str], taken: frozenset[str] = frozenset()
) -> dict[str, DockerSourceConfig]:
    """One docker source per container (running or exited) matching a `--docker` glob.

    Each source is named after its container (`-docker` after a name in
    `taken`). A pattern that matches nothing, or an engine that does not
    answer, leaves the pattern as its own source, so that the run reports the
    warning or the failure instead of staying silent.
    """
    names = container_names(None) if patterns else []
    chosen: dict[str, str] = {}  # source name → container name or pattern
    for pattern in patterns:
        hits = [n for n in names or [] if fnmatch.fnmatchcase(n, pattern)]
        for name in hits or [pattern]:
            free = name if name not in taken else f"{name}-docker"
            chosen.setdefault(free, name)
    if not chosen:
        return {}
    group = AdhocContainers(
        tuple(patterns), frozenset(chosen.values()), next(iter(chosen)), taken
    )
    return {
        source: AdhocDockerSourceConfig(containers=[name], stopped=True, group=group)
        for source, name in chosen.items()
    }


def families(patterns: Sequence[str]) -> list[Family]:
    """One family per `--docker` name glob, from its first container's log.

    Raises:
        TracerunError: The engine cannot be reached, or a glob matches nothing.
    """
    try:
        with connect(None, "--docker") as client:
            rows = client.api.containers(all=True)
            return [_family(client, rows, pattern) for pattern in patterns]
    except EngineError as exc:
        raise TracerunError(exc.reason, _engine_hint(exc)) from None


def _engine_hint(exc: EngineError) -> str:
    """Reword the engine's hint for `init`, which has no `sources.NAME.host` yet."""
    if exc.reason.startswith("permission denied"):
        return str(exc.hint)
    host = os.environ.get("DOCKER_HOST") or "unset, so the default socket was tried"
    return f"is the engine running? DOCKER_HOST is {host}; try: docker info"


def _family(client: Any, rows: list[dict[str, Any]], pattern: str) -> Family:
    found = sorted(
        (name_of(row), row)
        for row in rows
        if any(fnmatch.fnmatchcase(n.lstrip("/"), pattern) for n in row["Names"])
    )
    if not found:
        msg = f"--docker {pattern} matches no container"
        raise TracerunError(msg, "`docker ps -a` lists the containers and their names")
    head = b"\n".join(log_head(client, found[0][1]["Id"], HEAD_LINES, _HEAD_BYTES))
    lines = tuple(head.decode("utf-8", "replace").splitlines())
    name = re.sub(r"[^\w.-]+", "-", pattern).strip("-_.") or "docker"
    stopped = any(row.get("State") != "running" for _, row in found)
    settings = (("stopped", "true", "some have exited"),) if stopped else ()
    return Family(name, "docker", "containers", pattern, lines, settings)
