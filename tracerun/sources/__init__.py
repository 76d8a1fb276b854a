"""Source registry: the profile's `type:` value → that type's package.

One line per type, as pre-commit's `all_languages.py`; each package's
`__init__` only declares the type (name, loader, ad hoc flag), so `tracerun
--help` or a profile of files only never imports the Docker SDK.
"""

from __future__ import annotations

from tracerun.sources import docker, file, kubernetes, ssh
from tracerun.sources.base import AdhocFlag, Source, SourceType

SOURCES: dict[str, SourceType] = {
    "file": file.TYPE,
    "docker": docker.TYPE,
    "ssh": ssh.TYPE,
    "kubernetes": kubernetes.TYPE,
}

_LOADED: dict[str, Source] = {}


def get_source(kind: str) -> Source:
    """Return the (cached) implementation of source type `kind`."""
    if kind not in _LOADED:
        _LOADED[kind] = SOURCES[kind].load()
    return _LOADED[kind]


def adhoc_flags() -> list[tuple[str, AdhocFlag]]:
    """List the ad hoc flags (`--path`, `--docker`) with their source types, in order."""
    return [(kind, t.flag) for kind, t in SOURCES.items() if t.flag is not None]
