"""Ad hoc sources: the ad hoc flags (`--path`, `--docker`) → a profile to run.

Each source type names its own ad hoc sources (sources/<type>/adhoc.py); this
puts them together, adds them to the `-p` profile or makes a profile of them
alone, in which case pydantic is never imported: there is nothing to validate.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence

from tracerun.config.spec import Profile


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
    return dataclasses.replace(profile, sources=sources)


def profile_or_adhoc(name: str | None, flags: Mapping[str, Sequence[str]]) -> Profile:
    """Load the profile a run reads: `-p`/$TRACERUN_PROFILE, plus any ad hoc sources."""
    from tracerun.config.discover import (  # noqa: PLC0415 - start-up: not for --help
        default_profile_name,
        resolve_profile,
    )

    if flags and not name and not default_profile_name(os.environ):
        return with_adhoc(None, flags)
    from tracerun.config.loader import load_profile  # noqa: PLC0415 - start-up: pydantic
    from tracerun.config.model import to_spec  # noqa: PLC0415 - start-up: pydantic

    profile = to_spec(load_profile(resolve_profile(name)))
    return with_adhoc(profile, flags) if flags else profile
