"""CLI options: the option bundles the commands share, as decorators.

Kept apart from `cli.py` (which parses, runs and maps exit codes) so that each
command's wiring stays short; `complete.py` supplies the completion callbacks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from tracerun import complete

F = TypeVar("F", bound=Callable[..., Any])


def profile_option(func: F) -> F:
    """`-p/--profile NAME|FILE` (default: $TRACERUN_PROFILE)."""
    return click.option(
        "-p",
        "--profile",
        "profile",
        metavar="NAME|FILE",
        help="Profile name (profiles/NAME.yaml) or path. Default: $TRACERUN_PROFILE.",
        shell_complete=complete.profile_names,
    )(func)


def debug_option(func: F) -> F:
    """`--debug`: show tracebacks of internal errors."""
    return click.option(
        "--debug", is_flag=True, help="Show the full traceback of internal errors."
    )(func)


FOLLOW_ONLY = {
    "history": "--no-history",
    "reorder_window": "--reorder-window",
    "exit_on": "--exit-on",
    "timeout": "--timeout",
}
"""Follow-only option keys → their flags (an error without -f)."""


def wants_follow(options: dict[str, Any]) -> bool:
    """Tell whether -f or any follow-only option was given (so follow.py is needed).

    Why: follow.py and what it imports cost ~10 ms of every start-up.
    """
    given = (options.get(key) is not None for key in FOLLOW_ONLY)
    return bool(options.get("follow")) or any(given)


def follow_options(func: F) -> F:
    """`-f/--follow` and the options that only apply to it (follow.py reads them)."""
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


def trace_options(func: F) -> F:
    """Add the trace command's TERM argument and every option it takes."""
    decorators: list[Callable[[Any], Any]] = [
        click.argument(
            "terms", nargs=-1, metavar="TERM...", shell_complete=complete.term_keys
        ),
        profile_option,
        click.option(
            "--path",
            "paths",
            multiple=True,
            metavar="GLOB",
            help="Also read these files/dirs/globs (no profile needed).",
        ),
        click.option(
            "--docker",
            "docker",
            multiple=True,
            metavar="GLOB",
            help="Also read containers whose name matches (no profile needed).",
        ),
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
            "--where", metavar="EXPR", help="JMESPath over fields, must be truthy."
        ),
        click.option(
            "--limit",
            type=click.IntRange(min=1),
            metavar="N",
            help="Only the newest N records (printed oldest first).",
        ),
        click.option(
            "-o",
            "--output",
            "output",
            metavar="NAME",
            default="text",
            show_default=True,
            help="Output: text, ndjson or a profile output.",
            shell_complete=complete.output_names,
        ),
        click.option(
            "--color",
            type=click.Choice(["auto", "always", "never"]),
            help="Colour the text output. Default: auto (only on a terminal).",
        ),
        follow_options,
        debug_option,
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func
