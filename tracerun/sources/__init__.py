"""Source registry: the profile's `type:` value → that type's package.

One line per type, as pre-commit's `all_languages.py`; each package's
`__init__` only declares the type (name, loader, ad hoc flag), so `tracerun
--help` or a profile of files only never imports the Docker SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracerun.sources import command, docker, file, kubernetes, ssh
from tracerun.sources.base import AdhocFlag, Program, Source, SourceType

if TYPE_CHECKING:
    from tracerun.config.spec import Profile

SOURCES: dict[str, SourceType] = {
    "file": file.TYPE,
    "docker": docker.TYPE,
    "ssh": ssh.TYPE,
    "kubernetes": kubernetes.TYPE,
    "command": command.TYPE,
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


def programs_of(profile: Profile) -> list[tuple[str, Program]]:
    """List the programs a profile's sources run, as (source name, program), in order.

    Why here: each type says what it runs (`SourceType.runs`); the trust check
    asks every source the same way, so a future type that runs something is
    checked without a change outside its package.
    """
    found: list[tuple[str, Program]] = []
    for name, config in profile.sources.items():
        runs = SOURCES[config.type].runs
        if runs is not None:
            found += [(name, program) for program in runs(config)]
    return found
