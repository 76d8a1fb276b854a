"""Paths: a file source's patterns → the files they name, and what a file's name says.

The one owner of three facts about names: which characters make a glob, which
suffixes mark a rotation (`app.log.1`, `app.log.2.gz`, `app.log-20261202`), and
so which files belong to one log (its rotation stem).
"""

from __future__ import annotations

import errno
import fnmatch
import os
import re
import stat
from pathlib import Path
from typing import NamedTuple

from tracerun.config.discover import expand_user
from tracerun.config.format import NAME_MAX_BYTES
from tracerun.errors import cut

GLOB_CHARS = frozenset("*?[")
"""A pattern holding none of these names one file."""
_ROTATION = re.compile(r"(?:[.-]\d+|\.(?:gz|zst|bz2|xz|lz4))+$")
_SYSLOG_NAMES = frozenset(
    ["syslog", "messages", "secure", "maillog", "cron", "debug", "dmesg"]
)
"""syslog's own files (/var/log/syslog, /var/log/messages), named without `.log`."""
LOG_NAMES_TEXT = "*.log*, *_log, *.out, syslog, messages, …"
_LOG_SUFFIX = re.compile(r"\.log$")


def is_log_name(name: str) -> bool:
    """Tell whether a file of this name is one a directory given as a path stands for.

    `*.log*`; and with its rotation suffixes taken off (`syslog.2.gz`,
    `access_log-20261202`), `*_log` (Apache on RHEL: access_log, error_log),
    `*.out` (catalina.out, nohup.out) and syslog's own names.
    """
    if ".log" in name:
        return True
    stem = _ROTATION.sub("", name)
    return stem.endswith(("_log", ".out")) or stem in _SYSLOG_NAMES


def has_glob(pattern: str) -> bool:
    """Tell whether a pattern has wildcards (else it names one file or directory)."""
    return not GLOB_CHARS.isdisjoint(pattern)


def rotation_stem(name: str) -> str:
    """Strip a file name's rotation suffixes: `app.log.2.gz` → `app.log`.

    logrotate's numbered (`.1`, `.2.gz`) and dated (`-20261202`, `-20261202.gz`)
    names, and a bare compressed copy (`app.log.gz`), all share the stem.
    """
    return _ROTATION.sub("", name) or name


def source_name(path: Path) -> str:
    """Name a file's source: its rotation stem without `.log` (`orders.log.1` → `orders`)."""
    stem = _LOG_SUFFIX.sub("", rotation_stem(path.name))
    return stem or path.name


class Expansion(NamedTuple):
    """What a file source's patterns name now.

    Attributes:
        files: the matching regular files, sorted, without duplicates.
        empty: the patterns that matched no file (none of them for lack of access).
        denied: directories the patterns lead into that this user may not
            list or enter (`/var/log/nginx` outside group `adm`), sorted.
    """

    files: list[Path]
    empty: list[str]
    denied: list[str]


def expand_paths(patterns: list[str], folders: set[str] | None = None) -> Expansion:
    """Expand globs (`**` recursive) and directories (every log file below: is_log_name).

    Why not `glob.glob`: it skips a directory it may not read without a word,
    so a user outside group `adm` tracing `/var/log/nginx/*.log` would be told
    "matches no file"; here such a directory is named, and the rest expands.

    Args:
        patterns: globs, directories and files.
        folders: when given, gets every directory whose entries the answer
            depends on: it can change only when one of them changes (follow).
    """
    found: dict[str, str] = {}  # absolute → as spelled
    empty: list[str] = []
    denied: set[str] = set()
    cwd = str(Path.cwd())
    for pattern in patterns:
        blocked: set[str] = set()
        matches = _expand_one(expand_user(pattern), blocked, folders)
        if not matches and not blocked:
            empty.append(pattern)
        denied |= blocked
        for path in matches:
            found.setdefault(path if path.startswith("/") else f"{cwd}/{path}", path)
    files = sorted(found.values(), key=lambda path: path.split("/"))  # as Paths sort
    return Expansion(
        [Path(path) for path in distinct_files(files)], empty, sorted(denied)
    )


def distinct_files(paths: list[str]) -> list[str]:
    """Keep one path per file (st_dev, st_ino): the first, or its own if a link's was.

    Why: a directory often holds a link to the file being written
    (`current.log -> app-2026-12-03.log`); read under both names, each of its
    records printed twice. Follow mode keys its files the same way (globs.py).
    """
    kept: list[str] = []
    at: dict[tuple[int, int], int] = {}
    for path in paths:
        try:
            st = os.stat(path)  # noqa: PTH116 - per file listed: no Path
        except OSError:
            kept.append(path)  # gone, or no way there: opening it says why
            continue
        key = (st.st_dev, st.st_ino)
        first = at.setdefault(key, len(kept))
        if first == len(kept):
            kept.append(path)
        elif not _own_name(kept[first]) and _own_name(path):
            kept[first] = path
    return kept


def _own_name(path: str) -> bool:
    """Tell whether a path reaches its file through no symbolic link."""
    return os.path.realpath(path) == os.path.abspath(path)  # noqa: PTH100


def no_match(pattern: str) -> str:
    """Say that `pattern` matches no file, and why when it can be told from its text."""
    text = f"{cut(pattern)} matches no file"
    user = pattern[1:].partition("/")[0] if pattern.startswith("~") else ""
    if user and expand_user(pattern) == pattern:
        return f"{text}: there is no user {user!r} on this machine"
    if any(len(os.fsencode(part)) > NAME_MAX_BYTES for part in pattern.split("/")):
        return f"{text}: a part of it is longer than {NAME_MAX_BYTES} bytes"
    if not has_glob(pattern):
        why = _what_it_is(expand_user(pattern))
        if why:
            return f"{text}: {why}"
    return text


_KINDS = (
    (
        stat.S_ISFIFO,
        "a FIFO (named pipe), never read: reading it would wait for a writer",
    ),
    (stat.S_ISSOCK, "a socket, not a file"),
    (stat.S_ISCHR, "a character device, not a file"),
    (stat.S_ISBLK, "a block device, not a file"),
)


def _what_it_is(path: str) -> str:
    """Say what a path that names no log is: a FIFO, a link loop, a bare directory."""
    try:
        st = os.stat(path)  # noqa: PTH116 - one call, on the error path
    except OSError as exc:
        if os.path.islink(path):  # noqa: PTH114 - as above
            target = os.readlink(path)  # noqa: PTH115 - as above
            if exc.errno == errno.ELOOP:
                return "it is a loop of symbolic links"
            return f"it is a symbolic link to {cut(target)!r}, which does not exist"
        return ""
    for test, kind in _KINDS:
        if test(st.st_mode):
            return f"it is {kind}"
    if stat.S_ISDIR(st.st_mode):
        return _folder_without_logs(path)
    return ""


def _folder_without_logs(path: str) -> str:
    """Say that a directory holds no log file (is_log_name), naming a few it holds."""
    try:
        with os.scandir(path) as entries:
            names = sorted(e.name for e in entries if e.is_file())
    except OSError:
        return ""
    if not names:
        return f"it is a directory with no log file ({LOG_NAMES_TEXT}) below it"
    shown = ", ".join(cut(n) for n in names[:3]) + (", …" if len(names) > 3 else "")
    return (
        f"it is a directory with no log file ({LOG_NAMES_TEXT}) below it "
        f"(it holds {shown}); "
        f"name the files, e.g. {cut(path.rstrip('/'))}/{cut(names[0])}"
    )


def _expand_one(pattern: str, denied: set[str], folders: set[str] | None) -> list[str]:
    try:
        st: os.stat_result | None = os.stat(pattern)  # noqa: PTH116 - per pattern, often a file
    except (OSError, ValueError):  # a way this user may not go (reported below)
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        every = _expand_one(_join(pattern, "**/*"), denied, folders)
        return [path for path in every if is_log_name(path.rpartition("/")[2])]
    parts = pattern.split("/")
    first = next((i for i, part in enumerate(parts) if has_glob(part)), len(parts))
    if first == len(parts):
        if folders is not None:
            folders.add(pattern.rpartition("/")[0] or ".")
        if st is not None:
            return [pattern] if stat.S_ISREG(st.st_mode) else []
        return [pattern] if _is_file(pattern, denied) else []
    base = "/".join(parts[:first]) or ("/" if pattern.startswith("/") else "")
    found: list[str] = []
    seen: set[tuple[int, ...]] = set()
    try:
        top = os.stat(base or ".")  # noqa: PTH116 - as above
        seen.update((depth, top.st_dev, top.st_ino) for depth in range(len(parts) + 1))
    except OSError:
        pass  # listing it says why
    _walk(base, parts[first:], found, denied, seen, folders)
    return found


def _walk(
    folder: str,
    rest: list[str],
    found: list[str],
    denied: set[str],
    seen: set[tuple[int, ...]],
    folders: set[str] | None = None,
) -> None:
    """Match `rest` (path parts) below `folder`, as `glob.glob(recursive=True)` does.

    Names starting with a dot match only parts starting with one; `**` matches
    any number of directories (not hidden ones), each directory once.
    """
    if folders is not None:
        folders.add(folder or ".")
    head, tail = rest[0], rest[1:]
    if head == "**":
        _walk(folder, tail or ["*"], found, denied, seen, folders)
        for entry in _entries(folder, denied):
            if entry.name.startswith(".") or not _is_dir(entry):
                continue
            if _first(entry, len(rest), seen):
                _walk(_join(folder, entry.name), rest, found, denied, seen, folders)
        return
    if not has_glob(head):
        path = _join(folder, head)
        if not tail:
            if _is_file(path, denied):
                found.append(path)
        elif head:
            _walk(path, tail, found, denied, seen, folders)
        else:
            _walk(folder, tail, found, denied, seen, folders)  # `a//b`
        return
    hidden = head.startswith(".")
    for entry in _entries(folder, denied):
        if entry.name.startswith(".") and not hidden:
            continue
        if not fnmatch.fnmatchcase(entry.name, head):
            continue
        path = _join(folder, entry.name)
        if not tail:
            if _is_regular(entry):
                found.append(path)
        elif _is_dir(entry):
            _walk(path, tail, found, denied, seen, folders)


def _entries(folder: str, denied: set[str]) -> list[os.DirEntry[str]]:
    """List a directory; one this user may not read goes to `denied`."""
    try:
        with os.scandir(folder or ".") as listing:
            return list(listing)
    except PermissionError:
        denied.add(folder or ".")
    except OSError:
        pass  # gone, not a directory, a name too long: nothing matches there
    return []


def _is_file(path: str, denied: set[str]) -> bool:
    """Tell whether a path names a regular file; a blocked way there goes to `denied`."""
    try:
        return stat.S_ISREG(Path(path).stat().st_mode)
    except PermissionError:
        denied.add(blocking_dir(path))
    except (OSError, ValueError):
        pass
    return False


def blocking_dir(path: str) -> str:
    """Name the directory that stops this user from reaching `path` (its parent if none)."""
    parent = Path(path).parent
    for folder in [*reversed(parent.parents), parent]:
        if _searchable(folder) is False:
            return str(folder)
    return str(parent)


def _searchable(folder: Path) -> bool | None:
    """Tell whether this user may enter a directory (None: not one, or unknown)."""
    try:
        if not folder.is_dir():
            return None
    except OSError:
        return None
    return os.access(folder, os.X_OK)


def _join(folder: str, name: str) -> str:
    """Join as glob does: `name` alone below "" (a relative pattern's start)."""
    if not folder:
        return name
    return f"{folder}{name}" if folder.endswith("/") else f"{folder}/{name}"


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_regular(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _first(entry: os.DirEntry[str], depth: int, seen: set[tuple[int, ...]]) -> bool:
    """Tell whether a `**` meets a directory for the first time (symlink loops end)."""
    try:
        st = entry.stat()
    except OSError:
        return False
    key = (depth, st.st_dev, st.st_ino)
    if key in seen:
        return False
    seen.add(key)
    return True
