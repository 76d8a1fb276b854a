"""Paths: a file source's patterns → the files they name, and what a file's name says.

The one owner of three facts about names: which characters make a glob, which
suffixes mark a rotation (`app.log.1`, `app.log.2.gz`, `app.log-20261202`), and
so which files belong to one log (its rotation stem).
"""

from __future__ import annotations

import errno
import glob
import os
import re
from pathlib import Path

from tracerun.config.discover import expand_user
from tracerun.config.format import NAME_MAX_BYTES
from tracerun.errors import cut

GLOB_CHARS = frozenset("*?[")
"""A pattern holding none of these names one file."""
_ROTATION = re.compile(r"(?:[.-]\d+|\.(?:gz|zst|bz2|xz|lz4))+$")
_LOG_SUFFIX = re.compile(r"\.log$")


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


def expand_paths(patterns: list[str]) -> tuple[list[Path], list[str]]:
    """Expand globs (`**` recursive) and directories (every `*.log*` below them).

    Returns:
        the matching regular files, sorted and without duplicates, and the
        patterns that matched no file.
    """
    found: dict[Path, Path] = {}
    empty: list[str] = []
    for pattern in patterns:
        matches = _expand_one(expand_user(pattern))
        if not matches:
            empty.append(pattern)
        for path in matches:
            found.setdefault(path.absolute(), path)
    return sorted(found.values()), empty


def no_match(pattern: str) -> str:
    """Say that `pattern` matches no file, and why when it can be told from its text."""
    text = f"{cut(pattern)} matches no file"
    user = pattern[1:].partition("/")[0] if pattern.startswith("~") else ""
    if user and expand_user(pattern) == pattern:
        return f"{text}: there is no user {user!r} on this machine"
    if any(len(os.fsencode(part)) > NAME_MAX_BYTES for part in pattern.split("/")):
        return f"{text}: a part of it is longer than {NAME_MAX_BYTES} bytes"
    return text


def _expand_one(pattern: str) -> list[Path]:
    try:
        return _expand(pattern)
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:  # a part over 255 bytes names no file
            return []
        raise


def _expand(pattern: str) -> list[Path]:
    if Path(pattern).is_dir():
        pattern = str(Path(pattern) / "**" / "*.log*")
    if not has_glob(pattern):
        return [Path(pattern)] if Path(pattern).is_file() else []
    # glob.glob, not Path.glob: patterns may be absolute and may use `**`.
    matches = glob.glob(pattern, recursive=True)  # noqa: PTH207
    return [Path(p) for p in matches if Path(p).is_file()]
