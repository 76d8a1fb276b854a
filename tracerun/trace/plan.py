"""Plan: a frozen Profile plus the source filter → one Target per concrete origin.

No log content is read here; discovery lists files or containers only.
"""

from __future__ import annotations

import fnmatch
import re

from tracerun.config.spec import Profile
from tracerun.errors import SourceFailure
from tracerun.extract import build_parser
from tracerun.origin import Origin
from tracerun.plain import field, plain, replace
from tracerun.read.target import Target
from tracerun.sources import get_source
from tracerun.timeparse import named_zone, zone_table


@plain(frozen=True)
class Plan:
    """Everything a run will read, in profile order."""

    targets: tuple[Target, ...]
    warnings: tuple[str, ...] = ()
    failures: tuple[SourceFailure, ...] = field(default=())
    source_names: tuple[str, ...] = ()
    templates: dict[str, Target] = field(default_factory=dict)
    """Each selected source's target before origins (follow starts feeds from them)."""


def selected_sources(profile: Profile, patterns: tuple[str, ...]) -> list[str]:
    """Names of the profile's sources matching any `--source` glob (all when none)."""
    names = list(profile.sources)
    if not patterns:
        return names
    return [n for n in names if any(fnmatch.fnmatchcase(n, p) for p in patterns)]


def build_plan(profile: Profile, source_patterns: tuple[str, ...] = ()) -> Plan:
    """Resolve every selected source to its origins and build their targets."""
    targets: list[Target] = []
    templates: dict[str, Target] = {}
    warnings: list[str] = []
    failures: list[SourceFailure] = []
    selected = selected_sources(profile, source_patterns)
    chosen = set(selected)  # ten thousand ad hoc sources are common
    for index, (name, config) in enumerate(profile.sources.items()):
        if name not in chosen:
            continue
        found = get_source(config.type).discover(name, index, config)
        warnings.extend(found.warnings)
        failures.extend(found.failures)
        template = source_target(profile, name, index)
        templates[name] = template
        targets.extend(replace(template, origin=o) for o in found.origins)
    return Plan(
        tuple(targets), tuple(warnings), tuple(failures), tuple(selected), templates
    )


def source_target(profile: Profile, name: str, index: int) -> Target:
    """Build a source's target before it has an origin (its files may appear later).

    Its origin names the source; the parser, zone and record-start rule are the
    source's, shared by every origin found for it.
    """
    config = profile.sources[name]
    start = re.compile(config.multiline.start.encode()) if config.multiline else None
    zones = (
        zone_table(profile.zone_abbreviations) if profile.zone_abbreviations else None
    )
    parser = build_parser(config.parser, profile.parsers, zones)
    return Target(
        Origin(name, index, config.type, name, name),
        parser,
        named_zone(source_zone(profile, name)),
        start,
    )


def source_zone(profile: Profile, name: str) -> str:
    """Name the zone of a source's naive timestamps: its own, its parser's, the profile's."""
    config = profile.sources[name]
    parser = config.parser
    if isinstance(parser, str):
        named = profile.parsers.get(parser)
        parser_zone = named.timezone if named is not None else None
    else:
        parser_zone = parser.timezone
    return config.timezone or parser_zone or profile.timezone
