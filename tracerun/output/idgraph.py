"""Id graph: what `--expand` followed → a tree on stderr (which id led to which, where).

Readable without colour: the tree is drawn with box characters, and an id that
was not followed says why in words, not in a colour.

```
ids followed (3 ids, 2 passes after the query):
req-7f3a9c2e  16 records: gateway, orders, inventory, payments
└─ order_id=ord-20260320-8841  found at orders  3 records: orders, worker
   └─ job_id=job-3f1c77  found at worker  2 records: worker
```
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from tracerun.output.base import visible
from tracerun.output.color import DIM, RESET


class IdNode(NamedTuple):
    """One id of an expanded trace.

    Attributes:
        term: how it is shown: the query's term, or `field=value`.
        parent: index of the id whose records carried it; None for the query's.
        found_at: the source of the first record that carried it ("" for the query's).
        records: records it brought in (those no earlier id had found).
        sources: the sources of those records, in order of first appearance.
        note: why it was not followed or not searched ("" when it was).
    """

    term: str
    parent: int | None
    found_at: str = ""
    records: int = 0
    sources: tuple[str, ...] = ()
    note: str = ""


def render_graph(nodes: Sequence[IdNode], passes: int, *, color: bool = False) -> str:
    """Draw the ids as a tree under the query's terms (newline-terminated lines)."""
    children: dict[int | None, list[int]] = {}
    for index, node in enumerate(nodes):
        children.setdefault(node.parent, []).append(index)
    followed = sum(1 for node in nodes if not node.note)
    ids = "id" if followed == 1 else "ids"
    after = "pass" if passes == 1 else "passes"
    lines = [f"ids followed ({followed} {ids}, {passes} {after} after the query):"]

    def walk(index: int, prefix: str, last: bool, top: bool) -> None:
        node = nodes[index]
        branch = "" if top else ("└─ " if last else "├─ ")
        lines.append(prefix + branch + _describe(node, color=color))
        below = children.get(index, [])
        inner = prefix if top else prefix + ("   " if last else "│  ")
        for position, child in enumerate(below):
            walk(child, inner, position == len(below) - 1, top=False)

    for root in children.get(None, []):
        walk(root, "", last=True, top=True)
    return "\n".join(lines) + "\n"


def _describe(node: IdNode, *, color: bool) -> str:
    parts = [visible(node.term)]
    if node.found_at:
        parts.append(f"found at {node.found_at}")
    if node.note:
        parts.append(node.note)
    else:
        noun = "record" if node.records == 1 else "records"
        where = f": {', '.join(node.sources)}" if node.sources else ""
        parts.append(f"{node.records} {noun}{where}")
    text = "  ".join(parts)
    if color and node.note:
        return f"{DIM}{text}{RESET}"
    return text
