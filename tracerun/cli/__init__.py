"""Command line: `tracerun` and its commands, one module each; `main` is the entry point.

The group (app.py) imports a command's module only when that command runs, so
`--version` and a trace load only what they use; a plain trace is read by
quick.py and never imports click (issue #18). This module imports nothing
heavy itself: `main` owns Ctrl-C before the first import of click (issue #12:
an interrupt while importing printed a KeyboardInterrupt traceback).
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not typing's: importing typing costs ~5 ms before the handler
if TYPE_CHECKING:
    from typing import Any, NoReturn

    import click

__all__ = ["cli", "main"]

INTERRUPTED = 130
"""ExitCode.INTERRUPTED, which cannot be imported before the handler is in place."""


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the command line; Ctrl-C during start-up ends it quietly with 130."""
    if argv is None and sys.argv[1:] == ["--version"]:
        _version()
    import signal  # noqa: PLC0415 - start-up: it imports enum (~6 ms), --version needs neither

    previous = signal.getsignal(signal.SIGINT)
    owned = previous is signal.default_int_handler  # not when ignored (`cmd &`)
    if owned:
        signal.signal(signal.SIGINT, interrupted_while_starting)
    from tracerun.cli.quick import main as run  # noqa: PLC0415 - after the handler: Ctrl-C while importing

    run(argv, sigint=previous if owned else None)


def _version() -> None:
    """Print what click's `--version` prints, without importing click (~50 ms).

    Why here: `tracerun --version` is run by scripts and checks (issue #18 asks
    for <= 30 ms); only the exact argument list `--version` of the process takes
    this path, and a stdout that cannot be written falls through to the group,
    which reports it as any command's output failure.
    """
    from tracerun import __version__  # noqa: PLC0415 - the package root: a literal, no imports

    if sys.stdout is None:
        return
    try:
        sys.stdout.write(f"tracerun, version {__version__}\n")
        sys.stdout.flush()
    except (OSError, ValueError):
        return
    sys.exit(0)


def interrupted_while_starting(_signum: int, _frame: object) -> None:
    """End the process at once: nothing has been read or printed yet."""
    os.write(2, b"\ntracerun: interrupted\n")
    os._exit(INTERRUPTED)


def __getattr__(name: str) -> Any:
    """Import the click group on first use (`from tracerun.cli import cli`)."""
    if name == "cli":
        from tracerun.cli.app import cli  # noqa: PLC0415 - lazy: see the module docstring

        return cli
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


if TYPE_CHECKING:
    cli: click.Group
