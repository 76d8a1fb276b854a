"""Command line: parse arguments, load the profile, plan, run, print, exit.

The only module that prints or exits; `main()` owns the top level so that each
outcome maps to the documented exit code (README "Exit codes").

Over the ~300-line bar on purpose: it holds the six commands' wiring plus the
one place that turns outcomes into messages and exit codes; option bundles live
in `options.py`, command logic in the stage modules.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import click

from tracerun import __version__
from tracerun.errors import ExitCode, QueryError, TracerunError
from tracerun.options import debug_option, profile_option, trace_options, wants_follow

if TYPE_CHECKING:
    from tracerun.config.model import Profile
    from tracerun.config.spec import Profile as PlainProfile
    from tracerun.runner import RunResult

TRACE = "trace"


class _DefaultGroup(click.Group):
    """A group whose default command is the trace: `tracerun ID` = `tracerun trace ID`.

    A bare id equal to a command name must be written as `key=value`.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in _GROUP_FLAGS:
            args = [TRACE, *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; map its int result and TracerunErrors to exit codes.

        Done here rather than in `main()` so that click's own runner (and
        CliRunner in tests) sees the same exit codes and messages as the shell.
        """
        try:
            code = super().invoke(ctx)
        except TracerunError as exc:
            _show_error(exc)
            raise click.exceptions.Exit(exc.exit_code) from None
        except BrokenPipeError:  # `| head`: click would turn this into exit 1
            _silence_stdout()
            raise click.exceptions.Exit(ExitCode.BROKEN_PIPE) from None
        if isinstance(code, int) and code != ExitCode.OK:
            raise click.exceptions.Exit(code)
        return code


_GROUP_FLAGS = ("-h", "--help", "--version")


@click.group(
    cls=_DefaultGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, "--version", prog_name="tracerun")
def cli() -> None:
    """Trace one request across log files and containers, in true time order.

    \b
    Examples:
      tracerun -p demo req-7f3a9c2e
      tracerun -p staging request_id=abc123 --since 2h -o ndjson
      tracerun --path ./logs trace_id=4bf92f35
    """


@cli.command(TRACE)
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
    if not terms and not options.get("ids_from"):
        msg = "give at least one TERM to search for, e.g. request_id=abc123"
        raise click.UsageError(msg)
    following = wants_follow(options)
    if following:
        from tracerun.follow import follow_settings  # noqa: PLC0415

        follow_settings(options)  # an error for follow-only options without -f
    profile = _profile_or_adhoc(options["profile"], options["paths"], options["docker"])
    if following:
        from tracerun.follow import follow_trace  # noqa: PLC0415

        return follow_trace(profile, terms, options, sys.stdout, _note)
    from tracerun.trace import run_trace  # noqa: PLC0415

    result, formatter_for = run_trace(profile, terms, options, now=time.time())
    _print_records(result, formatter_for(sys.stdout))
    return _report(result)


@cli.command("validate")
@click.argument("names", nargs=-1, metavar="[PROFILE]...")
@profile_option
@debug_option
def validate_command(names: tuple[str, ...], profile: str | None, debug: bool) -> int:  # noqa: ARG001
    """Check profiles (syntax, keys, regexes, parser samples); say what each holds.

    Profiles are names or files, given with -p or as arguments (as the
    pre-commit hook does); each is checked and all problems are reported.

    \b
    Example:
      tracerun validate -p staging
      tracerun validate profiles/*.yaml
    """
    from tracerun.validate import summary, validate_profile  # noqa: PLC0415

    failed = False
    targets: list[str | None] = [*([profile] if profile else []), *names]
    for name in targets or [None]:  # None: $TRACERUN_PROFILE
        try:
            path = _find(name)
            click.echo(summary(path, validate_profile(path)))
        except TracerunError as exc:
            _show_error(exc)
            failed = True
    return ExitCode.USAGE if failed else ExitCode.OK


@cli.command("profiles")
@debug_option
def profiles_command(debug: bool) -> int:  # noqa: ARG001
    """List the profiles found on the search path, with their descriptions.

    \b
    Example:
      tracerun profiles
    """
    from tracerun.config.discover import describe, list_profiles  # noqa: PLC0415

    found = list_profiles()
    if not found:
        _warn(
            "no profiles found (looked in ./profiles, $TRACERUN_PROFILE_PATH, "
            "~/.config/tracerun/profiles)"
        )
    width = max((len(name) for name, _ in found), default=0)
    for name, path in found:
        click.echo(f"{name.ljust(width)}  {path}  {describe(path)}".rstrip())
    return ExitCode.OK


@cli.command("sources")
@profile_option
@click.option(
    "--path",
    "paths",
    multiple=True,
    metavar="GLOB",
    help="Also list these files/dirs/globs.",
)
@click.option("--docker", multiple=True, metavar="GLOB", help="Also list containers.")
@click.option("--check", is_flag=True, help="Also parse a sample of each file's lines.")
@debug_option
def sources_command(
    profile: str | None,
    paths: tuple[str, ...],
    docker: tuple[str, ...],
    check: bool,
    debug: bool,  # noqa: ARG001
) -> int:
    """Show each source's files: size, first and last timestamp, parser.

    Reads only a few KiB at each file's start and end; --check also parses the
    first lines of each file and tells how many parsed and had a timestamp.

    \b
    Example:
      tracerun sources -p demo
      tracerun sources -p demo --check
    """
    from tracerun.peek import describe_sources  # noqa: PLC0415
    from tracerun.plan import build_plan  # noqa: PLC0415

    loaded = _profile_or_adhoc(profile, paths, docker)
    plan = build_plan(loaded)
    listing = describe_sources(loaded, plan, check=check)
    for line in listing.lines:
        click.echo(line)
    _print_problems([*plan.warnings, *listing.warnings], list(plan.failures))
    return ExitCode.SOURCE_FAILED if plan.failures else ExitCode.OK


@cli.command("schema")
@debug_option
def schema_command(debug: bool) -> int:  # noqa: ARG001
    """Print the JSON Schema of the profile format (for editors and CI).

    \b
    Example:
      tracerun schema > schemas/profile.schema.json
    """
    from tracerun.config.schema import schema_json  # noqa: PLC0415

    click.echo(schema_json(), nl=False)
    return ExitCode.OK


@cli.command("init")
@click.option(
    "--path", "paths", multiple=True, metavar="DIR|GLOB", help="Logs to describe."
)
@click.option(
    "--docker", multiple=True, metavar="PATTERN", help="Containers to describe."
)
@click.option(
    "-o", "--output", type=Path, metavar="FILE", help="Write here, not stdout."
)
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@debug_option
def init_command(
    paths: tuple[str, ...],
    docker: tuple[str, ...],
    output: Path | None,
    force: bool,
    debug: bool,  # noqa: ARG001
) -> int:
    """Write a starter profile from the first lines of the logs found.

    Recognises JSON, logfmt, access logs and text with leading timestamps;
    each parser gets a sample from its log, so `tracerun validate` tests it.

    \b
    Example:
      tracerun init --path ./logs -o profiles/local.yaml
      tracerun init --path /var/log/nginx --docker 'shop-*'
    """
    from tracerun.starter import starter_text, write_starter  # noqa: PLC0415

    if not paths and not docker:
        msg = "give --path DIR (or --docker PATTERN) to say which logs to describe"
        raise click.UsageError(msg)
    flags = {"file": paths, "docker": docker}
    text = starter_text(flags, output.parent if output else None)
    if output is None:
        click.echo(text, nl=False)
        return ExitCode.OK
    write_starter(output, text, force=force)
    click.echo(
        f"tracerun: wrote {output}; check it: tracerun validate -p {output}", err=True
    )
    return ExitCode.OK


def _find(name: str | None) -> Path:
    from tracerun.config.discover import resolve_profile  # noqa: PLC0415

    return resolve_profile(name)


def _load(path: Path) -> Profile:
    from tracerun.config.loader import load_profile  # noqa: PLC0415

    return load_profile(path)


def _profile_or_adhoc(
    name: str | None, paths: tuple[str, ...], docker: tuple[str, ...] = ()
) -> PlainProfile:
    """Load the profile a run reads; ad hoc `--path`/`--docker` alone skip pydantic."""
    from tracerun.config.adhoc import with_adhoc  # noqa: PLC0415
    from tracerun.config.discover import default_profile_name  # noqa: PLC0415

    if (paths or docker) and not name and not default_profile_name(os.environ):
        return with_adhoc(None, {"file": paths, "docker": docker})
    from tracerun.config.model import to_spec  # noqa: PLC0415

    profile = to_spec(_load(_find(name)))
    flags = {"file": paths, "docker": docker}
    return with_adhoc(profile, flags) if paths or docker else profile


def _print_records(result: RunResult, formatter: Any) -> None:
    write = sys.stdout.write
    for record in result.records:
        write(formatter.format(record))
    sys.stdout.flush()


def _report(result: RunResult) -> int:
    _print_problems(result.warnings, result.failures)
    if result.failures:
        return ExitCode.SOURCE_FAILED
    return ExitCode.OK if result.records else ExitCode.NO_MATCH


def _print_problems(warnings: list[str], failures: list[Any]) -> None:
    for warning in warnings:
        _warn(warning)
    for failure in failures:
        _error(failure.text(), failure.hint)


def _note(note: Any) -> None:
    """Print a follow-mode Note (feed.py) as an error or a warning."""
    if note.level == "error":
        _error(note.message, note.hint)
    else:
        _warn(note.message + (f"; {note.hint}" if note.hint else ""))


def _warn(message: str) -> None:
    click.echo(f"tracerun: warning: {message}", err=True)


def _error(message: str, hint: str | None = None, stream: TextIO | None = None) -> None:
    out = stream or sys.stderr
    out.write(f"tracerun: error: {message}\n")
    if hint:
        out.write(f"  hint: {hint}\n")


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the command line and exit with the code that describes the outcome."""
    args = sys.argv[1:] if argv is None else argv
    sys.exit(_run_main(args))


def _run_main(args: list[str]) -> int:
    try:
        result = cli.main(args=args, prog_name="tracerun", standalone_mode=False)
        return int(result) if isinstance(result, int) else ExitCode.OK
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return ExitCode.USAGE if isinstance(exc, click.UsageError) else exc.exit_code
    except (click.Abort, KeyboardInterrupt):
        sys.stderr.write("\ntracerun: interrupted\n")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return ExitCode.BROKEN_PIPE
    except Exception:
        if "--debug" in args:
            raise
        _error("internal error; run again with --debug and report it")
        return ExitCode.INTERNAL


def _show_error(exc: TracerunError) -> None:
    from tracerun.errors import ProfileError  # noqa: PLC0415

    if isinstance(exc, ProfileError):
        from tracerun.config.report import format_profile_error  # noqa: PLC0415

        sys.stderr.write(format_profile_error(exc))
    elif isinstance(exc, QueryError | TracerunError):
        _error(exc.message, exc.hint)


def _silence_stdout() -> None:
    # Python flushes stdout at exit; point it at devnull so that flush cannot fail
    # again (python/cpython Doc/library/signal.rst, "Note on SIGPIPE").
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
