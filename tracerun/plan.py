"""Plan: a frozen Profile plus the source filter → one Scanner per concrete origin.

No log content is read here; discovery lists files or containers only.
"""

from __future__ import annotations

import fnmatch
import re
import zoneinfo
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from tracerun.config.spec import Profile
from tracerun.extract import Parser, build_parser
from tracerun.sources import get_source
from tracerun.sources.base import SourceFailure


@dataclass(frozen=True, slots=True)
class Origin:
    """One concrete place a source reads: a file, a container, a host:path.

    `locator` is what the reader opens (a path, a container id); `name` is what
    the user sees; `params` carries source-specific settings (engine URL, streams).
    """

    source: str
    source_index: int
    kind: str
    name: str
    locator: str
    size: int | None = None
    detail: str = ""
    params: tuple[tuple[str, Any], ...] = ()

    def param(self, key: str, default: Any = None) -> Any:
        """Look up a source-specific setting."""
        return dict(self.params).get(key, default)


@dataclass(frozen=True, slots=True)
class Scanner:
    """An origin with everything needed to read it: parser, record-start rule, zone."""

    origin: Origin
    parser: Parser
    tz: tzinfo
    start: re.Pattern[bytes] | None = None

    def is_start(self, line: bytes) -> bool:
        """Tell whether `line` begins a new record (vs. continuing a multi-line one)."""
        if self.start is not None:
            return self.start.search(line) is not None
        return self.parser.is_record_start(line)


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything a run will read, in profile order."""

    scanners: tuple[Scanner, ...]
    warnings: tuple[str, ...] = ()
    failures: tuple[SourceFailure, ...] = field(default=())
    source_names: tuple[str, ...] = ()


def selected_sources(profile: Profile, patterns: tuple[str, ...]) -> list[str]:
    """Names of the profile's sources matching any `--source` glob (all when none)."""
    names = list(profile.sources)
    if not patterns:
        return names
    return [n for n in names if any(fnmatch.fnmatchcase(n, p) for p in patterns)]


def build_plan(profile: Profile, source_patterns: tuple[str, ...] = ()) -> Plan:
    """Resolve every selected source to its origins and build their scanners."""
    scanners: list[Scanner] = []
    warnings: list[str] = []
    failures: list[SourceFailure] = []
    selected = selected_sources(profile, source_patterns)
    for index, (name, config) in enumerate(profile.sources.items()):
        if name not in selected:
            continue
        found = get_source(config.type).discover(name, index, config)
        warnings.extend(found.warnings)
        failures.extend(found.failures)
        parser = build_parser(config.parser, profile.parsers)
        tz = zoneinfo.ZoneInfo(config.timezone or profile.timezone)
        start = (
            re.compile(config.multiline.start.encode()) if config.multiline else None
        )
        scanners.extend(Scanner(o, parser, tz, start) for o in found.origins)
    return Plan(tuple(scanners), tuple(warnings), tuple(failures), tuple(selected))
