"""CLI options: the option bundles the commands share, and their values as typed objects.

The ad hoc flags (`--path`, `--docker`) come from the source registry, so a new
source type with a flag needs no change here; `complete.py` supplies the
completion callbacks. `trace_options_of` and `follow_settings` turn click's
keyword arguments into the objects the trace and follow drivers take.

Click is imported only where an option is built: a plain trace reads its
arguments through cli/quick.py and this module's functions, never click
(issue #18).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from tracerun.cli import complete
from tracerun.errors import QueryError
from tracerun.sources import adhoc_flags

if TYPE_CHECKING:
    from tracerun.follow.driver import FollowSettings
    from tracerun.trace.session import TraceOptions

F = TypeVar("F", bound=Callable[..., Any])
MAX_RECORDS = 100_000
"""Default --max-records: a wrong query (`level=info`) must not exhaust memory."""


def profile_option(func: F) -> F:
    """`-p/--profile NAME|FILE` (default: $TRACERUN_PROFILE)."""
    import click  # noqa: PLC0415 - start-up: a plain trace never builds click's options

    return click.option(
        "-p",
        "--profile",
        "profile",
        metavar="NAME|FILE",
        help="Profile name (profiles/NAME.yaml) or path. Default: $TRACERUN_PROFILE.",
        shell_complete=complete.profile_names,
    )(func)


def debug_option(func: F) -> F:
    """`--debug`: show tracebacks of internal errors (read by app.main, not the command)."""
    import click  # noqa: PLC0415 - start-up: a plain trace never builds click's options

    return click.option(
        "--debug",
        is_flag=True,
        expose_value=False,
        help="Show the full traceback of internal errors.",
    )(func)


def adhoc_options(*, init: bool = False) -> Callable[[F], F]:
    """One repeatable option per source type that has an ad hoc flag (`--path` …)."""

    def decorate(func: F) -> F:
        import click  # noqa: PLC0415 - start-up: a plain trace never builds click's options

        for _, flag in reversed(adhoc_flags()):
            if flag.companion is not None:
                option, metavar, text = flag.companion
                func = click.option(
                    option, _dest(option), multiple=True, metavar=metavar, help=text
                )(func)
            func = click.option(
                flag.option,
                flag.dest,
                multiple=True,
                metavar=flag.metavar,
                help=flag.init_help if init else flag.help,
            )(func)
        return func

    return decorate


def adhoc_values(options: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Collect the ad hoc flags' values by source type (only the flags given).

    A flag's companion values follow its own, as `OPTION=VALUE`.

    Raises:
        QueryError: a companion (`--k8s-context`) without its flag.
    """
    found = {}
    for kind, flag in adhoc_flags():
        values = tuple(options.get(flag.dest) or ())
        if flag.companion is not None:
            option = flag.companion[0]
            extra = tuple(options.get(_dest(option)) or ())
            if extra and not values:
                msg = f"{option} qualifies {flag.option}, which is not given"
                raise QueryError(msg, f"add {flag.option} {flag.metavar}")
            values += tuple(f"{option}={value}" for value in extra)
        if values:
            found[kind] = values
    return found


def _dest(option: str) -> str:
    return option.lstrip("-").replace("-", "_")


FOLLOW_ONLY = {
    "history": "--no-history",
    "reorder_window": "--reorder-window",
    "exit_on": "--exit-on",
    "timeout": "--timeout",
}
"""Follow-only option keys → their flags (an error without -f)."""


def wants_follow(options: Mapping[str, Any]) -> bool:
    """Tell whether -f or any follow-only option was given (so follow/ is needed).

    Why: the follow driver and what it imports cost ~10 ms of every start-up.
    """
    given = (options.get(key) is not None for key in FOLLOW_ONLY)
    return bool(options.get("follow")) or any(given)


def follow_settings(options: Mapping[str, Any]) -> FollowSettings | None:
    """Read the follow settings from the trace options; None when not following.

    Raises:
        QueryError: a follow-only option without `-f`, `--until` with `-f`, or
            an unreadable duration or --exit-on expression.
    """
    from tracerun.follow.driver import WINDOW, FollowSettings  # noqa: PLC0415 - start-up: follow only
    from tracerun.query import check_expression  # noqa: PLC0415 - start-up: not for every trace
    from tracerun.timeparse import parse_duration  # noqa: PLC0415 - start-up: not for every trace

    if not options.get("follow"):
        for key, flag in FOLLOW_ONLY.items():
            if options.get(key) is not None:
                msg = f"{flag} only applies when following"
                raise QueryError(msg, "add -f/--follow")
        return None
    if options.get("until"):
        msg = "--until cannot be combined with -f/--follow"
        hint = "stop following with --timeout DURATION or --exit-on EXPR"
        raise QueryError(msg, hint)
    window = options.get("reorder_window")
    timeout = options.get("timeout")
    exit_on = options.get("exit_on")
    example = '--exit-on "status != null"'
    return FollowSettings(
        history=options.get("history") is not False,
        window=WINDOW if window is None else parse_duration(window, "--reorder-window"),
        exit_on=check_expression(exit_on, "--exit-on", example) if exit_on else None,
        timeout=None if timeout is None else parse_duration(timeout, "--timeout"),
    )


def trace_options_of(
    terms: tuple[str, ...], options: Mapping[str, Any]
) -> TraceOptions:
    """Gather the trace command's TERMs and keyword arguments in one TraceOptions."""
    from tracerun.trace.session import TraceOptions  # noqa: PLC0415 - start-up: not for --help

    return TraceOptions(
        terms=terms,
        ids_from=options.get("ids_from"),
        source_globs=tuple(options.get("source_globs") or ()),
        ignore_case=bool(options.get("ignore_case")),
        since=options.get("since"),
        until=options.get("until"),
        where=options.get("where"),
        limit=options.get("limit"),
        max_records=options.get("max_records", MAX_RECORDS),
        host_timeout=options.get("host_timeout"),
        output=options.get("output") or "text",
        color=options.get("color"),
        profile=options.get("profile") or "",
        command=options.get("command") or "",
        summary=bool(options.get("summary")),
        expand=options.get("expand"),
        max_depth=options.get("max_depth", 3),
        max_ids=options.get("max_ids", 200),
        max_fanout=options.get("max_fanout", 100),
        margin=options.get("margin"),
        auto_window=options.get("auto_window"),
        strict_hops=bool(options.get("strict_hops")),
        before=_context_lines(options, "before_context"),
        after=_context_lines(options, "after_context"),
    )


def _context_lines(options: Mapping[str, Any], key: str) -> int:
    """`-B`/`-A` when given, else `-C`, else 0."""
    given = options.get(key)
    if given is None:
        given = options.get("context")
    return int(given or 0)


def follow_options(func: F) -> F:
    """`-f/--follow` and the options that only apply to it."""
    import click  # noqa: PLC0415 - start-up: a plain trace never builds click's options

    options = [
        click.option("-f", "--follow", is_flag=True, help="Keep printing new records."),
        click.option(
            "--history/--no-history",
            default=None,
            help="With -f: print the matching past records first (default: yes).",
        ),
        click.option(
            "--reorder-window",
            metavar="DURATION",
            help="With -f: wait this long to print in time order (default: 250ms).",
        ),
        click.option(
            "--exit-on",
            metavar="EXPR",
            help="With -f: stop once a record matching this JMESPath is printed.",
        ),
        click.option(
            "--timeout", metavar="DURATION", help="With -f: stop after this long."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _count(flag: str, default: int, text: str, least: int = 1) -> Callable[[F], F]:
    """Build a whole-number option `FLAG N`, its default shown in --help."""
    import click  # noqa: PLC0415 - start-up: a plain trace never builds click's options

    return click.option(
        flag,
        type=click.IntRange(min=least),
        default=default,
        show_default=True,
        metavar="N",
        help=text,
    )


def expand_options(func: F) -> F:
    """`--expand` and its limits, the automatic window, `--strict-hops`."""
    import click  # noqa: PLC0415 - start-up: a plain trace never builds click's options

    options = [
        click.option(
            "--expand/--no-expand",
            default=None,
            help="Also follow every id the records carry in the profile's "
            "correlate fields (default: the profile's expand).",
        ),
        _count("--max-depth", 3, "With --expand: at most N passes after the query.", 0),
        _count(
            "--max-ids", 200, "With --expand: add at most N ids to the query's own."
        ),
        _count(
            "--max-fanout",
            100,
            "With --expand: do not follow an id more than N records carry.",
        ),
        click.option(
            "--auto-window/--no-auto-window",
            default=None,
            help="Find the hits newest first, then read only their time ± --margin "
            "(default: on with --expand and no --since/--until).",
        ),
        click.option(
            "--margin",
            metavar="DURATION",
            help="The automatic window's margin on each side (default: 10m).",
        ),
        click.option(
            "--strict-hops",
            is_flag=True,
            help="Exit 6 when a source of the profile's expect has no record.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def trace_options(func: F) -> F:
    """Add the trace command's TERM argument and every option it takes."""
    import click  # noqa: PLC0415 - start-up: a plain trace never builds click's options

    decorators: list[Callable[[Any], Any]] = [
        click.argument(
            "terms", nargs=-1, metavar="TERM...", shell_complete=complete.term_keys
        ),
        profile_option,
        adhoc_options(),
        click.option(
            "--source",
            "source_globs",
            multiple=True,
            metavar="GLOB",
            help="Only sources whose name matches (repeatable).",
            shell_complete=complete.source_names,
        ),
        click.option(
            "-i", "--ignore-case", is_flag=True, help="Match values ignoring case."
        ),
        click.option(
            "--ids-from",
            type=click.Path(exists=True, dir_okay=False),
            metavar="FILE",
            help="Also search every TERM in FILE (one per line).",
        ),
        click.option(
            "--since", metavar="WHEN", help="Start: 15m, 2h, 2026-03-20, RFC 3339."
        ),
        click.option("--until", metavar="WHEN", help="End, same forms as --since."),
        click.option(
            "--timezone",
            metavar="ZONE",
            help="Zone of naive timestamps and --since/--until (the profile's "
            "`timezone`; a source's or parser's own still wins). Default UTC.",
        ),
        click.option(
            "--where", metavar="EXPR", help="JMESPath over fields, must be truthy."
        ),
        click.option(
            "--limit",
            type=click.IntRange(min=1),
            metavar="N",
            help="Only the newest N records (printed oldest first).",
        ),
        click.option(
            "--max-records",
            type=click.IntRange(min=1),
            metavar="N",
            default=MAX_RECORDS,
            show_default=True,
            help="Print at most N records; more is an error (exit 3).",
        ),
        click.option(
            "--host-timeout",
            metavar="DURATION",
            help="Stop waiting for one remote host after this long (default: 30s).",
        ),
        click.option(
            "-o",
            "--output",
            "output",
            metavar="NAME",
            default="text",
            show_default=True,
            help="Output: text, ndjson, summary, markdown, html, jaeger, otlp, "
            "mermaid or a profile output.",
            shell_complete=complete.output_names,
        ),
        click.option(
            "--color",
            type=click.Choice(["auto", "always", "never"]),
            help="Colour the text output. Default: auto (only on a terminal).",
        ),
        click.option(
            "-A",
            "--after-context",
            "after_context",
            type=click.IntRange(min=0),
            metavar="N",
            help="Also print N lines after each record, from its file or container.",
        ),
        click.option(
            "-B",
            "--before-context",
            "before_context",
            type=click.IntRange(min=0),
            metavar="N",
            help="Also print N lines before each record, from its file or container.",
        ),
        click.option(
            "-C",
            "--context",
            "context",
            type=click.IntRange(min=0),
            metavar="N",
            help="Also print N lines before and after each record (-A/-B win).",
        ),
        click.option(
            "--summary",
            is_flag=True,
            default=None,
            help="After the records, draw the trace's waterfall "
            "(on stderr unless stdout is a terminal).",
        ),
        expand_options,
        follow_options,
        debug_option,
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func
