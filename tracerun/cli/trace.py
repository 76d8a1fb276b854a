"""The trace command (the default): terms + options → records on stdout, an exit code."""

from __future__ import annotations

from typing import Any

import click
from click.core import ParameterSource

from tracerun.cli.app import TRACE
from tracerun.cli.options import (
    trace_options,
)


@click.command(TRACE)
@trace_options
def trace_command(terms: tuple[str, ...], **options: Any) -> int:
    """Print every record carrying TERM, from every source, merged by time.

    TERM is key=value (exact match of that field) or a bare value (matched
    against the profile's keys). Several terms are OR-ed.

    \b
    Example:
      tracerun -p demo req-7f3a9c2e
      tracerun -p demo request_id=req-7f3a9c2e --source 'pay*' -o ndjson
      tracerun -p staging -f request_id=abc123 --exit-on "status != null"
    """
    from tracerun.cli.trace_run import run  # noqa: PLC0415 - start-up: not for --help

    if not terms and not options.get("ids_from"):
        msg = "give at least one TERM to search for, e.g. request_id=abc123"
        raise click.UsageError(msg)
    return run(terms, options, _command_line(click.get_current_context(), terms))


COMMAND = trace_command


def _command_line(ctx: click.Context, terms: tuple[str, ...]) -> str:
    """Rebuild the command as typed from what click parsed (for markdown and html)."""
    words = ["tracerun"]
    for param in ctx.command.params:
        if not isinstance(param, click.Option) or param.name is None:
            continue
        value = ctx.params.get(param.name)
        source = ctx.get_parameter_source(param.name)
        if value in (None, False, ()) or source is not ParameterSource.COMMANDLINE:
            continue
        flag = param.opts[0]
        if param.is_flag:
            words.append(flag if value else param.secondary_opts[0])
            continue
        for item in value if param.multiple else (value,):
            words += [flag, str(item)]
    words += terms
    import shlex  # noqa: PLC0415 - start-up: only a trace needs it

    return shlex.join(words)
