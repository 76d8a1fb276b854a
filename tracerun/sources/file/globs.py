"""Globs: a file source's patterns → its files by (st_dev, st_ino), listed only when needed.

Why: listing and stat-ing every file ten times a second is most of the idle
cost of a follow. What patterns match can only change when a directory the
listing looked into changes (creating, renaming or deleting a file there, or
changing its permissions, moves the directory's ctime), so each poll stats
those directories and lists again only when one moved, or moved too recently
to trust (file system timestamps are coarse). That holds for `**` and
wildcard directories too: a new subdirectory moves its parent.
"""

from __future__ import annotations

import os

from tracerun.sources.file.paths import expand_paths

Key = tuple[int, int]
"""A file's identity: (st_dev, st_ino)."""


class Globs:
    """A source's patterns → its files by key, listed again only when that can differ."""

    FRESH = 1.0
    """A directory changed less than this long ago is listed on every poll."""

    def __init__(self, patterns: list[str]) -> None:
        self._patterns = patterns
        self._folders: list[str] | None = None
        self._stamp: tuple[int, ...] = ()
        self._found: dict[Key, str] = {}

    def expand(self, now: float) -> dict[Key, str]:
        """Return the files the patterns match now: {(st_dev, st_ino): path}.

        The same dict object as the last call's while nothing can have changed.
        """
        if self._folders is not None:
            stamp = _stamps(self._folders)
            fresh = max(stamp, default=0) > (now - self.FRESH) * 1e9
            if stamp == self._stamp and not fresh:
                return self._found
        folders: set[str] = set()
        self._found = _list(self._patterns, folders)
        self._folders = sorted(folders)
        self._stamp = _stamps(self._folders)  # a change during the listing is fresh
        return self._found


def _stamps(folders: list[str]) -> tuple[int, ...]:
    stamp = []
    for folder in folders:
        try:
            stamp.append(os.stat(folder).st_ctime_ns)  # noqa: PTH116 - per folder and poll
        except OSError:
            stamp.append(-1)
    return tuple(stamp)


def _list(patterns: list[str], folders: set[str]) -> dict[Key, str]:
    found: dict[Key, str] = {}
    for path in expand_paths(patterns, folders).files:
        try:
            st = os.stat(path)  # noqa: PTH116 - per file listed: no Path
        except OSError:
            continue  # gone between listing and stat: the next poll tells
        found.setdefault((st.st_dev, st.st_ino), str(path))
    return found
