"""Ad hoc sources: `--path` arguments → file sources named after their files.

`./logs/orders.log` and `./logs/orders.log.1.gz` become one source `orders`.
"""

from __future__ import annotations

import re
from pathlib import Path

from tracerun.config.model import FileSourceConfig, Profile, SourceConfig
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
    return {
        name: FileSourceConfig(type="file", paths=paths)
        for name, paths in grouped.items()
    }


def with_adhoc(profile: Profile | None, patterns: tuple[str, ...]) -> Profile:
    """Add `--path` sources to a profile, or make a profile of them alone."""
    extra = adhoc_sources(patterns)
    if profile is None:
        return Profile(version=1, sources=extra)
    sources = dict(profile.sources)
    for name, config in extra.items():
        sources[name if name not in sources else f"{name}-path"] = config
    return profile.model_copy(update={"sources": sources})
