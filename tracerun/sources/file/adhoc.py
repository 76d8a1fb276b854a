"""Ad hoc files: `--path` values → file sources named after their logs (trace, init).

`./logs/orders.log` and `./logs/orders.log.1.gz` become one file source
`orders`; `init` gets one family per such log, with its newest file's first lines.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from tracerun.config.spec import FileSourceConfig
from tracerun.errors import TracerunError
from tracerun.sources.base import Family, ReadError, unique_names
from tracerun.sources.file.open import is_compressed, open_log
from tracerun.sources.file.paths import expand_paths, source_name

HEAD_LINES = 50
"""How many lines of each log `init` looks at."""
_HEAD_BYTES = 64 * 1024


def adhoc_sources(patterns: Sequence[str]) -> dict[str, FileSourceConfig]:
    """Group the files behind `--path` patterns into one file source per name.

    A pattern that matches no file is kept as its own source, so that the run
    reports it instead of silently ignoring it.
    """
    files, empty = expand_paths(list(patterns))
    grouped: dict[str, list[str]] = {}
    for path in files:
        grouped.setdefault(source_name(path), []).append(str(path))
    for pattern in empty:
        grouped.setdefault(source_name(Path(pattern)), []).append(pattern)
    return {name: FileSourceConfig(paths=paths) for name, paths in grouped.items()}


def families(patterns: Sequence[str], out_dir: Path | None) -> list[Family]:
    """Group the logs behind `--path` into families, one per future source.

    Args:
        patterns: Directories (every `*.log*` below), files or globs.
        out_dir: Where the profile will be written; paths are relative to it.
            None (stdout): absolute paths.

    Raises:
        TracerunError: A pattern matches no file.
    """
    files, empty = expand_paths(list(patterns))
    if empty:
        msg = f"--path {empty[0]} matches no log file"
        hint = "give a directory (every *.log* below it is used), a file or a glob"
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
                head = stream.read(_HEAD_BYTES).decode("utf-8", "replace")
        except (OSError, EOFError, ReadError):
            continue
        lines = head.splitlines()[:HEAD_LINES]
        if len(head) == _HEAD_BYTES and len(lines) < HEAD_LINES:
            lines = lines[:-1]  # the last one was cut
        if any(line.strip() for line in lines):
            return tuple(lines)
    return ()
