"""Plan: a frozen Profile plus the source filter → one Target per concrete origin.

No log content is read here; discovery lists files or containers only.
"""

from __future__ import annotations

import fnmatch
import re
import zoneinfo
from dataclasses import dataclass, field

from tracerun.config.spec import Profile
from tracerun.errors import SourceFailure
from tracerun.extract import build_parser
from tracerun.read.target import Target
from tracerun.sources import get_source


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything a run will read, in profile order."""

    targets: tuple[Target, ...]
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
    """Resolve every selected source to its origins and build their targets."""
    targets: list[Target] = []
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
        targets.extend(Target(o, parser, tz, start) for o in found.origins)
    return Plan(tuple(targets), tuple(warnings), tuple(failures), tuple(selected))
