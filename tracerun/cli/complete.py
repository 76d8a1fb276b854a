"""Shell completion: what is typed so far → profile, source, output and key names.

click calls these `shell_complete=` callbacks (bash, zsh, fish). cli.py imports
this module at start-up, so it imports nothing heavy itself; names are read from
the profile's YAML without validation (no pydantic), which keeps a TAB fast.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import click
    from click.shell_completion import CompletionItem


def profile_names(
    ctx: click.Context,  # noqa: ARG001
    param: click.Parameter,  # noqa: ARG001
    incomplete: str,
) -> list[CompletionItem]:
    """Complete `-p`: profile names on the search path, or file paths."""
    from click.shell_completion import CompletionItem  # noqa: PLC0415

    if "/" in incomplete or incomplete.startswith((".", "~")):
        return [CompletionItem(incomplete, type="file")]
    names = _quietly(_profile_names)
    return [CompletionItem(n) for n in names or [] if n.startswith(incomplete)]


def source_names(
    ctx: click.Context,
    param: click.Parameter,  # noqa: ARG001
    incomplete: str,
) -> list[str]:
    """Complete `--source`: the names of the chosen profile's sources."""
    names = _names(_profile_data(ctx).get("sources"))
    return [n for n in names if n.startswith(incomplete)]


def output_names(
    ctx: click.Context,
    param: click.Parameter,  # noqa: ARG001
    incomplete: str,
) -> list[str]:
    """Complete `-o`: the built-in outputs and the chosen profile's outputs."""
    from tracerun.config.format import BUILTIN_OUTPUTS  # noqa: PLC0415 - start-up: TAB only

    defined = _names(_profile_data(ctx).get("outputs"))
    names = dict.fromkeys([*BUILTIN_OUTPUTS, *defined])
    return [n for n in names if n.startswith(incomplete)]


def term_keys(
    ctx: click.Context,
    param: click.Parameter,  # noqa: ARG001
    incomplete: str,
) -> list[CompletionItem]:
    """Complete a TERM before its `=`: the profile's `keys`, each followed by `=`."""
    from click.shell_completion import CompletionItem  # noqa: PLC0415

    from tracerun.config.format import DEFAULT_KEYS  # noqa: PLC0415 - start-up: TAB only

    if "=" in incomplete:
        return []
    keys = _profile_data(ctx).get("keys", DEFAULT_KEYS)
    if not isinstance(keys, list | tuple):
        return []
    names = [k for k in keys if isinstance(k, str) and k.startswith(incomplete)]
    return [CompletionItem(f"{k}=") for k in names]


def _names(section: Any) -> list[str]:
    if not isinstance(section, dict):
        return []
    return [name for name in section if isinstance(name, str)]


def _profile_names() -> list[str]:
    from tracerun.config.discover import list_profiles  # noqa: PLC0415 - start-up: TAB only

    return [name for name, _ in list_profiles()]


def _profile_data(ctx: click.Context) -> dict[Any, Any]:
    """Read the profile named on the line (or $TRACERUN_PROFILE): merged YAML data."""
    name = ctx.params.get("profile")
    data = _quietly(lambda: _read(name if isinstance(name, str) else None))
    return data if isinstance(data, dict) else {}


def _read(name: str | None) -> dict[Any, Any] | None:
    from tracerun.config.discover import default_profile_name, find_profile  # noqa: PLC0415 - start-up: TAB only
    from tracerun.config.loader import read_profile_data  # noqa: PLC0415 - start-up: TAB only

    name = name or default_profile_name(os.environ)
    return read_profile_data(find_profile(name)) if name else None


def _quietly(read: Any) -> Any:
    """Run `read`, turning any failure into "no candidates".

    Why catch everything: a completion prints its candidates and nothing else;
    a traceback in the middle of a command line helps nobody, and a broken or
    missing profile is reported by the command itself once it runs.
    """
    try:
        return read()
    except Exception:  # noqa: BLE001 - see Why above
        return None
