"""The plain trace without click: an exact reader of the common argument lists.

Why (issue #18): importing click and building the trace command's option table
costs ~25 ms of every start-up, more than a trace over a small file takes. This
module reads `tracerun [OPTION VALUE | FLAG | TERM]...` itself when it
understands every argument, and gives the trace exactly what click would have
given it: the same keyword arguments and the same command line. Anything else
(`--help`, a command, an unknown or abbreviated option, `-if`, `-pNAME`, `--`,
a number out of range, `--ids-from`, no TERM, shell completion) is handed to
click untouched, so its messages and behaviour stay click's.
tests/cli/test_cli_quick.py runs many argument lists through both and requires
the same result, or the hand-over.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import TYPE_CHECKING, Any, NoReturn

from tracerun.cli.outcome import (
    COMMAND_NAMES,
    flushed,
    last_resort,
    lenient_stdout,
    show_error,
    silence_stdout,
    stdout_failed,
)
from tracerun.errors import ExitCode, OutputError, TerminatedError, TracerunError
from tracerun.plain import plain

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

FLAG = "flag"
"""A flag: True when given (`-f`); with a second name, False by that (`--no-expand`)."""
VALUE = "value"
"""One string value, the last one given wins."""
MANY = "many"
"""A repeatable value: a tuple of every one given, in order."""
COUNT = "count"
"""A whole number of at least `least`, written in plain digits."""
CHOICE = "choice"
"""One of `choices`, written exactly."""
CLICK = "click"
"""An option only click reads: `--ids-from` (click checks that its file exists)."""


@plain(frozen=True, slots=True)
class Option:
    """One option of the trace command as click declares it (cli/options.py)."""

    dest: str
    """The keyword argument's name."""
    opts: tuple[str, ...]
    """Its names; the first is the one the command line is rebuilt with."""
    kind: str
    default: Any = None
    off: str | None = None
    """A flag's second name, which sets it False."""
    least: int = 0
    choices: tuple[str, ...] = ()
    shown: bool = True
    """False for `--debug`: read from the argument list, not passed to the command."""


def _count(dest: str, opt: str, default: int | None, least: int) -> Option:
    return Option(dest, (opt,), COUNT, default, least=least)


def options() -> tuple[Option, ...]:
    """List the trace command's options, in click's parameter order (cli/options.py)."""
    from tracerun.cli.options import MAX_RECORDS  # noqa: PLC0415 - start-up: not for --version
    from tracerun.sources import adhoc_flags  # noqa: PLC0415 - start-up: not for --version

    adhoc: list[Option] = []
    for _, flag in adhoc_flags():
        adhoc.append(Option(flag.dest, (flag.option,), MANY, ()))
        if flag.companion is not None:
            option = flag.companion[0]
            adhoc.append(
                Option(option.lstrip("-").replace("-", "_"), (option,), MANY, ())
            )
    return (
        Option("profile", ("-p", "--profile"), VALUE),
        *adhoc,
        Option("source_globs", ("--source",), MANY, ()),
        Option("ignore_case", ("-i", "--ignore-case"), FLAG, default=False),
        Option("ids_from", ("--ids-from",), CLICK),
        Option("since", ("--since",), VALUE),
        Option("until", ("--until",), VALUE),
        Option("timezone", ("--timezone",), VALUE),
        Option("where", ("--where",), VALUE),
        _count("limit", "--limit", None, 1),
        _count("max_records", "--max-records", MAX_RECORDS, 1),
        Option("host_timeout", ("--host-timeout",), VALUE),
        Option("output", ("-o", "--output"), VALUE, "text"),
        Option("color", ("--color",), CHOICE, choices=("auto", "always", "never")),
        Option("after_context", ("-A", "--after-context"), COUNT, least=0),
        Option("before_context", ("-B", "--before-context"), COUNT, least=0),
        Option("context", ("-C", "--context"), COUNT, least=0),
        Option("summary", ("--summary",), FLAG),
        Option("expand", ("--expand",), FLAG, off="--no-expand"),
        _count("max_depth", "--max-depth", 3, 0),
        _count("max_ids", "--max-ids", 200, 1),
        _count("max_fanout", "--max-fanout", 100, 1),
        Option("auto_window", ("--auto-window",), FLAG, off="--no-auto-window"),
        Option("margin", ("--margin",), VALUE),
        Option("strict_hops", ("--strict-hops",), FLAG, default=False),
        Option("follow", ("-f", "--follow"), FLAG, default=False),
        Option("history", ("--history",), FLAG, off="--no-history"),
        Option("reorder_window", ("--reorder-window",), VALUE),
        Option("exit_on", ("--exit-on",), VALUE),
        Option("timeout", ("--timeout",), VALUE),
        Option("debug", ("--debug",), FLAG, default=False, shown=False),
    )


@plain(frozen=True, slots=True)
class Parsed:
    """What click would hand the trace command: its terms, keyword arguments, command line."""

    terms: tuple[str, ...]
    options: dict[str, Any]
    command: str


COMPLETE_VAR = "_TRACERUN_COMPLETE"
"""Set by the shell's completion script: click answers it."""


def parse(args: Sequence[str], environ: Mapping[str, str]) -> Parsed | None:
    """Read `args` as click would read `tracerun ARGS`; None to hand them to click."""
    if not args or args[0] in COMMAND_NAMES or COMPLETE_VAR in environ:
        return None
    table = options()
    by_name: dict[str, tuple[Option, bool]] = {}
    for option in table:
        for name in option.opts:
            by_name[name] = (option, True)
        if option.off is not None:
            by_name[option.off] = (option, False)
    values: dict[str, Any] = {}
    terms: list[str] = []
    rest = list(reversed(args))
    while rest:
        arg = rest.pop()
        if arg[:1] != "-":
            terms.append(arg)
            continue
        name, equals, inline = arg.partition("=") if arg[:2] == "--" else (arg, "", "")
        found = by_name.get(name)
        if found is None:
            return None  # unknown, abbreviated, `--`, `-`, `-if`, `-pNAME`, `--help`
        option, on = found
        if option.kind == CLICK:
            return None
        if option.kind == FLAG:
            if equals:
                return None  # `--follow=x`: click's error
            values[option.dest] = on
            continue
        if equals:
            text = inline
        elif rest:
            text = rest.pop()
        else:
            return None  # the value is missing: click's error
        value = _value(option, text)
        if value is None:
            return None
        if option.kind == MANY:
            values[option.dest] = (*values.get(option.dest, ()), value)
        else:
            values[option.dest] = value
    if not terms:
        return None  # click's usage error
    kwargs = {
        option.dest: values.get(option.dest, option.default)
        for option in table
        if option.shown
    }
    return Parsed(tuple(terms), kwargs, command_line(table, values, tuple(terms)))


def _value(option: Option, text: str) -> Any:
    """Convert one value as click's type would; None when click must judge it."""
    if option.kind == COUNT:
        if not (text.isascii() and text.isdigit()):
            return None  # `+5`, ` 5`, `5_0`, `-1`: click's int() and range check
        number = int(text)
        return number if number >= option.least else None
    if option.kind == CHOICE:
        return text if text in option.choices else None
    return text


def command_line(
    table: Sequence[Option], values: Mapping[str, Any], terms: tuple[str, ...]
) -> str:
    """Rebuild the command as typed, as cli/trace.py's `_command_line` does from click."""
    words = ["tracerun"]
    for option in table:
        if not option.shown or option.dest not in values:
            continue
        value = values[option.dest]
        if value in (None, False, ()):
            continue
        if option.kind == FLAG:
            words.append(option.opts[0] if value else str(option.off))
            continue
        for item in value if option.kind == MANY else (value,):
            words += [option.opts[0], str(item)]
    words += terms
    return " ".join(_quoted(word) for word in words)


_SAFE = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-"
)
"""What `shlex.quote` leaves bare (its `[^\\w@%+=:,./-]`, ASCII)."""


def _quoted(word: str) -> str:
    """Quote `word` as `shlex.quote` does (shlex and its regex cost ~0.4 ms)."""
    if not word:
        return "''"
    if all(char in _SAFE for char in word):
        return word
    return "'" + word.replace("'", "'\"'\"'") + "'"


def main(argv: list[str] | None = None, *, sigint: Any = None) -> NoReturn:
    """Run the command line: the quick trace when `parse` reads it all, else click's group.

    Args:
        argv: the arguments (default: the process's).
        sigint: the SIGINT handler to put back once a Ctrl-C would be caught
            (`tracerun.cli.main` ends the process quietly until then).
    """
    args = sys.argv[1:] if argv is None else argv
    sys.exit(flushed(run_main(args, sigint)))


def run_main(args: list[str], sigint: Any = None) -> int:
    """Run `tracerun ARGS` and return its exit code (app.py `_run_main`'s twin)."""
    parsed = parse(args, os.environ)
    if parsed is None:
        from tracerun.cli.app import _run_main  # noqa: PLC0415 - start-up: click, only when needed

        return _run_main(args, sigint)
    try:
        if sigint is not None:
            signal.signal(signal.SIGINT, sigint)
        lenient_stdout()
        try:
            return _run(parsed)
        except (EOFError, KeyboardInterrupt):  # as click's main: end the `^C` line
            sys.stderr.write("\ntracerun: interrupted\n")
            return ExitCode.INTERRUPTED
    except (KeyboardInterrupt, TerminatedError, Exception) as exc:  # noqa: BLE001 - reported, or re-raised under --debug
        return last_resort(exc, args)


def _run(parsed: Parsed) -> int:
    """Run the trace; map its failures to exit codes as app.py's group does."""
    from tracerun.cli.trace_run import run  # noqa: PLC0415 - start-up: after the handler

    try:
        return int(run(parsed.terms, parsed.options, parsed.command))
    except BrokenPipeError:  # `| head`
        silence_stdout()
        return ExitCode.BROKEN_PIPE
    except OSError as exc:
        if not stdout_failed(exc):
            raise
        return _fail(OutputError.of(exc))
    except TracerunError as exc:
        return _fail(exc)


def _fail(exc: TracerunError) -> int:
    if isinstance(exc, OutputError):
        silence_stdout()
    show_error(exc)
    return exc.exit_code
