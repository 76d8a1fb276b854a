"""Session: a Profile + the trace options → Query, Plan and output, then a RunResult.

The glue the `trace` command (and follow mode) calls; it prints nothing. The
options arrive as one typed TraceOptions, built by the CLI from its flags.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from tracerun import __version__
from tracerun.config.spec import OutputConfig, Profile, TextOutputConfig
from tracerun.errors import QueryError, cut, quoted
from tracerun.output import BUILTIN, build_formatter
from tracerun.output.base import Formatter, RunInfo, ascii_only, terminal_width
from tracerun.output.color import ColorSetting, use_color
from tracerun.plain import plain
from tracerun.query import Query, Term, check_where, parse_term
from tracerun.timeparse import named_zone, parse_bound, parse_duration
from tracerun.trace.plan import Plan, build_plan
from tracerun.trace.runner import RunResult, run

if TYPE_CHECKING:
    from tracerun.trace.expand import ExpandSettings, Expansion


class FormatterFactory(Protocol):
    """Builds the trace's formatter for a stream (colour and width are the stream's)."""

    def __call__(self, stream: TextIO, output: str | None = None) -> Formatter:
        """Build the formatter of the chosen output, or of the output named `output`."""
        ...


@plain(frozen=True, slots=True)
class TraceOptions:
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
    host_timeout: str | None = None
    output: str = "text"
    color: ColorSetting | None = None
    profile: str = ""
    command: str = ""
    summary: bool = False
    before: int = 0
    after: int = 0
    expand: bool | None = None
    """--expand/--no-expand; None: the profile's `expand`."""
    max_depth: int = 3
    max_ids: int = 200
    max_fanout: int = 100
    margin: str | None = None
    auto_window: bool | None = None
    """--auto-window/--no-auto-window; None: on when expanding."""
    strict_hops: bool = False


@plain(frozen=True, slots=True)
class Session:
    """A trace ready to run: what to match, what to read, how to print.

    `notes` are warnings about the query itself (the window used, when a
    bound was given without an offset); they lead the run's warnings.
    """

    query: Query
    plan: Plan
    formatter_for: FormatterFactory
    notes: tuple[str, ...] = ()


def build_query(profile: Profile, options: TraceOptions, now: float) -> Query:
    """Turn the trace's terms and options into a Query.

    Raises:
        QueryError: a term, bound or --where that cannot be read, or --until
            before --since.
    """
    now_us = int(now * 1_000_000)
    tz = _zone(profile.timezone)
    terms = [_term(text) for text in options.terms]
    if options.ids_from:
        terms += read_terms(options.ids_from)
    since = _bound(options.since, now_us, tz, "--since")
    until = _bound(options.until, now_us, tz, "--until")
    query = Query(
        terms=tuple(dict.fromkeys(terms)),
        keys=tuple(profile.keys),
        ignore_case=options.ignore_case,
        since=since,
        until=until,
        where=check_where(options.where) if options.where else None,
        limit=options.limit,
        max_records=options.max_records,
        before=options.before,
        after=options.after,
        timeout=_host_timeout(options.host_timeout),
        lines=_lines_shown(profile, options),
    )
    if (
        query.since is not None
        and query.until is not None
        and query.until < query.since
    ):
        until_, since_ = quoted(options.until), quoted(options.since)
        msg = (
            f"--until {until_} is before --since {since_}: "
            f"the window {query.window()} is empty"
        )
        hint = f"swap them: --since {until_} --until {since_}"
        raise QueryError(msg, hint)
    return query


def _lines_shown(profile: Profile, options: TraceOptions) -> bool:
    """Tell whether anything may show a record's line number (issue #18).

    Only the text output never does, with no `--where` (it can test `line`),
    no summary, no expansion and no `expect:` hops (they name records' lines in
    warnings); then plain files' lines are counted only for the warnings.
    """
    if profile.expect or options.where or options.summary or options.auto_window:
        return True
    if wants_expand(profile, options):
        return True
    return not isinstance(_output_config(profile, options.output), TextOutputConfig)


def window_notes(
    profile: Profile, options: TraceOptions, query: Query, now: float
) -> tuple[str, ...]:
    """Say which window is used when --since/--until was given without an offset.

    Why: a naive bound is read in the profile's timezone while every time
    printed is UTC; one line in UTC shows what the trace really covers.
    """
    now_us = int(now * 1_000_000)
    naive = [
        f"{flag} {text!r}"
        for flag, text in (("--since", options.since), ("--until", options.until))
        if text and _is_naive(text, now_us)
    ]
    if not naive:
        return ()
    which = " and ".join(naive)
    verb = "have" if len(naive) > 1 else "has"
    was = "were" if len(naive) > 1 else "was"
    zone = profile.timezone
    read = "as UTC" if zone == "UTC" else f"in {zone}, the profile's timezone"
    return (
        f"window {query.window()}: {which} {verb} no UTC offset and {was} read {read}",
    )


def _bound(text: str | None, now_us: int, tz: Any, option: str) -> int | None:
    return None if not text else parse_bound(text, now_us, tz, option)


def _host_timeout(text: str | None) -> float:
    return 30.0 if text is None else parse_duration(text, "--host-timeout")


def read_terms(path: str) -> list[Term]:
    """Read the TERMs of an `--ids-from` file: one per line; blanks, `#` comments skipped.

    A UTF-8 BOM before the first line (Notepad, PowerShell) is no part of its
    id; a term that cannot be searched is named with its line.
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"--ids-from {path}: cannot read it ({exc})"
        raise QueryError(msg, "give a UTF-8 text file with one id per line") from None
    terms = []
    for number, line in enumerate(text.splitlines(), 1):
        if not (value := line.strip()) or value.startswith("#"):
            continue
        try:
            terms.append(parse_term(value))
        except QueryError as exc:
            where = f"--ids-from {path}:{number}: "
            raise QueryError(where + exc.message, exc.hint) from None
    return terms


def _term(text: str) -> Term:
    """Read a TERM of the command line; one that is not UTF-8 text is a usage error.

    Why: the shell hands bytes that are not UTF-8 (a paste from a Latin-1
    terminal) to Python as lone surrogates, which no log's text can equal and
    no needle can be made of. UTF-8 bytes under a locale that is not
    (`LC_ALL=C PYTHONUTF8=0`) arrive so too: those are read as UTF-8.
    """
    if not text.isascii():
        try:
            text.encode()
        except UnicodeEncodeError:
            text = _as_utf8(text)
    return parse_term(text)


def _as_utf8(text: str) -> str:
    """Read the bytes a term arrived as (surrogate-escaped) as UTF-8, or say it is not."""
    try:
        return os.fsencode(text).decode()
    except UnicodeError:
        msg = f"search term {quoted(text)} is not UTF-8 text"
        hint = (
            "logs are read as UTF-8: give the id as UTF-8 "
            "(check LANG and the terminal's encoding)"
        )
        raise QueryError(msg, hint) from None


def run_trace(
    profile: Profile, options: TraceOptions, now: float
) -> tuple[RunResult, FormatterFactory]:
    """Run a trace; return its result and a factory for the chosen output.

    The session's notes lead the warnings; when nothing matched, `why` says why.
    """
    session = prepare(profile, options, now)
    expanding = wants_expand(profile, options)
    if expanding or options.auto_window:
        from tracerun.trace.expand import run_expanded  # noqa: PLC0415 - start-up: only with --expand

        settings = expand_settings(options, expanding=expanding)
        result, expansion = run_expanded(session.plan, session.query, profile, settings)
        result.report += _expansion_report(expansion, settings)
        result.window = expansion.window or (session.query.since, session.query.until)
    else:
        result = run(session.plan, session.query)
        result.window = (session.query.since, session.query.until)
    result.warnings[:0] = session.notes
    if not result.timeline.matched():
        from tracerun.trace.explain import explain  # noqa: PLC0415 - start-up: only when nothing matched

        result.why = explain(result, session.query)
    elif not expanding and any(tally.held.count for _, tally in result.tallies):
        from tracerun.trace.explain import held_elsewhere  # noqa: PLC0415 - start-up: only when a field held an id

        result.report += held_elsewhere(result, session.query)
    return result, session.formatter_for


def wants_expand(profile: Profile, options: TraceOptions) -> bool:
    """Tell whether ids are followed: --expand/--no-expand, else the profile's `expand`."""
    return profile.expand if options.expand is None else options.expand


def expand_settings(options: TraceOptions, *, expanding: bool) -> ExpandSettings:
    """Read the expansion's limits and the automatic window's margin."""
    from tracerun.trace.expand import MARGIN_US, ExpandSettings  # noqa: PLC0415 - start-up: only with --expand

    margin = MARGIN_US
    if options.margin is not None:
        margin = int(parse_duration(options.margin, "--margin", None) * 1_000_000)
    auto = expanding if options.auto_window is None else options.auto_window
    return ExpandSettings(
        expand=expanding,
        max_depth=options.max_depth,
        max_ids=options.max_ids,
        max_fanout=options.max_fanout,
        margin=margin,
        auto_window=auto,
    )


def _expansion_report(expansion: Expansion, settings: ExpandSettings) -> list[str]:
    """Say on stderr what an expanded trace did: window, limits, the id graph."""
    from tracerun.output.idgraph import render_graph  # noqa: PLC0415 - start-up: only with --expand
    from tracerun.trace.expand import window_text  # noqa: PLC0415 - loaded with run_expanded

    lines = []
    if expansion.window is not None:
        lines.append(f"tracerun: {window_text(expansion.window, settings.margin)}")
    lines += [f"tracerun: {note}" for note in expansion.notes]
    if settings.expand:
        lines += render_graph(expansion.nodes, expansion.passes).splitlines()
    return lines


def prepare(profile: Profile, options: TraceOptions, now: float) -> Session:
    """Build a trace's query, plan and output factory without reading anything.

    `--follow` (follow/driver.py) drives the same three in its own loop.
    """
    query = build_query(profile, options, now)
    chosen = _output_config(profile, options.output)
    plan = build_plan(profile, options.source_globs)
    if not plan.source_names:
        names = ", ".join(profile.sources)
        globs = cut(" ".join(options.source_globs))
        msg = f"--source {globs} matches none of the profile's sources"
        raise QueryError(msg, f"sources here: {names}")

    def factory(stream: TextIO, output: str | None = None) -> Formatter:
        config = chosen if output is None else _output_config(profile, output)
        setting: ColorSetting = (
            options.color or getattr(config, "color", None) or "auto"
        )
        color = use_color(setting, stream, os.environ)
        width = terminal_width(stream)
        return build_formatter(
            config,
            plan.source_names,
            color=color,
            info=info,
            width=width,
            ascii=ascii_only(stream),
        )

    info = run_info(options, query, expanded=wants_expand(profile, options))
    return Session(query, plan, factory, window_notes(profile, options, query, now))


def run_info(options: TraceOptions, query: Query, *, expanded: bool = False) -> RunInfo:
    """Gather what the trace was asked, for the formats that show it."""
    return RunInfo(
        terms=tuple(str(term) for term in query.terms),
        profile=options.profile,
        since=query.since,
        until=query.until,
        command=options.command,
        version=__version__,
        expanded=expanded,
    )


def _output_config(profile: Profile, name: str) -> OutputConfig:
    outputs = {**BUILTIN, **profile.outputs}
    if name in outputs:
        return outputs[name]
    import difflib  # noqa: PLC0415 - start-up: ~2 ms, only for an unknown output name

    close = difflib.get_close_matches(name, list(outputs), n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    msg = f"unknown output {quoted(name)}"
    raise QueryError(msg, hint + "outputs: " + ", ".join(sorted(outputs)))


def _is_naive(text: str, now_us: int) -> bool:
    """Tell whether a bound's instant depends on the zone it is read in."""
    east = datetime.timezone(datetime.timedelta(hours=1))
    return parse_bound(text, now_us, datetime.UTC) != parse_bound(text, now_us, east)


def _zone(name: str) -> Any:
    return named_zone(name)
