"""The validate command: a profile file → valid, once it loads and every parser sample passes.

Sample mismatches become ConfigIssues located at the sample's `expect` value (or
its `line`), printed like every other profile problem with an expected/got diff.
"""

from __future__ import annotations

import signal
import threading
import zoneinfo
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tracerun.cli.options import debug_option, profile_option
from tracerun.cli.outcome import show_error
from tracerun.config.marks import KeyPath, Marks, located
from tracerun.errors import ConfigIssue, ExitCode, ProfileError, TracerunError
from tracerun.plain import replace

if TYPE_CHECKING:
    from tracerun.config import spec as plain
    from tracerun.config.model import Profile
    from tracerun.extract.samples import SampleMismatch

_HOUR_US = 3_600_000_000
_UNPARSED_HINTS = {
    "json": "a json parser reads lines that hold one JSON object",
    "logfmt": "a logfmt parser needs at least one key=value pair",
    "regex": "the pattern does not match this line",
    "auto": "the line is empty",
}


@click.command("validate")
@click.argument("names", nargs=-1, metavar="[PROFILE]...")
@profile_option
@debug_option
def validate_command(names: tuple[str, ...], profile: str | None) -> int:
    """Check profiles (syntax, keys, regexes, parser samples); say what each holds.

    Profiles are names or files, given with -p or as arguments (as the
    pre-commit hook does); each is checked and all problems are reported.

    \b
    Example:
      tracerun validate -p demo
      tracerun validate profiles/*.yaml
    """
    from tracerun.config.discover import resolve_profile  # noqa: PLC0415 - start-up: not for --help

    failed = False
    targets: list[str | None] = [*([profile] if profile else []), *names]
    for name in targets or [None]:  # None: $TRACERUN_PROFILE
        try:
            path = resolve_profile(name, ad_hoc=False)
            click.echo(summary(path, validate_profile(path)))
        except TracerunError as exc:
            show_error(exc)
            failed = True
    return ExitCode.USAGE if failed else ExitCode.OK


COMMAND = validate_command


def validate_profile(path: Path, env: Mapping[str, str] | None = None) -> Profile:
    """Load a profile and run every parser's samples (`tracerun validate`).

    Args:
        path: The profile file, shown in messages as given.
        env: Variables for `${VAR}`; default `os.environ`.

    Raises:
        ProfileError: Every problem; a failing sample is located at its
            `expect` entry with the expected and extracted values.
    """
    from tracerun.config.loader import load_profile_with_marks  # noqa: PLC0415 - start-up: pydantic
    from tracerun.config.model import to_spec  # noqa: PLC0415 - start-up: pydantic

    profile, marks = load_profile_with_marks(path, env)
    issues = check_samples_of(to_spec(profile), marks)
    if issues:
        raise ProfileError(str(path), issues)
    return profile


def summary(path: Path, profile: Profile) -> str:
    """One line for a valid profile: `profiles/demo.yaml: valid (4 sources, …)`."""
    counts = [
        _count(profile.sources, "source"),
        _count(profile.parsers, "parser"),
        _count(profile.outputs, "output"),
    ]
    return f"{path}: valid ({', '.join(counts)})"


def _count(items: Mapping[str, object], noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


def check_samples_of(profile: plain.Profile, marks: Marks) -> list[ConfigIssue]:
    """Run the samples of every named and inline parser; one issue per mismatch."""
    from tracerun.extract import build_parser  # noqa: PLC0415 - start-up: not for --help
    from tracerun.extract.samples import sample_mismatches  # noqa: PLC0415 - start-up: validate only
    from tracerun.timeparse import zone_table  # noqa: PLC0415 - start-up: not for --help

    issues: list[ConfigIssue] = []
    zones = zone_table(profile.zone_abbreviations)
    for where, spec in _parsers_with_samples(profile):
        parser = build_parser(spec, profile.parsers, zones)
        config = profile.parsers[spec] if isinstance(spec, str) else spec
        seen: set[tuple[int, str | None]] = set()
        try:
            with _time_limit(SAMPLE_SECONDS):
                found = [
                    mismatch
                    for name in _zones_of(profile, where, config)
                    for mismatch in sample_mismatches(
                        parser, config.samples, zoneinfo.ZoneInfo(name)
                    )
                ]
        except _TooSlowError:
            message = f"checking these samples took over {SAMPLE_SECONDS:g} s"
            hint = "a regex with nested repeats such as (a+)+ can backtrack forever"
            issues.append(located(marks, (*where, "samples"), message, hint))
            continue
        for mismatch in found:
            if (mismatch.sample, mismatch.key) not in seen:
                seen.add((mismatch.sample, mismatch.key))
                issues.append(_issue(marks, where, mismatch, config.type))
    return issues


SAMPLE_SECONDS = 2.0
"""Each parser's samples are checked within this long (README "Security").

Why: `validate` runs in a pre-commit hook on pull requests; a profile's regex
that backtracks without end on its own sample line must not hang it.
"""


class _TooSlowError(BaseException):
    """Raised by the alarm; a BaseException so no `except Exception` swallows it."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise _TooSlowError after `seconds` (main thread with SIGALRM only; else no limit)."""
    usable = hasattr(signal, "setitimer") and (
        threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def expire(_signum: int, _frame: object) -> None:
        raise _TooSlowError

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _parsers_with_samples(
    profile: plain.Profile,
) -> Iterator[tuple[KeyPath, str | plain.ParserConfig]]:
    for name, config in profile.parsers.items():
        if config.samples:
            yield ("parsers", name), name
    for name, source in profile.sources.items():
        if not isinstance(source.parser, str) and source.parser.samples:
            yield ("sources", name, "parser"), source.parser


def _zones_of(
    profile: plain.Profile, where: KeyPath, config: plain.ParserConfig
) -> list[str]:
    """Pick the zones for naive sample times: those of the sources that read with it.

    A parser no source uses is checked in its own zone, else the profile's.
    """
    from tracerun.trace.plan import source_zone  # noqa: PLC0415 - start-up: not for --help

    if where[0] == "sources":
        return [source_zone(profile, str(where[1]))]
    users = [n for n, s in profile.sources.items() if s.parser == where[1]]
    zones = dict.fromkeys(source_zone(profile, n) for n in users)
    return list(zones) or [config.timezone or profile.timezone]


def _issue(
    marks: Marks, where: KeyPath, mismatch: SampleMismatch, kind: str
) -> ConfigIssue:
    sample = (*where, "samples", mismatch.sample)
    if mismatch.key is None:
        hint = _UNPARSED_HINTS.get(kind)
        return located(marks, (*sample, "line"), "this line does not parse", hint)
    at = (*sample, "expect", mismatch.key)
    expected, got = f"expected: {mismatch.expected}", f"     got: {mismatch.got}"
    if mismatch.kind == "bad_expect":
        hint = "write an RFC 3339 time, e.g. '2026-03-20T14:10:00Z'"
        return located(marks, at, "not a readable timestamp", hint)
    if mismatch.kind == "unexpected":
        message = "extracted, but expect says it has no value"
        return _with_details(located(marks, at, message), (got,))
    if mismatch.kind == "missing":
        message = f"the parser extracts no {mismatch.key}"
        hint = _missing_hint(mismatch)
        return _with_details(located(marks, at, message, hint), (expected,))
    if mismatch.key == "time":
        got += f" ({mismatch.note})"
    message = "the parser extracts a different value"
    return _with_details(
        located(marks, at, message, _time_hint(mismatch)), (expected, got)
    )


def _missing_hint(mismatch: SampleMismatch) -> str:
    if mismatch.key != "time":
        return f"the parser {mismatch.note}"
    if mismatch.note == "no time field found":
        from tracerun.extract import DEFAULT_TIME_FIELDS  # noqa: PLC0415 - start-up: error path only

        looked = ", ".join(DEFAULT_TIME_FIELDS)
        return f"set time.field to the field holding it (by default: {looked})"
    return f"{mismatch.note}; set time.format to a strptime pattern that reads it"


def _time_hint(mismatch: SampleMismatch) -> str | None:
    """Name the time zone when the two instants are whole hours apart."""
    if mismatch.key != "time":
        return None
    from tracerun.timeparse import parse_time  # noqa: PLC0415 - start-up: error path only

    want, got = parse_time(mismatch.expected), parse_time(mismatch.got)
    if want is None or got is None or (want - got) % _HOUR_US:
        return None
    return (
        f"they are {abs(want - got) // _HOUR_US} h apart: check `timezone` "
        "(naive times are read in it) or the offset in time.format (%z)"
    )


def _with_details(issue: ConfigIssue, details: tuple[str, ...]) -> ConfigIssue:
    return replace(issue, details=details)
