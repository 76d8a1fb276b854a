"""The schema command: the profile format's JSON Schema on stdout."""

from __future__ import annotations

import click

from tracerun.cli.options import debug_option
from tracerun.errors import ExitCode


@click.command("schema")
@debug_option
def schema_command() -> int:
    """Print the JSON Schema of the profile format (for editors and CI).

    \b
    Example:
      tracerun schema > schemas/profile.schema.json
    """
    from tracerun.config.schema import schema_json  # noqa: PLC0415 - start-up: pydantic

    click.echo(schema_json(), nl=False)
    return ExitCode.OK


COMMAND = schema_command
