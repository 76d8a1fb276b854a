"""The profiles command: the profiles on the search path, with their descriptions."""

from __future__ import annotations

from pathlib import Path

import click

from tracerun.cli.options import debug_option
from tracerun.cli.outcome import warn
from tracerun.errors import ExitCode, mask


@click.command("profiles")
@debug_option
def profiles_command() -> int:
    """List the profiles found on the search path, with their descriptions.

    \b
    Example:
      tracerun profiles
    """
    from tracerun.config.discover import INIT_HINT, list_profiles  # noqa: PLC0415 - start-up: not for --help

    found = list_profiles()
    if not found:
        warn(
            "no profiles found (looked in profiles/ here and in each parent folder, "
            "$TRACERUN_PROFILE_PATH, ~/.config/tracerun/profiles)",
            f"write one for your logs: {INIT_HINT}",
        )
    width = max((len(name) for name, _ in found), default=0)
    for name, path in found:
        line = f"{name.ljust(width)}  {path}  {describe(path)}".rstrip()
        click.echo(mask(line))  # a description may hold an expanded ${VAR}
    return ExitCode.OK


def describe(path: Path) -> str:
    """Return a profile's description, or why it cannot be read."""
    from tracerun.config.loader import load_profile  # noqa: PLC0415 - start-up: pydantic
    from tracerun.errors import ProfileError  # noqa: PLC0415 - start-up: not for --help

    try:
        return load_profile(path).description
    except ProfileError as exc:
        return f"(invalid: {exc.message})"


COMMAND = profiles_command
