"""The trace command's work, without click: options in, records on stdout, an exit code out.

Why apart from cli/trace.py (the click command): a plain trace reaches this
through cli/quick.py without importing click (issue #18); both give it the
same terms, options (click's keyword arguments) and command line.
"""

from __future__ import annotations

import errno
import os
import sys
import time
from typing import TYPE_CHECKING, Any, TextIO

from tracerun.cli.options import (
    adhoc_values,
    follow_settings,
    trace_options_of,
    wants_follow,
)
from tracerun.cli.outcome import (
    Warner,
    command_terms,
    echo_err,
    error,
    print_problems,
)
from tracerun.errors import ExitCode, OutputError, QueryError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tracerun.config.spec import Profile
    from tracerun.output.base import Formatter
    from tracerun.sources.feed import Note
    from tracerun.trace.hops import HopCheck
    from tracerun.trace.runner import RunResult


def _zone_option(name: str) -> str:
    """Check `--timezone`: an IANA zone this machine knows (as a profile's `timezone`)."""
    import zoneinfo  # noqa: PLC0415 - start-up: --timezone only

    hint = "use an IANA name such as Europe/Berlin, or UTC"
    if name != "UTC":
        try:
            if name.count("/") > 3:
                raise ValueError(name)
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError, RecursionError):
            msg = f"--timezone: unknown time zone {name!r}"
            raise QueryError(msg, hint) from None
    return name


def run(terms: tuple[str, ...], options: Mapping[str, Any], command: str) -> int:
    """Run the trace of `terms` with the trace command's `options`; return the exit code.

    `command` is the command line as typed, for the formats that show it.
    """
    from tracerun.cli.adhoc import profile_or_adhoc  # noqa: PLC0415 - start-up: not for --help

    if sys.stdout is None:  # started with stdout closed (`>&-`)
        raise OutputError.of(OSError(errno.EBADF, os.strerror(errno.EBADF)))
    following = wants_follow(options)
    settings = follow_settings(options) if following else None
    profile = profile_or_adhoc(options["profile"], adhoc_values(options))
    if options.get("timezone"):
        from tracerun.plain import replace  # noqa: PLC0415 - start-up: --timezone only

        profile = replace(profile, timezone=_zone_option(options["timezone"]))
    from tracerun.config.discover import default_profile_name  # noqa: PLC0415 - start-up: not for --help

    shown = options["profile"] or default_profile_name() or ""
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
    code = _report(result, terms)
    if hops is not None:
        print_problems(hops.warnings, [])
        missing = hops.missing()
        for line in missing:
            echo_err(f"tracerun: expected hop {line}")
        if missing and request.strict_hops and code == ExitCode.OK:
            return ExitCode.MISSING_HOP
    return code


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


def _report(result: RunResult, terms: tuple[str, ...]) -> int:
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
    why = [*result.why, *([] if matched else command_terms(terms))]
    for reason in why:
        echo_err(f"tracerun: nothing matched: {reason}")
    for line in result.report:
        echo_err(line)
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
