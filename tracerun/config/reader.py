"""Profile reader: YAML text → plain data plus a `{key path: Mark}` position index.

Why a node walk: PyYAML's constructed data has no positions, and it silently keeps
the last of two equal keys (yaml/pyyaml#165); walking the composed nodes once gives
both the positions and the duplicates (as pre-commit's yaml_rewrite.py walks nodes).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from tracerun.config.compose import BoundedComposer, ComposeLimitError
from tracerun.config.discover import REGULAR, file_kind
from tracerun.config.marks import KeyPath, Mark, Marks, SourceFile, Span, located
from tracerun.errors import ConfigIssue, quoted

try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"


class _Loader(BoundedComposer, _SafeLoader):
    """Safe loader without the implicit timestamp type: `2026-03-20` stays a string.

    Composed by BoundedComposer (aliases and nesting bounded, config/compose.py)
    over the C parser's events.
    """


# As rendercv/schema/yaml_reader.py: dates in profiles are text until a parser reads them.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(
    path: Path,
    name: str,
    issues: list[ConfigIssue],
    texts: list[tuple[str, str]] | None = None,
) -> tuple[dict[Any, Any], Marks] | None:
    """Read one YAML mapping with the position of every key and value.

    Args:
        path: The file to read.
        name: The file's name as messages show it.
        issues: Problems found (syntax, duplicate keys, ...) are appended here.
        texts: When given, (real path, text) of the file read is appended here
            (the trust check hashes exactly what was read, config/trust.py).

    Returns:
        The data and its marks, or None when the file gives no mapping to use.
    """
    try:
        text = _read_text(path)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        issues.append(ConfigIssue(name, 0, 0, "", f"cannot read: {reason}"))
        return None
    if texts is not None:
        texts.append((os.path.realpath(path), text))
    source = SourceFile(name, tuple(text.splitlines()))
    loader = _Loader(text)
    try:
        return _compose(loader, source, issues)
    except yaml.YAMLError as exc:
        issues.append(_syntax_issue(exc, source, text))
        return None
    finally:
        loader.dispose()


def _read_text(path: Path) -> str:
    """Read a regular file's text; a FIFO or device is refused, never read (it may block)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    kind = file_kind(os.fstat(fd).st_mode)
    if kind != REGULAR:
        os.close(fd)
        raise OSError(errno.EINVAL, f"it is {kind}, not a file")
    with os.fdopen(fd, "rb") as stream:
        return stream.read().decode("utf-8-sig")


def _compose(
    loader: _Loader, source: SourceFile, issues: list[ConfigIssue]
) -> tuple[dict[Any, Any], Marks] | None:
    node = loader.get_single_node()
    if node is None:
        hint = "write `version: 1` and `sources:`, or: tracerun init --path LOG_DIR"
        at = 1 if source.lines else 0  # a file of comments: point at its start
        first = source.lines[0] if source.lines else None
        message = "the profile is empty"
        issues.append(ConfigIssue(source.name, at, at, "", message, hint, first))
        return None
    index = _Indexer(loader, source)
    index.node(node, ())
    issues.extend(index.issues)
    data = loader.construct_document(node)
    if not isinstance(data, dict):
        message = "a profile must be a mapping of keys (version:, sources:, …)"
        issues.append(located(index.marks, (), message))
        return None
    return data, index.marks


class _Indexer:
    """One walk over the node tree: key path → Mark, and duplicate keys."""

    def __init__(self, loader: _Loader, source: SourceFile) -> None:
        self.loader = loader
        self.source = source
        self.issues: list[ConfigIssue] = []
        self.marks: Marks = {}

    def node(
        self, node: yaml.Node, path: KeyPath, key: yaml.Node | None = None
    ) -> None:
        key_span = None if key is None else self.span(key)
        block = isinstance(node, yaml.CollectionNode) and not node.flow_style
        self.marks[path] = Mark(self.source, key_span, self.span(node), block)
        # No cycle to guard against: compose.py refuses an alias inside its anchor.
        if isinstance(node, yaml.MappingNode):
            self.mapping(node, path)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.node(item, (*path, index))

    def mapping(self, node: yaml.MappingNode, path: KeyPath) -> None:
        first_line: dict[Any, int] = {}
        for key_node, value, explicit in _pairs(node, set()):
            key = self.key(key_node, node)
            if key in first_line and not explicit:
                continue  # an explicit key, or an earlier `<<` source, wins
            self.node(value, (*path, key), key_node)
            if key in first_line:
                self.duplicate(path, key, first_line[key], key_node)
            first_line.setdefault(key, key_node.start_mark.line + 1)

    def key(self, key_node: yaml.Node, mapping: yaml.Node) -> Any:
        if not isinstance(key_node, yaml.ScalarNode):
            context, problem = "while constructing a mapping", "found a non-scalar key"
            raise yaml.constructor.ConstructorError(
                context, mapping.start_mark, problem, key_node.start_mark
            )
        return self.loader.construct_object(key_node)

    def duplicate(
        self, path: KeyPath, key: Any, first: int, key_node: yaml.Node
    ) -> None:
        written = key_node.value if isinstance(key_node.value, str) else str(key)
        read = {True: "true", False: "false", None: "null"}.get(key, quoted(key))
        same = written == str(key)
        shown = quoted(key) if same else f"{quoted(written)} (YAML reads it as {read})"
        message = f"duplicate key {shown} (first defined on line {first})"
        hint = "YAML would keep only the last one; remove or rename one of them"
        self.issues.append(
            located(self.marks, (*path, key), message, hint, at="key", shown=path)
        )

    def span(self, node: yaml.Node) -> Span:
        start, end = node.start_mark, node.end_mark
        if end.line == start.line:
            width = end.column - start.column
        else:
            lines = self.source.lines
            width = (
                len(lines[start.line]) - start.column if start.line < len(lines) else 1
            )
        return Span(start.line + 1, start.column + 1, max(1, width))


def _pairs(
    node: yaml.MappingNode, seen: set[int]
) -> Iterator[tuple[yaml.Node, yaml.Node, bool]]:
    """Key/value nodes in precedence order: explicit keys, then `<<:` merged ones."""
    seen.add(id(node))
    merged: list[yaml.Node] = []
    for key, value in node.value:
        if key.tag != _MERGE:
            yield key, value, True
        elif isinstance(value, yaml.SequenceNode):
            merged.extend(value.value)
        else:
            merged.append(value)
    for source in merged:
        if isinstance(source, yaml.MappingNode) and id(source) not in seen:
            for key, value, _ in _pairs(source, seen):
                yield key, value, False


def _syntax_issue(exc: yaml.YAMLError, source: SourceFile, text: str) -> ConfigIssue:
    mark = getattr(exc, "problem_mark", None)
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position)
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1)
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        problem = f"{exc.reason} (U+{char:04X})"
    else:
        line, col = (mark.line, mark.column) if mark is not None else (-1, -1)
        problem = str(getattr(exc, "problem", None) or exc)
    shown = source.lines[line] if 0 <= line < len(source.lines) else None
    message, hint = f"invalid YAML: {problem}", _syntax_hint(exc, shown, col)
    if isinstance(exc, ComposeLimitError):  # valid YAML, but past a limit
        message, hint = problem, exc.hint
    return ConfigIssue(source.name, line + 1, col + 1, "", message, hint, shown)


def _syntax_hint(exc: yaml.YAMLError, shown: str | None, col: int) -> str | None:
    if shown is not None and shown[col : col + 1] == "\t":
        return "YAML indents with spaces; replace the tab"
    context, mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if not context or mark is None:
        return None
    hint = f"{context} that starts on line {mark.line + 1}"
    closing = _CLOSING.get(str(context).removeprefix("while parsing a "))
    if closing is not None:
        return f"{hint}: {closing}"
    problem = str(getattr(exc, "problem", ""))
    if context == "while parsing a block mapping" and "expected key" in problem:
        indent = len(shown) - len(shown.lstrip(" ")) if shown is not None else None
        if indent is not None and indent != mark.column:
            line = getattr(exc, "problem_mark", mark).line + 1
            keys = f"its keys are indented {mark.column} spaces"
            return f"{hint}: {keys}, line {line} is indented {indent}"
    return hint


_CLOSING = {
    "flow mapping": "end it with `}`, and write `,` between its entries",
    "flow sequence": "end it with `]`, and write `,` between its items",
}
