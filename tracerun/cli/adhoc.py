"""Ad hoc sources: the ad hoc flags (`--path`, `--docker`) → a profile to run.

Each source type names its own ad hoc sources (sources/<type>/adhoc.py); this
puts them together, adds them to the `-p` profile or makes a profile of them
alone, in which case pydantic is never imported: there is nothing to validate.
A `-p` profile is loaded with its files' texts, so that a run stops here when
it runs programs and its content is not trusted (cli/trust.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from tracerun.config.spec import Profile
from tracerun.plain import plain, replace


def with_adhoc(profile: Profile | None, flags: Mapping[str, Sequence[str]]) -> Profile:
    """Add the sources named by ad hoc flags to a profile, or make a profile of them.

    A name the profile already has gets the flag's name as a suffix (`orders-path`).

    Args:
        profile: the profile given with -p, if any.
        flags: source type → the values of its ad hoc flag.
    """
    from tracerun.sources import SOURCES, get_source  # noqa: PLC0415 - start-up: only with a flag

    sources = dict(profile.sources) if profile is not None else {}
    for kind, values in flags.items():
        flag = SOURCES[kind].flag
        if not values or flag is None:
            continue
        for name, config in get_source(kind).adhoc(values, frozenset(sources)).items():
            sources[name if name not in sources else f"{name}-{flag.dest}"] = config
    if profile is None:
        return Profile(sources=sources)
    return replace(profile, sources=sources)


@plain(frozen=True, slots=True)
class Loaded:
    """The profile a command reads, and where it came from (None: ad hoc only)."""

    profile: Profile
    path: Path | None = None
    texts: tuple[tuple[str, str], ...] = ()
    """Every file of its `extends` chain, (real path, text), as read."""
    given: str = ""
    """The profile as the user named it (`-p` or $TRACERUN_PROFILE)."""


def load_run_profile(name: str | None, flags: Mapping[str, Sequence[str]]) -> Loaded:
    """Load the profile a run reads: `-p`/$TRACERUN_PROFILE, plus any ad hoc sources."""
    from tracerun.config.discover import (  # noqa: PLC0415 - start-up: not for --help
        default_profile_name,
        resolve_profile,
    )

    given = name or default_profile_name(os.environ)
    if flags and not given:
        return Loaded(with_adhoc(None, flags))
    from tracerun.config.loader import load_profile_chain  # noqa: PLC0415 - start-up: pydantic
    from tracerun.config.model import to_spec  # noqa: PLC0415 - start-up: pydantic

    path = resolve_profile(name)
    validated, texts = load_profile_chain(path)
    profile = to_spec(validated)
    if flags:
        profile = with_adhoc(profile, flags)
    return Loaded(profile, path, tuple(texts), given or "")


def profile_or_adhoc(name: str | None, flags: Mapping[str, Sequence[str]]) -> Profile:
    """Load the profile a run reads, and stop unless it may run its programs.

    Raises:
        UntrustedError: it runs programs and its content is not trusted (cli/trust.py).
    """
    from tracerun.sources import SOURCES  # noqa: PLC0415 - start-up: not for --help

    loaded = load_run_profile(name, flags)
    if loaded.path is not None and any(
        SOURCES[c.type].runs for c in loaded.profile.sources.values()
    ):
        from tracerun.cli.trust import require_trust  # noqa: PLC0415 - start-up: only a profile that runs programs

        require_trust(
            loaded.path, loaded.profile, loaded.texts, loaded.given, os.environ
        )
    return loaded.profile
