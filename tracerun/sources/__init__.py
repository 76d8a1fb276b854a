"""Source registry: the profile's `type:` value → a factory for that source type.

Factories import their module on first use, so `tracerun --help` or a profile of
files only never imports the Docker SDK.
"""

from __future__ import annotations

from collections.abc import Callable

from tracerun.sources.base import Source


def _file() -> Source:
    from tracerun.sources.files import FileSource  # noqa: PLC0415

    return FileSource()


def _docker() -> Source:
    from tracerun.sources.docker import DockerSource  # noqa: PLC0415

    return DockerSource()


SOURCES: dict[str, Callable[[], Source]] = {
    "file": _file,
    "docker": _docker,
}

_CACHE: dict[str, Source] = {}


def get_source(kind: str) -> Source:
    """Return the (cached) source implementation registered for `kind`."""
    if kind not in _CACHE:
        _CACHE[kind] = SOURCES[kind]()
    return _CACHE[kind]
