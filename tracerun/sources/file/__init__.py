"""File source: log files, their rotations and compressed archives on this machine.

`source.py` is the type's Source; `paths` (globs, rotation names), `open`
(compression), `pieces` (one-shot reading), `seek` (time bisection), `coverage`
(head and tail times), `tail` and `globs` (following) are its parts.
"""

from __future__ import annotations

from tracerun.sources.base import AdhocFlag, Source, SourceType


def _load() -> Source:
    from tracerun.sources.file.source import FileSource  # noqa: PLC0415 - start-up: loaded when a plan has files

    return FileSource()


TYPE = SourceType(
    "file",
    _load,
    AdhocFlag(
        "--path",
        "GLOB",
        "Also read these files/dirs/globs (no profile needed).",
        "Logs to describe (a directory, file or glob).",
    ),
)
