"""Profile discovery: `-p NAME` → a profile file; the search order lives here only.

1. NAME is a path (has a `/`, or ends in .yaml/.yml) and the file exists: that file.
2. `profiles/NAME.yaml` in the current directory, or in the nearest parent that
   has a `profiles/` folder.
3. `NAME.yaml` in each directory of $TRACERUN_PROFILE_PATH (os.pathsep separated).
4. `~/.config/tracerun/profiles/NAME.yaml`.

`.yaml` is tried before `.yml` in each place.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from tracerun.errors import ProfileNotFoundError, TracerunError

SUFFIXES = (".yaml", ".yml")
PATH_VARIABLE = "TRACERUN_PROFILE_PATH"
PROFILE_VARIABLE = "TRACERUN_PROFILE"


def find_profile(
    name: str, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> Path:
    """Find the file of profile `name` (a name or a path), in the documented order.

    Args:
        name: A profile name such as `staging`, or a path to a profile file.
        cwd: Where the search starts; default the current directory. The result
            is relative to it when the file is below it.
        env: Environment for TRACERUN_PROFILE_PATH and HOME; default os.environ.

    Raises:
        ProfileNotFoundError: Naming the places searched and a close name, if any.
    """
    env = os.environ if env is None else env
    if _is_path(name):
        given = Path(name).expanduser()
        candidate = given if cwd is None else cwd / given
        if candidate.is_file():
            return candidate
        if "/" in name or os.sep in name:
            msg = f"profile file {name} does not exist"
            raise ProfileNotFoundError(msg, "check the path, or give a profile name")
        name = given.stem
    folders = search_path(cwd, env)
    for folder in folders:
        for suffix in SUFFIXES:
            if (folder / f"{name}{suffix}").is_file():
                return folder / f"{name}{suffix}"
    raise _not_found(name, folders, cwd, env)


def resolve_profile(name: str | None, env: Mapping[str, str] | None = None) -> Path:
    """Find the profile to use: `name` (from `-p`), else $TRACERUN_PROFILE.

    Raises:
        TracerunError: Neither is given.
        ProfileNotFoundError: The profile does not exist.
    """
    name = name or default_profile_name(env)
    if not name:
        msg = "no profile given"
        hint = "use -p NAME (see `tracerun profiles`), set TRACERUN_PROFILE, or --path"
        raise TracerunError(msg, hint)
    return find_profile(name, env=env)


def list_profiles(
    cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> list[tuple[str, Path]]:
    """List (name, file) of every profile on the search path; the first found wins."""
    env = os.environ if env is None else env
    found: dict[str, Path] = {}
    for folder in search_path(cwd, env):
        for path in _profile_files(folder):
            found.setdefault(path.stem, path)
    return list(found.items())


def default_profile_name(env: Mapping[str, str] | None = None) -> str | None:
    """Return the profile to use when `-p` is not given: $TRACERUN_PROFILE, if set."""
    env = os.environ if env is None else env
    return env.get(PROFILE_VARIABLE, "").strip() or None


def search_path(
    cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> list[Path]:
    """List the folders searched for profile names, in order (existing or not)."""
    env = os.environ if env is None else env
    local = _local_folder(cwd)
    extra = [Path(p).expanduser() for p in env.get(PATH_VARIABLE, "").split(os.pathsep)]
    return [
        *([local] if local is not None else []),
        *(p for p in extra if str(p) != "."),
        user_folder(env),
    ]


def user_folder(env: Mapping[str, str] | None = None) -> Path:
    """`~/.config/tracerun/profiles` (HOME taken from `env` when it is there)."""
    env = os.environ if env is None else env
    home = Path(env["HOME"]) if env.get("HOME") else Path.home()
    return home / ".config" / "tracerun" / "profiles"


def _is_path(name: str) -> bool:
    return "/" in name or os.sep in name or name.endswith(SUFFIXES)


def _local_folder(cwd: Path | None) -> Path | None:
    """`profiles/` in `cwd` or its nearest parent that has one, shown from `cwd`."""
    start = Path() if cwd is None else cwd
    here = _absolute(start)
    for folder in (here, *here.parents):
        if (folder / "profiles").is_dir():
            relative = os.path.relpath(folder / "profiles", here)
            return Path(os.path.normpath(start / relative))
    return None


def _absolute(path: Path) -> Path:
    # Lexical, like the shell's `pwd`: symlinked checkouts keep the names users see.
    return Path(os.path.normpath(path.absolute()))


def _profile_files(folder: Path) -> list[Path]:
    try:
        files = [p for p in folder.iterdir() if p.suffix in SUFFIXES and p.is_file()]
    except OSError:
        return []
    return sorted(files, key=lambda p: (p.stem, SUFFIXES.index(p.suffix)))


def _not_found(
    name: str, folders: list[Path], cwd: Path | None, env: Mapping[str, str]
) -> ProfileNotFoundError:
    import difflib  # noqa: PLC0415 - error path only

    places = [_shown(folder, env) for folder in folders]
    if _local_folder(cwd) is None:
        here = _absolute(Path() if cwd is None else cwd)
        places.insert(0, f"profiles/ (none in {here} or its parents)")
    names = [found for found, _ in list_profiles(cwd, env)]
    close = difflib.get_close_matches(name, names, n=1)
    if names:
        guess = f"did you mean {close[0]!r}? " if close else ""
        hint = f"{guess}profiles found: {', '.join(names)}"
    else:
        hint = "create one: tracerun init --path LOG_DIR -o profiles/NAME.yaml"
    message = f"no profile named {name!r}; looked in: {', '.join(places)}"
    return ProfileNotFoundError(message, hint)


def _shown(folder: Path, env: Mapping[str, str]) -> str:
    home = user_folder(env).parent.parent.parent
    try:
        return str(Path("~") / folder.relative_to(home))
    except ValueError:
        return str(folder)
