"""Marks: where each key path of a profile is written, and issues located by them.

The position index that reader.py builds while reading YAML, and the one
function that turns a key path into a `file:line:col` ConfigIssue; kept apart
from locate.py (pydantic's errors) so that loading a valid profile, or shell
completion, never imports the error-wording machinery or pydantic.
"""

from __future__ import annotations

from typing import Any, Literal

from tracerun.errors import ConfigIssue
from tracerun.plain import plain

Where = Literal["key", "value"]


KeyPath = tuple[Any, ...]
"""Keys and list indexes from the document root, e.g. ('sources', 'edge', 'paths', 0)."""


@plain(frozen=True, slots=True)
class Span:
    """A 1-based position and how many characters to underline."""

    line: int
    col: int
    width: int


@plain(frozen=True, slots=True)
class SourceFile:
    """A profile file's text: its name as shown in messages and its lines."""

    name: str
    lines: tuple[str, ...]


@plain(frozen=True, slots=True)
class Mark:
    """Where one key path is written: its key, its value, and its file."""

    source: SourceFile
    key: Span | None
    value: Span
    block: bool
    """The value is a block mapping/list (its key is the better place to point)."""


Marks = dict[KeyPath, Mark]


def format_key_path(path: KeyPath) -> str:
    """Show a key path as `sources.edge.paths[0]`."""
    text = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def located(
    marks: Marks,
    path: KeyPath,
    message: str,
    hint: str | None = None,
    *,
    at: Where = "value",
    shown: KeyPath | None = None,
) -> ConfigIssue:
    """Build a ConfigIssue located at `path` (or its nearest ancestor that is written).

    Args:
        marks: The index from reader.read_yaml; must hold the root `()`.
        path: Where the problem is.
        message: What is wrong.
        hint: How to fix it.
        at: Point at the key, or at the value (a block value points at its key).
        shown: The key path printed before the message; default `path`.
    """
    found = path
    while found not in marks and found:
        found = found[:-1]
    mark = marks[found]
    use_key = at == "key" or mark.block or found != path
    span = (mark.key or mark.value) if use_key else mark.value
    lines = mark.source.lines
    text = lines[span.line - 1] if 0 < span.line <= len(lines) else None
    return ConfigIssue(
        file=mark.source.name,
        line=span.line,
        col=span.col,
        key_path=format_key_path(path if shown is None else shown),
        message=message,
        hint=hint,
        source_line=text,
        width=span.width,
    )
