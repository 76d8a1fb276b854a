"""Profile discovery: `-p NAME` → a profile file; the search order lives here only.

1. NAME is a path (has a `/`, or an extension such as .yaml, .yml, .txt) and the
   file exists: that file; a directory, FIFO or device there is an error saying so.
2. `profiles/NAME.yaml` in the current directory, or in the nearest parent that
   has a `profiles/` folder.
3. `NAME.yaml` in each directory of $TRACERUN_PROFILE_PATH (os.pathsep separated).
4. `~/.config/tracerun/profiles/NAME.yaml`.

`.yaml` is tried before `.yml` in each place.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from tracerun.errors import ProfileNotFoundError, TracerunError, cut, quoted

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
        given = Path(expand_user(name))  # never raises for `~nosuchuser`
        candidate = given if cwd is None else cwd / given
        kind = path_kind(candidate)
        if kind == REGULAR:
            return candidate
        surely_path = "/" in name or os.sep in name or name.endswith(SUFFIXES)
        if kind is not None and surely_path:
            msg = f"profile file {cut(name)} is {kind}, not a file"
            raise ProfileNotFoundError(msg, "give a profile file (.yaml), or a name")
        if "/" in name or os.sep in name:
            msg = f"profile file {cut(name)} does not exist"
            hint = (
                file_beside(given, candidate)
                or "check the path, or give a profile name"
            )
            raise ProfileNotFoundError(msg, hint)
        name = given.stem if name.endswith(SUFFIXES) else name
    folders = search_path(cwd, env)
    for folder in folders:
        for suffix in SUFFIXES:
            if path_kind(folder / f"{name}{suffix}") == REGULAR:
                return folder / f"{name}{suffix}"
    raise _not_found(name, folders, cwd, env)


def resolve_profile(
    name: str | None, env: Mapping[str, str] | None = None, *, ad_hoc: bool = True
) -> Path:
    """Find the profile to use: `name` (from `-p`), else $TRACERUN_PROFILE.

    Args:
        name: What `-p` gave, if anything.
        env: Environment for $TRACERUN_PROFILE and the search; default os.environ.
        ad_hoc: The command also reads logs without a profile (`--path`): the
            hint offers it (not for `validate` and `trust`, which have no `--path`).

    Raises:
        TracerunError: Neither is given; the hint names the profiles found.
        ProfileNotFoundError: The profile does not exist (named from where the
            name came when it is $TRACERUN_PROFILE's).
    """
    given = name or default_profile_name(env)
    if not given:
        msg = "no profile given"
        raise TracerunError(msg, _no_profile_hint(env, ad_hoc=ad_hoc))
    try:
        return find_profile(given, env=env)
    except ProfileNotFoundError as exc:
        if name:
            raise
        # not typed on this command line: say where the name came from
        msg = f"${PROFILE_VARIABLE}: {exc.message}"
        raise ProfileNotFoundError(msg, exc.hint) from None


def _no_profile_hint(env: Mapping[str, str] | None, *, ad_hoc: bool) -> str:
    names = [found for found, _ in list_profiles(env=env)]
    found = f"profiles found: {', '.join(names)}" if names else "none found yet"
    hint = f"use -p NAME ({found}) or set TRACERUN_PROFILE"
    if ad_hoc:
        hint = f"use -p NAME ({found}), set TRACERUN_PROFILE, or --path LOG_DIR"
    if not names:
        hint += f"; to write one: {INIT_HINT}"
    return hint


INIT_HINT = "tracerun init --path LOG_DIR -o profiles/NAME.yaml"


def file_beside(given: Path, candidate: Path) -> str | None:
    """Name the profile file beside a missing one that was likely meant.

    Args:
        given: The path as written (`profiles/staging.yml`).
        candidate: Where it was looked for (`given` from the folder it is relative to).

    Returns:
        `did you mean 'profiles/staging.yaml'?`, or None when none is close.
    """
    import difflib  # noqa: PLC0415 - error path only

    beside = [p.name for p in _profile_files(candidate.parent)]
    stem = given.stem if given.suffix in SUFFIXES else given.name
    close = [f"{stem}{suffix}" for suffix in SUFFIXES if f"{stem}{suffix}" in beside]
    close = close or difflib.get_close_matches(given.name, beside, n=1)
    return f"did you mean {str(given.parent / close[0])!r}?" if close else None


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
    extra = [Path(expand_user(p)) for p in env.get(PATH_VARIABLE, "").split(os.pathsep)]
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


REGULAR = "a regular file"


def expand_user(text: str) -> str:
    """Expand a leading `~` or `~user`; keep the text as written if there is no such user.

    Why: `Path.expanduser` raises RuntimeError for `~nosuchuser` (issue #12); a
    path naming a user this machine lacks is a path that matches no file.
    """
    return os.path.expanduser(text)  # noqa: PTH111 - see Why


def path_kind(path: Path) -> str | None:
    """Say what is at `path`: REGULAR, "a directory", "a FIFO (named pipe)", …; None: nothing.

    Why: `-p` or `extends` naming a directory, a FIFO or a device must say so
    (not "does not exist"), and must never open a FIFO, which would block.
    """
    try:
        mode = path.stat().st_mode
    except (OSError, ValueError):  # ValueError: a NUL byte in the name
        return None
    return file_kind(mode)


def file_kind(mode: int) -> str:
    """Name the kind of file an `st_mode` describes (REGULAR for a plain file)."""
    kinds = (
        (stat.S_ISREG, REGULAR),
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((kind for test, kind in kinds if test(mode)), "not a regular file")


def _is_path(name: str) -> bool:
    """Tell whether a name may be a file's path: it has a `/` or an extension."""
    return "/" in name or os.sep in name or Path(name).suffix != ""


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
        hint = f"create one: {INIT_HINT}"
    message = f"no profile named {quoted(name)}; looked in: {', '.join(places)}"
    return ProfileNotFoundError(message, hint)


def _shown(folder: Path, env: Mapping[str, str]) -> str:
    home = user_folder(env).parent.parent.parent
    try:
        return str(Path("~") / folder.relative_to(home))
    except ValueError:
        return str(folder)
