"""Trace: command-line options + Profile → Query → Plan → RunResult, and plan listings.

The glue the `trace`, `validate` and `sources` commands call; it prints nothing.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from tracerun.config.model import Profile
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
    return Query(
        terms=tuple(parse_term(t) for t in terms),
        keys=tuple(profile.keys),
        ignore_case=bool(options.get("ignore_case")),
        since=parse_bound(since, now_us, tz) if since else None,
        until=parse_bound(until, now_us, tz) if until else None,
        where=check_where(where) if where else None,
        limit=options.get("limit"),
    )


def run_trace(
    profile: Profile, terms: tuple[str, ...], options: dict[str, Any], now: float
) -> tuple[RunResult, FormatterFactory]:
    """Run a trace; return its result and a factory for the chosen output."""
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

    return run(plan, query), factory


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


def describe_plan(profile: Profile, plan: Plan) -> Iterator[str]:
    """Lines for `tracerun sources`: each source, its parser, its origins with sizes."""
    by_source: dict[str, list[str]] = {name: [] for name in plan.source_names}
    for scanner in plan.scanners:
        origin = scanner.origin
        size = _human_size(origin.size) if origin.size is not None else "?"
        detail = f"  {origin.detail}" if origin.detail else ""
        by_source[origin.source].append(f"  {origin.name}  {size}{detail}")
    for name, lines in by_source.items():
        config = profile.sources[name]
        parser = config.parser if isinstance(config.parser, str) else config.parser.type
        yield f"{name} ({config.type}, parser {parser}): {len(lines)} origin(s)"
        yield from lines or ["  (nothing found)"]


def _human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"  # pragma: no cover - unreachable
