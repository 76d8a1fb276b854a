"""Session: a Profile + the trace options → Query, Plan and output, then a RunResult.

The glue the `trace` command (and follow mode) calls; it prints nothing. The
options arrive as one typed TraceOptions, built by the CLI from its flags.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from tracerun.config.spec import OutputConfig, Profile
from tracerun.errors import QueryError
from tracerun.output import BUILTIN, build_formatter
from tracerun.output.base import Formatter
from tracerun.output.color import ColorSetting, use_color
from tracerun.query import Query, check_where, parse_term
from tracerun.timeparse import parse_bound
from tracerun.trace.plan import Plan, build_plan
from tracerun.trace.runner import RunResult, run

FormatterFactory = Callable[[TextIO], Formatter]


class TraceOptions(NamedTuple):
    """What a trace is asked for, as given on the command line (not yet parsed)."""

    terms: tuple[str, ...] = ()
    ids_from: str | None = None
    source_globs: tuple[str, ...] = ()
    ignore_case: bool = False
    since: str | None = None
    until: str | None = None
    where: str | None = None
    limit: int | None = None
    max_records: int | None = None
    output: str = "text"
    color: ColorSetting | None = None


class Session(NamedTuple):
    """A trace ready to run: what to match, what to read, how to print."""

    query: Query
    plan: Plan
    formatter_for: FormatterFactory


def build_query(profile: Profile, options: TraceOptions, now: float) -> Query:
    """Turn the trace's terms and options into a Query."""
    now_us = int(now * 1_000_000)
    tz = _zone(profile.timezone)
    terms = options.terms
    if options.ids_from:
        terms = (*terms, *read_terms(options.ids_from))
    return Query(
        terms=tuple(dict.fromkeys(parse_term(t) for t in terms)),
        keys=tuple(profile.keys),
        ignore_case=options.ignore_case,
        since=parse_bound(options.since, now_us, tz) if options.since else None,
        until=parse_bound(options.until, now_us, tz) if options.until else None,
        where=check_where(options.where) if options.where else None,
        limit=options.limit,
        max_records=options.max_records,
    )


def read_terms(path: str) -> list[str]:
    """Read the TERMs of an `--ids-from` file: one per line; blanks, `#` comments skipped."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"--ids-from {path}: cannot read it ({exc})"
        raise QueryError(msg, "give a UTF-8 text file with one id per line") from None
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def run_trace(
    profile: Profile, options: TraceOptions, now: float
) -> tuple[RunResult, FormatterFactory]:
    """Run a trace; return its result and a factory for the chosen output."""
    session = prepare(profile, options, now)
    return run(session.plan, session.query), session.formatter_for


def prepare(profile: Profile, options: TraceOptions, now: float) -> Session:
    """Build a trace's query, plan and output factory without reading anything.

    `--follow` (follow/driver.py) drives the same three in its own loop.
    """
    query = build_query(profile, options, now)
    output = _output_config(profile, options.output)
    plan = build_plan(profile, options.source_globs)
    if not plan.source_names:
        names = ", ".join(profile.sources)
        msg = f"--source {' '.join(options.source_globs)} matches none of the profile's sources"
        raise QueryError(msg, f"sources here: {names}")

    def factory(stream: TextIO) -> Formatter:
        setting: ColorSetting = (
            options.color or getattr(output, "color", None) or "auto"
        )
        color = use_color(setting, stream, os.environ)
        return build_formatter(output, plan.source_names, color=color)

    return Session(query, plan, factory)


def _output_config(profile: Profile, name: str) -> OutputConfig:
    outputs = {**BUILTIN, **profile.outputs}
    if name in outputs:
        return outputs[name]
    close = difflib.get_close_matches(name, list(outputs), n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    msg = f"unknown output '{name}'"
    raise QueryError(msg, hint + "outputs: " + ", ".join(sorted(outputs)))


def _zone(name: str) -> Any:
    import zoneinfo  # noqa: PLC0415 - start-up: ~2 ms, only for a trace

    return zoneinfo.ZoneInfo(name)
