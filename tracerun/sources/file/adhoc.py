"""Ad hoc files: `--path` values → file sources named after their logs (trace, init).

`./logs/orders.log` and `./logs/orders.log.1.gz` become one file source
`orders`; `init` gets one family per such log, with its newest file's first lines.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tracerun.config.spec import FileSourceConfig
from tracerun.errors import TracerunError
from tracerun.plain import field, plain
from tracerun.read.endings import UTF8_BOM
from tracerun.sources.base import Family, ReadError, unique_names
from tracerun.sources.file.open import is_compressed, open_log
from tracerun.sources.file.paths import (
    distinct_files,
    expand_paths,
    has_glob,
    source_name,
)

HEAD_LINES = 50
"""How many lines of each log `init` looks at."""
_HEAD_BYTES = 64 * 1024


@plain(slots=True, eq=False)
class AdhocGroup:
    """The file sources one `--path` flag made, and how a one-shot run named its files.

    While following, the group is one tail over the flag's values (group.py):
    each file gets the source a one-shot run gives it, and a log created later
    gets a source of its own, named after it. Why one tail: `--path logs/` over
    ten thousand logs makes ten thousand sources.

    Attributes:
        values: the flag's values, as typed.
        by_stem: each log's rotation stem (`source_name`) → its source.
        by_path: each file listed now → its source.
        first: the first source: a log created later is followed when it is.
        taken: names a new log's source may not have (it gets `-path`).
        live: the sources being followed → their index (filled while following).
        tail: the group's feed, once following.
    """

    values: tuple[str, ...]
    by_stem: dict[str, str]
    by_path: dict[str, str]
    first: str
    taken: frozenset[str]
    live: dict[str, int] = field(default_factory=dict)
    tail: Any = None


@plain(frozen=True, slots=True, kw_only=True)
class AdhocFileSourceConfig(FileSourceConfig):
    """A file source made from `--path` values rather than read from a profile.

    Attributes:
        denied: directories those values lead into that this user may not
            list, reported by the source's discovery (the first source only).
        group: what all the sources of the flag share (following them).
    """

    denied: tuple[str, ...] = ()
    group: AdhocGroup | None = None


def adhoc_sources(
    patterns: Sequence[str], taken: frozenset[str] = frozenset()
) -> dict[str, FileSourceConfig]:
    """Group the files behind `--path` patterns into one file source per name.

    A pattern that matches no file (or leads only into directories this user
    may not list) is kept as its own source, so that the run reports it
    instead of silently ignoring it. A name in `taken` gets `-path` after it.
    """
    found: dict[Path, Path] = {}
    alone: list[str] = []  # patterns kept as their own source
    denied: set[str] = set()
    for pattern in patterns:
        files, _, blocked = expand_paths([pattern])
        for path in files:
            found.setdefault(path.absolute(), path)
        if files:
            denied.update(blocked)  # its own source would list its files again
        else:
            alone.append(pattern)
    grouped: dict[str, list[str]] = {}
    for kept in distinct_files([str(p) for p in sorted(found.values())]):
        grouped.setdefault(_free(source_name(Path(kept)), taken), []).append(kept)
    for pattern in alone:
        grouped.setdefault(_free(_pattern_name(pattern), taken), []).append(pattern)
    if not grouped:
        return {}
    group = AdhocGroup(
        tuple(patterns),
        {source_name(Path(p)): name for name, ps in grouped.items() for p in ps},
        {p: name for name, ps in grouped.items() for p in ps},
        next(iter(grouped)),
        taken,
    )
    configs: dict[str, FileSourceConfig] = {}
    for name, paths in grouped.items():
        extra = () if configs else tuple(sorted(denied))
        configs[name] = AdhocFileSourceConfig(paths=paths, denied=extra, group=group)
    return configs


def _free(name: str, taken: frozenset[str]) -> str:
    """Return a source name not in `taken`: `orders`, or `orders-path` when it is."""
    return name if name not in taken else f"{name}-path"


def _pattern_name(pattern: str) -> str:
    """Name the source of a pattern that found no file: `logs/*.log` → `logs`."""
    name = source_name(Path(pattern))
    if not has_glob(name):
        return name
    fixed = [part for part in Path(pattern).parts if not has_glob(part)]
    return fixed[-1] if fixed and fixed[-1] != "/" else "path"


def families(patterns: Sequence[str], out_dir: Path | None) -> list[Family]:
    """Group the logs behind `--path` into families, one per future source.

    Args:
        patterns: Directories (every log file below: paths.is_log_name), files or globs.
        out_dir: Where the profile will be written; paths are relative to it.
            None (stdout): absolute paths.

    Raises:
        TracerunError: A pattern matches no file.
    """
    files, empty, _denied = expand_paths(list(patterns))
    if empty:
        msg = f"--path {empty[0]} matches no log file"
        hint = "give a directory (every log file below it is used), a file or a glob"
        raise TracerunError(msg, hint)
    groups: dict[tuple[Path, str], list[Path]] = {}
    for path in files:
        groups.setdefault((path.parent, source_name(path)), []).append(path)
    names = unique_names([(folder.name, name) for folder, name in groups])
    return [
        Family(
            name,
            "file",
            "paths",
            _pattern(folder, group, out_dir),
            _head(group),
            (),
            *_tail(group),
        )
        for name, ((folder, _), group) in zip(names, groups.items(), strict=True)
    ]


def _pattern(folder: Path, group: list[Path], out_dir: Path | None) -> str:
    prefix = os.path.commonprefix([path.name for path in group])  # noqa: RUF071 - names
    shown = folder.absolute() if out_dir is None else _relative(folder, out_dir)
    return f"{shown}{os.sep}{prefix}*"


def _relative(folder: Path, out_dir: Path) -> str:
    """Relative to the profile when the logs are near it (`../logs`), else absolute."""
    relative = os.path.relpath(folder.absolute(), out_dir.absolute())
    far = Path(relative).parts[:2] == (os.pardir, os.pardir)
    return str(folder.absolute()) if far else relative


def _tail(group: list[Path]) -> tuple[tuple[str, ...], int | None]:
    """Read the last lines and the modification time of the newest plain file."""
    for path in group:
        if is_compressed(path):
            continue
        try:
            written = path.stat().st_mtime_ns // 1000
            with path.open("rb") as raw:
                raw.seek(max(0, path.stat().st_size - _HEAD_BYTES))
                data = raw.read(_HEAD_BYTES).decode("utf-8", "replace")
        except OSError:
            continue
        lines = data.splitlines()[-HEAD_LINES:]
        if lines:
            return tuple(lines), written
    return (), None


def _head(group: list[Path]) -> tuple[str, ...]:
    """Read the first lines of the family's first file that has any (newest first)."""
    for path in group:
        try:
            with open_log(path) as stream:
                head = (
                    stream.read(_HEAD_BYTES)
                    .removeprefix(UTF8_BOM)
                    .decode("utf-8", "replace")
                )
        except (OSError, EOFError, ReadError):
            continue
        lines = head.splitlines()[:HEAD_LINES]
        if len(head) == _HEAD_BYTES and len(lines) < HEAD_LINES:
            lines = lines[:-1]  # the last one was cut
        if any(line.strip() for line in lines):
            return tuple(lines)
    return ()
