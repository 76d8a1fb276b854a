"""Ad hoc sources: `--path` / `--docker` values → sources added to (or making) a profile.

Each source type names its own ad hoc sources (sources/<type>/adhoc.py); this
puts them together: a name already taken gets the flag's name as a suffix.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from tracerun.config.spec import Profile


def with_adhoc(profile: Profile | None, flags: Mapping[str, Sequence[str]]) -> Profile:
    """Add the sources named by ad hoc flags to a profile, or make a profile of them.

    Args:
        profile: the profile given with -p, if any.
        flags: source type → the values of its ad hoc flag.
    """
    from tracerun.sources import SOURCES, get_source  # noqa: PLC0415 - moves to cli/

    sources = dict(profile.sources) if profile is not None else {}
    for kind, values in flags.items():
        flag = SOURCES[kind].flag
        if not values or flag is None:
            continue
        for name, config in get_source(kind).adhoc(values).items():
            sources[name if name not in sources else f"{name}-{flag.dest}"] = config
    if profile is None:
        return Profile(sources=sources)
    return dataclasses.replace(profile, sources=sources)
