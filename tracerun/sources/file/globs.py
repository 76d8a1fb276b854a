"""Globs: a file source's patterns → its files by (st_dev, st_ino), listed only when needed.

Why: listing and stat-ing every file ten times a second is most of the idle
cost of a follow. A glob whose wildcards are all in its last part can only
match differently once its directory changed (creating, renaming or deleting a
file there updates the directory's mtime), so it is listed again when one of
those mtimes moved, or is too recent to trust (file system timestamps are
coarse). Other patterns (`**`, wildcard directories, a directory) are listed
again every `RESCAN` seconds.
"""

from __future__ import annotations

import math
from pathlib import Path

from tracerun.config.discover import expand_user
from tracerun.sources.file.paths import expand_paths, has_glob

Key = tuple[int, int]
"""A file's identity: (st_dev, st_ino)."""


class Globs:
    """A source's patterns → its files by key, listed again only when that can differ."""

    RESCAN = 1.0
    """Seconds between listings of patterns that cannot be watched by one mtime."""
    FRESH = 1.0
    """A directory changed less than this long ago is listed on every poll."""

    def __init__(self, patterns: list[str]) -> None:
        self._patterns = patterns
        self._dirs: list[str] | None = _watched_dirs(patterns)
        self._stamp: tuple[int, ...] = ()
        self._found: dict[Key, str] = {}
        self._listed_at = -math.inf

    def expand(self, now: float) -> dict[Key, str]:
        """Return the files the patterns match now: {(st_dev, st_ino): path}."""
        if self._dirs is None:
            if now - self._listed_at < self.RESCAN:
                return self._found
        else:
            stamp = _mtimes(self._dirs)
            fresh = max(stamp, default=0) > (now - self.FRESH) * 1e9
            if stamp == self._stamp and not fresh:
                return self._found
            self._stamp = stamp
        self._listed_at = now
        self._found = _list(self._patterns)
        return self._found


def _watched_dirs(patterns: list[str]) -> list[str] | None:
    """List the directories whose mtime tells when `patterns` may match anew."""
    dirs: list[str] = []
    for pattern in patterns:
        path = Path(expand_user(pattern))
        if _is_dir(path) or has_glob(str(path.parent)):
            return None
        dirs.append(str(path.parent))
    return sorted(set(dirs))


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # ENAMETOOLONG: a name no directory can have
        return False


def _mtimes(dirs: list[str]) -> tuple[int, ...]:
    stamp = []
    for folder in dirs:
        try:
            stamp.append(Path(folder).stat().st_mtime_ns)
        except OSError:
            stamp.append(-1)
    return tuple(stamp)


def _list(patterns: list[str]) -> dict[Key, str]:
    files, _empty = expand_paths(patterns)
    found: dict[Key, str] = {}
    for path in files:
        try:
            st = path.stat()
        except OSError:
            continue  # gone between listing and stat: the next poll tells
        found.setdefault((st.st_dev, st.st_ino), str(path))
    return found
