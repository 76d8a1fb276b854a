"""CLI app: the `tracerun` group, and the one place outcomes become messages and exit codes.

Commands live in their own modules (cli/trace.py, cli/validate.py, …) and
register on `cli`; `main()` owns the top level so that each outcome maps to the
documented exit code (README "Exit codes"). Only the cli package prints.
"""

from __future__ import annotations

import importlib
import signal
import sys
from typing import Any, NoReturn

import click

from tracerun import __version__
from tracerun.cli.outcome import (
    flushed,
    last_resort,
    lenient_stdout,
    show_error,
    silence_stdout,
    stdout_failed,
)
from tracerun.errors import (
    ExitCode,
    OutputError,
    TerminatedError,
    TracerunError,
)

TRACE = "trace"
COMMANDS = {
    "init": "tracerun.cli.init",
    "profiles": "tracerun.cli.profiles",
    "schema": "tracerun.cli.schema",
    "sources": "tracerun.cli.sources",
    "trace": "tracerun.cli.trace",
    "trust": "tracerun.cli.trust",
    "validate": "tracerun.cli.validate",
}
"""Command name → the module defining it as `COMMAND`, imported when it runs.

Why not import them all: `tracerun --version` and a trace then load only what
they use (click's lazy-loading recipe for subcommands).
"""
_GROUP_FLAGS = ("-h", "--help", "--version")


class _DefaultGroup(click.Group):
    """A group whose default command is the trace: `tracerun ID` = `tracerun trace ID`.

    A bare id equal to a command name must be written as `key=value`.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:  # noqa: ARG002
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:  # noqa: ARG002
        if cmd_name not in COMMANDS:
            return None
        command: click.Command = importlib.import_module(COMMANDS[cmd_name]).COMMAND
        return command

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Show both forms: the default trace, and a command."""
        formatter.write_usage(ctx.command_path, "[OPTIONS] TERM...")
        formatter.write_usage(ctx.command_path, "COMMAND [ARGS]...", prefix="   or: ")

    def format_options(
        self, ctx: click.Context, formatter: click.HelpFormatter
    ) -> None:
        """List the trace's options (the default command's) and the group's, then commands.

        Why: `tracerun --help` is where a user looks first (issue #11).
        """
        trace = self.get_command(ctx, TRACE)
        assert trace is not None  # COMMANDS names it
        trace_ctx = click.Context(trace, info_name=TRACE, parent=ctx)
        rows = dict(
            record
            for command, context in ((trace, trace_ctx), (self, ctx))
            for param in command.get_params(context)
            if isinstance(param, click.Option)
            and (record := param.get_help_record(context)) is not None
        )
        with formatter.section("Options (of trace, the default command)"):
            formatter.write_dl(list(rows.items()))
        self.format_commands(ctx, formatter)

    def shell_complete(
        self, ctx: click.Context, incomplete: str
    ) -> list[click.shell_completion.CompletionItem]:
        """Complete the first word: the commands, the group's and the trace's options.

        Why: `tracerun --sin<TAB>` is the trace's `--since` (the default command).
        """
        items = super().shell_complete(ctx, incomplete)
        trace = self.get_command(ctx, TRACE)
        if trace is None or not incomplete.startswith("-"):
            return items
        trace_ctx = click.Context(trace, info_name=TRACE, parent=ctx)
        known = {item.value for item in items}
        more = trace.shell_complete(trace_ctx, incomplete)
        return [*items, *(item for item in more if item.value not in known)]

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in COMMANDS and args[0] not in _GROUP_FLAGS:
            args = [TRACE, *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; map its int result and TracerunErrors to exit codes.

        Done here rather than in `main()` so that click's own runner (and
        CliRunner in tests) sees the same exit codes and messages as the shell.
        """
        try:
            code = super().invoke(ctx)
        except click.NoSuchOption as exc:
            raise _narrowed(exc) from None
        except BrokenPipeError:  # `| head`: click would turn this into exit 1
            silence_stdout()
            raise click.exceptions.Exit(ExitCode.BROKEN_PIPE) from None
        except OSError as exc:
            if not stdout_failed(exc):
                raise
            code = _fail(OutputError.of(exc))
        except TracerunError as exc:
            code = _fail(exc)
        if isinstance(code, int) and code != ExitCode.OK:
            raise click.exceptions.Exit(code)
        return code


@click.group(
    cls=_DefaultGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, "--version", prog_name="tracerun")
def cli() -> None:
    """Trace one request across log files and containers, in true time order.

    TERM is key=value (that field must equal the value) or a bare value
    (matched against the profile's keys); several terms are OR-ed. The trace
    is the default command: `tracerun TERM...` is `tracerun trace TERM...`.

    \b
    Examples:
      tracerun -p demo req-7f3a9c2e
      tracerun -p staging request_id=abc123 --since 2h -o ndjson
      tracerun --path ./logs trace_id=4bf92f35
    """


def _narrowed(exc: click.NoSuchOption) -> click.NoSuchOption:
    """Keep only the closest of click's guesses for a misspelled option.

    Why: click offers every name within difflib's cutoff, in alphabetical
    order, so `--sinse` got "one of: '--ignore-case', '--since', '--ssh'"; and
    the trace's guesses leave out the group's own `--version`.
    """
    from difflib import SequenceMatcher, get_close_matches  # noqa: PLC0415 - error path only

    group = [opt for param in cli.params for opt in param.opts]
    found = [*(exc.possibilities or []), *get_close_matches(exc.option_name, group)]
    if not found:
        return exc
    ratios = [SequenceMatcher(None, exc.option_name, name).ratio() for name in found]
    kept = [
        name for name, r in zip(found, ratios, strict=True) if r >= max(ratios) - 0.1
    ]
    if kept == exc.possibilities:
        return exc
    return click.NoSuchOption(exc.option_name, exc.message, kept, exc.ctx)


def _fail(exc: TracerunError) -> NoReturn:
    if isinstance(exc, OutputError):
        silence_stdout()
    show_error(exc)
    raise click.exceptions.Exit(exc.exit_code) from None


def main(argv: list[str] | None = None, *, sigint: Any = None) -> NoReturn:
    """Run the command line and exit with the code that describes the outcome.

    Args:
        argv: the arguments (default: the process's).
        sigint: the SIGINT handler to put back once a Ctrl-C would be caught
            here (`tracerun.cli.main` ends the process quietly until then).
    """
    args = sys.argv[1:] if argv is None else argv
    sys.exit(flushed(_run_main(args, sigint)))


def _run_main(args: list[str], sigint: Any = None) -> int:
    try:
        if sigint is not None:
            signal.signal(signal.SIGINT, sigint)
        lenient_stdout()
        result = cli.main(args=args, prog_name="tracerun", standalone_mode=False)
        return int(result) if isinstance(result, int) else ExitCode.OK
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return ExitCode.USAGE if isinstance(exc, click.UsageError) else exc.exit_code
    except click.Abort:  # click has already ended the `^C` line
        sys.stderr.write("tracerun: interrupted\n")
        return ExitCode.INTERRUPTED
    except (KeyboardInterrupt, TerminatedError, Exception) as exc:  # noqa: BLE001 - reported, or re-raised under --debug
        return last_resort(exc, args)
