"""Ad hoc sources: `--path` / `--docker` arguments → sources named after what they find.

`./logs/orders.log` and `./logs/orders.log.1.gz` become one file source `orders`;
`--docker 'shop-*'` becomes one docker source per matching container.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from pathlib import Path

from tracerun.config.spec import (
    DockerSourceConfig,
    FileSourceConfig,
    Profile,
    SourceConfig,
)
from tracerun.sources.files import expand_paths

_ROTATION = re.compile(r"(\.(gz|zst|\d+))+$")
_LOG_SUFFIX = re.compile(r"\.log$")


def source_name(path: Path) -> str:
    """Name a file's source: its file name without `.log` and rotation suffixes."""
    stem = _LOG_SUFFIX.sub("", _ROTATION.sub("", path.name))
    return stem or path.name


def adhoc_sources(patterns: tuple[str, ...]) -> dict[str, SourceConfig]:
    """Group the files behind `--path` patterns into one file source per name.

    A pattern that matches no file is kept as its own source, so that the run
    reports it instead of silently ignoring it.
    """
    files, empty = expand_paths(list(patterns))
    grouped: dict[str, list[str]] = {}
    for path in files:
        grouped.setdefault(source_name(path), []).append(str(path))
    for pattern in empty:
        grouped.setdefault(source_name(Path(pattern)), []).append(pattern)
    return {name: FileSourceConfig(paths=paths) for name, paths in grouped.items()}


def adhoc_docker_sources(patterns: tuple[str, ...]) -> dict[str, SourceConfig]:
    """One docker source per container (running or exited) matching a `--docker` glob.

    Each source is named after its container. A pattern that matches nothing, or
    an engine that does not answer, leaves the pattern as its own source, so that
    the run reports the warning or the failure instead of staying silent.
    """
    from tracerun.sources.docker import container_names  # noqa: PLC0415 - SDK

    names = container_names(None) if patterns else []
    found: dict[str, SourceConfig] = {}
    for pattern in patterns:
        hits = [n for n in names or [] if fnmatch.fnmatchcase(n, pattern)]
        for name in hits or [pattern]:
            found.setdefault(name, DockerSourceConfig(containers=[name], stopped=True))
    return found


def with_adhoc(
    profile: Profile | None,
    patterns: tuple[str, ...],
    containers: tuple[str, ...] = (),
) -> Profile:
    """Add `--path` and `--docker` sources to a profile, or make a profile of them."""
    extra = [(adhoc_sources(patterns), "path")]
    if containers:
        extra.append((adhoc_docker_sources(containers), "docker"))
    sources = dict(profile.sources) if profile is not None else {}
    for found, kind in extra:
        for name, config in found.items():
            sources[name if name not in sources else f"{name}-{kind}"] = config
    if profile is None:
        return Profile(sources=sources)
    return dataclasses.replace(profile, sources=sources)
