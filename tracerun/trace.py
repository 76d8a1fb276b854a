"""Trace: command-line options + Profile → Query → Plan → RunResult.

The glue the `trace` command calls; it prints nothing (`sources` uses peek.py).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from tracerun.config.spec import Profile
from tracerun.errors import QueryError
from tracerun.output import BUILTIN, build_formatter
from tracerun.output.base import Formatter
from tracerun.output.color import ColorSetting, use_color
from tracerun.plan import Plan, build_plan
from tracerun.query import Query, check_where, parse_term
from tracerun.runner import RunResult, run
from tracerun.timeparse import parse_bound

FormatterFactory = Callable[[TextIO], Formatter]


def build_query(
    profile: Profile, terms: tuple[str, ...], options: dict[str, Any], now: float
) -> Query:
    """Turn the trace command's terms and options into a Query."""
    now_us = int(now * 1_000_000)
    tz = _zone(profile.timezone)
    since = options.get("since")
    until = options.get("until")
    where = options.get("where")
    if options.get("ids_from"):
        terms = (*terms, *read_terms(options["ids_from"]))
    return Query(
        terms=tuple(dict.fromkeys(parse_term(t) for t in terms)),
        keys=tuple(profile.keys),
        ignore_case=bool(options.get("ignore_case")),
        since=parse_bound(since, now_us, tz) if since else None,
        until=parse_bound(until, now_us, tz) if until else None,
        where=check_where(where) if where else None,
        limit=options.get("limit"),
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
    profile: Profile, terms: tuple[str, ...], options: dict[str, Any], now: float
) -> tuple[RunResult, FormatterFactory]:
    """Run a trace; return its result and a factory for the chosen output."""
    query, plan, factory = prepare_trace(profile, terms, options, now)
    return run(plan, query), factory


def prepare_trace(
    profile: Profile, terms: tuple[str, ...], options: dict[str, Any], now: float
) -> tuple[Query, Plan, FormatterFactory]:
    """Build a trace's query, plan and output factory without reading anything.

    `--follow` (follow.py) drives the same three in its own loop.
    """
    query = build_query(profile, terms, options, now)
    output = _output_config(profile, options.get("output") or "text")
    plan = build_plan(profile, tuple(options.get("source_globs") or ()))
    if not plan.source_names:
        names = ", ".join(profile.sources)
        globs = " ".join(options.get("source_globs") or ())
        msg = f"--source {globs} matches none of the profile's sources"
        raise QueryError(msg, f"sources here: {names}")

    def factory(stream: TextIO) -> Formatter:
        setting: ColorSetting = (
            options.get("color") or getattr(output, "color", None) or "auto"
        )
        color = use_color(setting, stream, os.environ)
        return build_formatter(output, plan.source_names, color=color)

    return query, plan, factory


def _output_config(profile: Profile, name: str) -> Any:
    outputs = {**BUILTIN, **profile.outputs}
    if name in outputs:
        return outputs[name]
    close = difflib.get_close_matches(name, list(outputs), n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    msg = f"unknown output '{name}'"
    raise QueryError(msg, hint + "outputs: " + ", ".join(sorted(outputs)))


def _zone(name: str) -> Any:
    import zoneinfo  # noqa: PLC0415

    return zoneinfo.ZoneInfo(name)
