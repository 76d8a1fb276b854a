"""The trace command (the default): terms + options → records on stdout, an exit code."""

from __future__ import annotations

import errno
import os
import sys
import time
from typing import TYPE_CHECKING, Any, TextIO

import click
from click.core import ParameterSource

from tracerun.cli.app import TRACE, Warner, error, print_problems
from tracerun.cli.options import (
    adhoc_values,
    follow_settings,
    trace_options,
    trace_options_of,
    wants_follow,
)
from tracerun.errors import ExitCode, OutputError

if TYPE_CHECKING:
    from tracerun.config.spec import Profile
    from tracerun.output.base import Formatter
    from tracerun.sources.feed import Note
    from tracerun.trace.hops import HopCheck
    from tracerun.trace.runner import RunResult


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
    from tracerun.cli.adhoc import profile_or_adhoc  # noqa: PLC0415 - start-up: not for --help

    if not terms and not options.get("ids_from"):
        msg = "give at least one TERM to search for, e.g. request_id=abc123"
        raise click.UsageError(msg)
    if sys.stdout is None:  # started with stdout closed (`>&-`)
        raise OutputError.of(OSError(errno.EBADF, os.strerror(errno.EBADF)))
    following = wants_follow(options)
    settings = follow_settings(options) if following else None
    profile = profile_or_adhoc(options["profile"], adhoc_values(options))
    from tracerun.config.discover import default_profile_name  # noqa: PLC0415 - start-up: not for --help

    shown = options["profile"] or default_profile_name() or ""
    command = _command_line(click.get_current_context(), terms)
    request = trace_options_of(terms, {**options, "command": command, "profile": shown})
    if settings is not None:
        from tracerun.follow.driver import follow_trace  # noqa: PLC0415 - start-up: follow only

        return follow_trace(profile, request, settings, sys.stdout, _Notes())
    from tracerun.trace.session import run_trace  # noqa: PLC0415 - start-up: not for --help

    result, formatter_for = run_trace(profile, request, now=time.time())
    formatter = formatter_for(sys.stdout)
    summary = None
    if request.summary and request.output != "summary":
        summary = formatter_for(_summary_stream(), "summary")
    hops = _hops(profile, result)
    _print_records(result, formatter, summary, hops)
    code = _report(result)
    if hops is not None:
        print_problems(hops.warnings, [])
        missing = hops.missing()
        for line in missing:
            click.echo(f"tracerun: expected hop {line}", err=True)
        if missing and request.strict_hops and code == ExitCode.OK:
            return ExitCode.MISSING_HOP
    return code


COMMAND = trace_command


def _hops(profile: Profile, result: RunResult) -> HopCheck | None:
    """Build the check of the profile's `expect:` hops (None when it lists none)."""
    if not profile.expect:
        return None
    from tracerun.trace.hops import HopCheck  # noqa: PLC0415 - start-up: only with expect

    return HopCheck(profile.expect, result)


def _print_records(
    result: RunResult,
    formatter: Formatter,
    summary: Formatter | None,
    hops: HopCheck | None = None,
) -> None:
    write = sys.stdout.write
    printed = 0
    try:
        for record in result.timeline:  # merged as it is printed
            write(formatter.format(record))
            printed += 1
            if hops is not None:
                hops.see(record)
            if summary is not None:
                summary.format(record)
        write(formatter.finish())
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:  # a full disk: the other records cannot be written either
        raise OutputError.of(exc) from None
    if summary is not None:
        stream = _summary_stream()
        gap = "\n" if stream is sys.stdout and printed else ""
        stream.write(gap + summary.finish())
        stream.flush()


def _summary_stream() -> TextIO:
    """`--summary` goes after the records on a terminal, else to stderr (stdout: records only)."""
    return sys.stdout if sys.stdout.isatty() else sys.stderr


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


def _report(result: RunResult) -> int:
    from tracerun.trace.merge import (  # noqa: PLC0415 - start-up: not for --help
        MAX_RECORDS_HINT,
        RECORD_CAP_HINT,
        cap_message,
    )

    matched = result.timeline.matched()
    # When nothing matched, `why` covers the lines that did not parse.
    unparsed = result.unparsed if matched else []
    print_problems([*result.warnings, *unparsed], result.failures)
    for capped in result.capped:
        error(capped, RECORD_CAP_HINT)
    if result.timeline.capped:
        error(cap_message(result.timeline), MAX_RECORDS_HINT)
    for reason in result.why:
        click.echo(f"tracerun: nothing matched: {reason}", err=True)
    for line in result.report:
        click.echo(line, err=True)
    if result.failures or result.capped or result.timeline.capped:
        return ExitCode.SOURCE_FAILED
    return ExitCode.OK if result.timeline.matched() else ExitCode.NO_MATCH


class _Notes:
    """Prints follow-mode Notes as errors or warnings (a OnceWarning once)."""

    def __init__(self) -> None:
        self._warn = Warner()

    def __call__(self, note: Note) -> None:
        if note.level == "error":
            error(note.message, note.hint)
        elif note.hint:
            self._warn(f"{note.message}; {note.hint}")
        else:
            self._warn(note.message)
