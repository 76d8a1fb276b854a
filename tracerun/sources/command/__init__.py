"""Command source: a program's stdout, read like a log file (`journalctl`, a vendor CLI).

`source.py` is the type's Source; `window` (the `{since}` placeholders),
`process` (running the program, its failures) and `tail` (following) are its
parts. The program is never run through a shell, and only from a profile the
user trusts (cli/trust.py): `runs` below lists what it would run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracerun.sources.base import Program, Source, SourceType

if TYPE_CHECKING:
    from tracerun.config.spec import CommandSourceConfig


def _load() -> Source:
    from tracerun.sources.command.source import CommandSource  # noqa: PLC0415 - start-up: loaded when a plan has a command

    return CommandSource()


def _runs(config: CommandSourceConfig) -> list[Program]:
    env = tuple(sorted(config.env.items()))
    found = [Program(tuple(config.argv), config.cwd, env)]
    if isinstance(config.follow, list):
        found.append(Program(tuple(config.follow), config.cwd, env, "-f"))
    return found


TYPE = SourceType("command", _load, runs=_runs)
