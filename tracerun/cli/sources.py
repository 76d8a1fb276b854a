"""The sources command: a Plan → what each source resolves to, read cheaply.

Per origin: its size and time coverage (first and last timestamp, as its source
type reads them cheaply); with `--check` the share of each origin's first lines
that parse and carry a timestamp.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from tracerun.cli.options import (
    adhoc_options,
    adhoc_values,
    debug_option,
    profile_option,
)
from tracerun.cli.outcome import print_problems
from tracerun.errors import ExitCode, SourceFailure, mask
from tracerun.plain import field, plain
from tracerun.sources import SOURCES, get_source
from tracerun.sources.base import ReadError

if TYPE_CHECKING:
    from tracerun.cli.adhoc import Loaded
    from tracerun.config.spec import Profile
    from tracerun.read.target import Target
    from tracerun.trace.plan import Plan

CHECK_LINES = 1000
"""How many lines of each origin's head `--check` parses."""
_LOW_SHARE = 0.5
UNREADABLE = "cannot be read (see below)"
"""What a row or sample says of an origin whose failure is listed on stderr."""


@plain(frozen=True, slots=True)
class Sample:
    """What `--check` found in the head of one origin.

    Attributes:
        lines: non-blank lines read.
        records: lines that start a record (the others continue one).
        parsed: records the parser read.
        timed: parsed records with a readable timestamp.
    """

    lines: int
    records: int
    parsed: int
    timed: int
    engine_time: bool = False
    """The engine's time stands in for a line without its own (containers)."""


@plain(slots=True)
class Listing:
    """The lines `tracerun sources` prints; warnings and failures for stderr."""

    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failures: list[SourceFailure] = field(default_factory=list)
    """Origins that could not be read, each once (as a trace would report it)."""


def describe_sources(
    profile: Profile, plan: Plan, *, check: bool = False, trust: str | None = None
) -> Listing:
    """List each source with its parser and origins: size, time coverage, sample.

    Args:
        profile: The profile the plan was built from (for source types, parsers).
        plan: The resolved origins.
        check: Also parse a sample of each file's first lines and report shares.
        trust: Whether the profile may run its programs (cli/trust.py), shown
            on each source that runs one.

    Returns:
        The lines to print, a warning per origin whose sample mostly fails, and
        a failure per origin that cannot be read.
    """
    listing = Listing()
    by_source: dict[str, list[Target]] = {name: [] for name in plan.source_names}
    for target in plan.targets:
        by_source[target.origin.source].append(target)
    for name, targets in by_source.items():
        config = profile.sources[name]
        parser = config.parser if isinstance(config.parser, str) else config.parser.type
        count = f"{len(targets)} origin{'' if len(targets) == 1 else 's'}"
        if trust is not None and SOURCES[config.type].runs is not None:
            count += f", {trust}"
        listing.lines.append(f"{name} ({config.type}, parser {parser}): {count}")
        listing.lines.extend(_origin_lines(targets, listing, check=check))
        if not targets:
            listing.lines.append("  (nothing found)")
    return listing


def _origin_lines(
    targets: list[Target], listing: Listing, *, check: bool
) -> Iterator[str]:
    failed = len(listing.failures)
    rows = [_row(target, listing) for target in targets]
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(2)]
    unreadable = {f.origin for f in listing.failures[failed:]}
    for target, (origin, size, rest) in zip(targets, rows, strict=True):
        head = f"  {origin.ljust(widths[0])}  {size.rjust(widths[1])}"
        yield f"{head}  {rest}".rstrip()
        if check and origin not in unreadable:
            sample = _check(target, listing)
            if sample is not None:
                yield f"    sample: {sample}"


def _row(target: Target, listing: Listing) -> tuple[str, str, str]:
    origin = target.origin
    size = human_size(origin.size) if origin.size is not None else "?"
    extra = [origin.detail] if origin.detail else []
    try:
        coverage = get_source(origin.kind).coverage(target)
    except ReadError as exc:
        listing.failures.append(_failure(target, exc))
        extra.append(UNREADABLE)
    else:
        if coverage is not None:
            extra.append(_coverage_text(coverage))
    return origin.name, size, "  ".join(extra)


def _failure(target: Target, exc: ReadError) -> SourceFailure:
    origin = target.origin
    return SourceFailure(origin.source, origin.name, exc.reason, exc.hint)


def _coverage_text(coverage: tuple[int | None, int | None]) -> str:
    from tracerun.timeparse import format_utc_ms  # noqa: PLC0415 - start-up: not for --help

    if coverage == (None, None):
        return "no timestamp found"
    shown = [format_utc_ms(t) if t is not None else "?" for t in coverage]
    return " → ".join(shown)


def sample_origin(target: Target) -> Sample | None:
    """Parse the first CHECK_LINES lines of an origin and count what parsed.

    None when the origin's source type cannot be sampled.
    """
    sampled = get_source(target.origin.kind).sample(target, CHECK_LINES)
    if sampled is None:
        return None
    records = parsed = timed = 0
    for line in sampled.lines:
        if not sampled.is_start(line):
            continue
        records += 1
        result = target.parser.parse(line.decode("utf-8", "replace"), target.tz)
        parsed += result is not None
        timed += result is not None and result.time is not None
    return Sample(len(sampled.lines), records, parsed, timed, sampled.stand_in_time)


def _check(target: Target, listing: Listing) -> str | None:
    """Sample one origin; note a warning when most of it does not parse."""
    origin = target.origin
    try:
        sample = sample_origin(target)
    except ReadError as exc:
        listing.failures.append(_failure(target, exc))
        return UNREADABLE
    except (OSError, EOFError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        return f"cannot read: {reason}"
    if sample is None:
        return None
    warning = _sample_warning(sample)
    if warning:
        listing.warnings.append(f"source {origin.source}: {origin.name}: {warning}")
    offset = get_source(origin.kind).local_offset(target)
    if offset is not None:
        from tracerun.extract.clock import zone_warning  # noqa: PLC0415 - start-up: --check only

        zone = str(target.tz)
        listing.warnings.append(
            f"source {origin.source}: {origin.name}: {zone_warning(offset, zone)}"
        )
    return _sample_text(sample)


def _sample_text(sample: Sample) -> str:
    if not sample.lines:
        return "empty"
    if not sample.records:
        lines = f"{sample.lines} line{'' if sample.lines == 1 else 's'}"
        return f"{lines}, none starts a record"
    rest = sample.lines - sample.records
    more = f" (+{rest} continuation line{'' if rest == 1 else 's'})" if rest else ""
    stand_in = " (the engine's for the rest)" if sample.engine_time else ""
    return (
        f"{sample.records} record{'' if sample.records == 1 else 's'}{more}: "
        f"{_share(sample.parsed, sample.records)} "
        f"parsed, {_share(sample.timed, sample.records)} with a timestamp{stand_in}"
    )


def _sample_warning(sample: Sample) -> str | None:
    if not sample.lines:
        return None
    if sample.records == 0 or sample.parsed < sample.records * _LOW_SHARE:
        return (
            f"only {sample.parsed} of {sample.records or sample.lines} sampled "
            f"{'records' if sample.records else 'lines'} parsed; "
            "is this source's parser right for its lines?"
        )
    if sample.timed < sample.records * _LOW_SHARE and not sample.engine_time:
        return (
            f"only {sample.timed} of {sample.records} sampled records have a "
            "readable timestamp; set the parser's time.field / time.format"
        )
    return None


def _share(part: int, whole: int) -> str:
    return f"{part} ({100 * part // whole}%)"


def human_size(size: int) -> str:
    """Format a byte count as `812 B`, `3.4 KB`, `1.2 GB`."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"  # pragma: no cover - unreachable


@click.command("sources")
@profile_option
@adhoc_options()
@click.option(
    "--check", is_flag=True, help="Also parse a sample of each origin's lines."
)
@debug_option
def sources_command(profile: str | None, check: bool, **flags: tuple[str, ...]) -> int:
    """Show each source's files: size, first and last timestamp, parser.

    Reads only a few KiB at each file's start and end; --check also parses the
    first lines of each file and tells how many parsed and had a timestamp.

    \b
    Example:
      tracerun sources -p demo
      tracerun sources -p demo --check
    """
    from tracerun.cli.adhoc import load_run_profile  # noqa: PLC0415 - start-up: not for --help
    from tracerun.trace.plan import build_plan  # noqa: PLC0415 - start-up: not for --help

    loaded = load_run_profile(profile, adhoc_values(flags))
    trust = _trust(loaded)
    plan = build_plan(loaded.profile)
    listing = describe_sources(loaded.profile, plan, check=check, trust=trust)
    for line in listing.lines:
        click.echo(mask(line))  # an origin built from an expanded ${VAR} path
    if trust is not None and not trust.startswith("trusted"):
        given = shlex.quote(loaded.given or str(loaded.path))
        listing.warnings.append(
            f"this profile runs programs ({trust}): a trace stops until "
            f"you check them and run: tracerun trust -p {given}"
        )
    failures = [*plan.failures, *listing.failures]
    print_problems([*plan.warnings, *listing.warnings], failures)
    return ExitCode.SOURCE_FAILED if failures else ExitCode.OK


COMMAND = sources_command


def _trust(loaded: Loaded) -> str | None:
    """Whether the profile may run its programs (None: it runs none, or ad hoc)."""
    if loaded.path is None:
        return None
    from tracerun.cli.trust import trust_state  # noqa: PLC0415 - start-up: not for --help

    return trust_state(loaded.path, loaded.profile, loaded.texts, os.environ)
