"""Bounded composer: YAML parse events → a node tree, refusing alias bombs and deep nesting.

Why not PyYAML's composer: it lets nine anchors of nine aliases each stand for
a billion values (a "billion laughs" profile ran `validate` past 25 s and
2.3 GB, issue #12), and every walk over the tree (ours, the constructor's,
pydantic's) recurses once per level. This one counts, while composing, how many
nodes the aliases stand for and how deep the tree is, and stops at the alias
or the node past the limit, so nothing is ever expanded beyond it. Anchors,
aliases and merge keys (`<<: *base`) of ordinary size work as before.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_DEPTH = 64
"""Mappings and lists nested deeper than this are refused (a profile needs ~6)."""
MAX_ALIAS_NODES = 10_000
"""Aliases may stand for this many nodes in all (keys, values, items), no more."""


class ComposeLimitError(yaml.YAMLError):
    """A document past MAX_DEPTH or MAX_ALIAS_NODES: what, where, and a hint."""

    def __init__(self, problem: str, hint: str, mark: Any) -> None:
        super().__init__(problem)
        self.problem = problem
        self.hint = hint
        self.problem_mark = mark


class BoundedComposer:
    """Mixed into a loader before its parser: replaces `get_single_node`.

    The parser (C or Python) supplies `check_event`, `peek_event`, `get_event`;
    the resolver supplies `resolve`, `descend_resolver` and `ascend_resolver`.
    """

    check_event: Any
    peek_event: Any
    get_event: Any
    resolve: Any
    descend_resolver: Any
    ascend_resolver: Any

    def get_single_node(self) -> Node | None:
        """Compose the stream's one document (None for an empty stream)."""
        self._anchors: dict[str, Node] = {}
        self._weights: dict[int, int] = {}
        self._through_aliases = 0
        self.get_event()  # stream start
        node = None
        if not self.check_event(StreamEndEvent):
            self.get_event()  # document start
            node = self._node(None, None, 1)[0]
            self.get_event()  # document end
        if not self.check_event(StreamEndEvent):
            event = self.get_event()
            context = "expected a single document in the stream"
            first = None if node is None else node.start_mark
            problem = "but found another document"
            raise yaml.composer.ComposerError(context, first, problem, event.start_mark)
        self.get_event()  # stream end
        return node

    def _node(self, parent: Node | None, index: Any, depth: int) -> tuple[Node, int]:
        """Compose one node; return it and how many nodes it stands for."""
        if self.check_event(AliasEvent):
            return self._alias(self.get_event())
        event = self.peek_event()
        anchor = event.anchor
        if anchor is not None and anchor in self._anchors:
            context = f"found duplicate anchor {anchor!r}; first occurrence"
            first = self._anchors[anchor].start_mark
            raise yaml.composer.ComposerError(
                context, first, "second occurrence", event.start_mark
            )
        if depth > MAX_DEPTH and not self.check_event(ScalarEvent):
            problem = f"values are nested more than {MAX_DEPTH} levels deep here"
            hint = "a profile needs a few levels; is this indentation a mistake?"
            raise ComposeLimitError(problem, hint, event.start_mark)
        self.descend_resolver(parent, index)
        if self.check_event(ScalarEvent):
            node, weight = self._scalar(anchor), 1
        elif self.check_event(SequenceStartEvent):
            node, weight = self._sequence(anchor, depth)
        else:
            node, weight = self._mapping(anchor, depth)
        self.ascend_resolver()
        if anchor is not None:
            self._weights[id(node)] = weight
        return node, weight

    def _alias(self, event: Any) -> tuple[Node, int]:
        node = self._anchors.get(event.anchor)
        if node is None:
            problem = f"found undefined alias {event.anchor!r}"
            raise yaml.composer.ComposerError(None, None, problem, event.start_mark)
        weight = self._weights.get(id(node))
        if weight is None:
            problem = "found an alias inside its own anchor (a value containing itself)"
            raise yaml.composer.ComposerError(None, None, problem, event.start_mark)
        self._through_aliases += weight
        if self._through_aliases > MAX_ALIAS_NODES:
            problem = (
                f"aliases here stand for more than {MAX_ALIAS_NODES:,} values in all"
            )
            hint = "write the values out, or use fewer aliases of big anchors"
            raise ComposeLimitError(problem, hint, event.start_mark)
        return node, weight

    def _scalar(self, anchor: str | None) -> Node:
        event = self.get_event()
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolve(ScalarNode, event.value, event.implicit)
        node = ScalarNode(
            tag, event.value, event.start_mark, event.end_mark, style=event.style
        )
        if anchor is not None:
            self._anchors[anchor] = node
        return node

    def _sequence(self, anchor: str | None, depth: int) -> tuple[Node, int]:
        start = self.get_event()
        tag = start.tag
        if tag is None or tag == "!":
            tag = self.resolve(SequenceNode, None, start.implicit)
        node = SequenceNode(
            tag, [], start.start_mark, None, flow_style=start.flow_style
        )
        if anchor is not None:
            self._anchors[anchor] = node
        weight = 1
        while not self.check_event(SequenceEndEvent):
            item, size = self._node(node, len(node.value), depth + 1)
            node.value.append(item)
            weight += size
        node.end_mark = self.get_event().end_mark
        return node, weight

    def _mapping(self, anchor: str | None, depth: int) -> tuple[Node, int]:
        start = self.get_event()
        tag = start.tag
        if tag is None or tag == "!":
            tag = self.resolve(MappingNode, None, start.implicit)
        node = MappingNode(tag, [], start.start_mark, None, flow_style=start.flow_style)
        if anchor is not None:
            self._anchors[anchor] = node
        weight = 1
        while not self.check_event(MappingEndEvent):
            key, key_size = self._node(node, None, depth + 1)
            value, value_size = self._node(node, key, depth + 1)
            node.value.append((key, value))
            weight += key_size + value_size
        node.end_mark = self.get_event().end_mark
        return node, weight
