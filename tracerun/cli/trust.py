"""The trust command and the run's check: a profile that runs programs → may it run.

A profile can make tracerun run programs (command sources), and profiles come
from repositories others can write to: such a profile runs only when its exact
content (its whole `extends` chain, config/trust.py) is trusted. `tracerun
trust -p NAME` shows what it will run and records that; an untrusted profile
stops with exit 2, naming every program and the command that trusts it.
`TRACERUN_TRUST=all` turns the check off (CI).
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tracerun.cli.options import debug_option, profile_option
from tracerun.errors import ExitCode, TracerunError, mask

if TYPE_CHECKING:
    from tracerun.config.spec import Profile
    from tracerun.sources.base import Program


class UntrustedError(TracerunError):
    """A profile that runs programs and whose content the user has not trusted."""


def program_lines(programs: Sequence[tuple[str, Program]]) -> list[str]:
    """Describe each program: `source NAME: argv  (in CWD; env K=V)`, one per line."""
    lines = []
    for source, program in programs:
        when = " (under -f)" if program.when else ""
        extra = [f"in {program.cwd}"] if program.cwd else []
        if program.env:
            extra.append("env " + " ".join(f"{k}={v}" for k, v in program.env))
        tail = f"  ({'; '.join(extra)})" if extra else ""
        lines.append(f"source {source}{when}: {shlex.join(program.argv)}{tail}")
    return lines


def trust_state(
    path: Path,
    profile: Profile,
    texts: Sequence[tuple[str, str]],
    env: Mapping[str, str],
) -> str | None:
    """Say whether the profile may run its programs: None when it runs none.

    One of `trusted`, `trusted (TRACERUN_TRUST=all)`, `not trusted`,
    `changed since trusted`.
    """
    from tracerun.sources import programs_of  # noqa: PLC0415 - start-up: registry

    if not programs_of(profile):
        return None
    from tracerun.config.trust import (  # noqa: PLC0415 - start-up: only a profile that runs programs
        DamagedTrustError,
        chain_digest,
        trusted_digest,
        trusts_all,
    )

    if trusts_all(env):
        return "trusted (TRACERUN_TRUST=all)"
    try:
        known = trusted_digest(os.path.realpath(path), env)
    except DamagedTrustError as exc:
        click.echo(f"tracerun: warning: {exc.message}", err=True)
        click.echo(f"  hint: {exc.hint}", err=True)
        known = None
    if known == chain_digest(texts):
        return "trusted"
    return "not trusted" if known is None else "changed since trusted"


def require_trust(
    path: Path,
    profile: Profile,
    texts: Sequence[tuple[str, str]],
    given: str,
    env: Mapping[str, str],
) -> None:
    """Stop unless the profile runs no program, or its exact content is trusted.

    Args:
        path: the profile file.
        profile: the profile, as loaded from `texts`.
        texts: every file of its `extends` chain, as read.
        given: the profile as the user named it (for the command shown).
        env: the environment (TRACERUN_TRUST, XDG_CONFIG_HOME, HOME).

    Raises:
        UntrustedError: naming every program and the command that trusts it.
    """
    state = trust_state(path, profile, texts, env)
    if state is None or state.startswith("trusted"):
        return
    from tracerun.sources import programs_of  # noqa: PLC0415 - start-up: registry

    why = (
        "you have not trusted it"
        if state == "not trusted"
        else "it (or a profile it extends) changed since you trusted it"
    )
    shown = "\n".join(f"    {line}" for line in program_lines(programs_of(profile)))
    msg = f"{path} runs programs and {why}; it would run:\n{shown}"
    hint = (
        f"check them, then run: tracerun trust -p {shlex.quote(given or str(path))}"
        " (in CI: TRACERUN_TRUST=all)"
    )
    raise UntrustedError(msg, hint)


@click.command("trust")
@profile_option
@debug_option
def trust_command(profile: str | None) -> int:
    """Show the programs a profile runs and trust its exact content to run them.

    The profile's files (its `extends` chain included) are recorded by their
    content hash in ~/.config/tracerun/trusted.json ($XDG_CONFIG_HOME); a
    changed profile or base must be trusted again. TRACERUN_TRUST=all skips
    the check (CI).

    \b
    Example:
      tracerun trust -p examples/journald.yaml
    """
    from tracerun.config.discover import resolve_profile  # noqa: PLC0415 - start-up: not for --help
    from tracerun.config.loader import load_profile_chain  # noqa: PLC0415 - start-up: pydantic
    from tracerun.config.model import to_spec  # noqa: PLC0415 - start-up: pydantic
    from tracerun.config.trust import chain_digest, record_trust  # noqa: PLC0415 - start-up: not for --help
    from tracerun.sources import programs_of  # noqa: PLC0415 - start-up: registry

    path = resolve_profile(profile, ad_hoc=False)
    validated, texts = load_profile_chain(path)
    programs = programs_of(to_spec(validated))
    if not programs:
        click.echo(f"{path} runs no programs: there is nothing to trust")
        return ExitCode.OK
    click.echo(f"{path} may run:")
    for line in program_lines(programs):
        click.echo(mask(f"  {line}"))
    where = record_trust(os.path.realpath(path), chain_digest(texts))
    files = len(texts)
    noun = "file" if files == 1 else "files"
    click.echo(f"trusted: this content of {path} ({files} {noun}), recorded in {where}")
    return ExitCode.OK


COMMAND = trust_command
