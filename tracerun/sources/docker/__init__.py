"""Docker source: containers on a Docker engine, read through the engine's log API.

`source.py` is the type's Source; `engine` (connecting, errors), `dial`
(`ssh://` engines through `ssh`), `select` (which containers), `logs` (one
container's log), `frames` (the response body), `stamps` (the engine's
timestamps) and `tail` (following) are its parts.
"""

from __future__ import annotations

from tracerun.sources.base import AdhocFlag, Source, SourceType


def _load() -> Source:
    from tracerun.sources.docker.source import DockerSource  # noqa: PLC0415 - start-up: the SDK costs ~160 ms

    return DockerSource()


TYPE = SourceType(
    "docker",
    _load,
    AdhocFlag(
        "--docker",
        "GLOB",
        "Also read containers whose name matches (no profile needed).",
        "Containers to describe (a name glob).",
    ),
)
