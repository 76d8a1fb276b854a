"""Mermaid output: the whole timeline → a `sequenceDiagram` of the hops between sources.

Participants in order of first appearance, one arrow per hand-off (consecutive
records of two sources) labelled with the elapsed time and the receiving
record's message, a note on the first error. Printed inside a ```mermaid fence,
ready for GitHub and GitLab Markdown.
"""

from __future__ import annotations

from tracerun.config.spec import OutputConfig
from tracerun.output.base import OutputContext, TimelineFormatter, visible
from tracerun.output.timeline import Timeline, message_of
from tracerun.record import NO_TIME, Record

MAX_LABEL = 60
"""Characters of a message shown on an arrow or a note."""
_PLAIN = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,_/=:'+-@?!*"
)
"""Characters written as they are; any other ASCII one becomes an entity code."""


def text(value: str, limit: int = MAX_LABEL) -> str:
    """Make log text safe in a Mermaid label: one line, entity codes for syntax."""
    line = visible(value.replace("\r", " ").replace("\n", " "))
    if len(line) > limit:
        line = line[: limit - 1] + "…"
    return "".join(c if c in _PLAIN or c > "\x7f" else f"#{ord(c)};" for c in line)


def elapsed(before: Record, after: Record) -> str:
    """`+1.141 s` between two records, `?` when one has no time."""
    if NO_TIME in (before.time, after.time):
        return "?"
    return f"+{(after.time - before.time) / 1_000_000:.3f} s"


class MermaidFormatter(TimelineFormatter):
    """A sequence diagram of the trace, rendered after the last record."""

    def render(self, records: list[Record]) -> str:
        """Draw the diagram of the records kept."""
        timeline = Timeline.of(records)
        ids = {span.name: f"S{span.index}" for span in timeline.spans}
        lines = ["```mermaid", "sequenceDiagram"]
        lines += [
            f"    participant {ids[s.name]} as {text(s.name)}" for s in timeline.spans
        ]
        error = timeline.first_error()
        previous: Record | None = None
        for record in records:
            if previous is not None and previous.source != record.source:
                arrow = f"{ids[previous.source]}->>{ids[record.source]}"
                label = f"{elapsed(previous, record)} {message_of(record)}"
                lines.append(f"    {arrow}: {text(label)}")
            if record is error:
                note = f"{record.level.upper()} {message_of(record)}"
                lines.append(f"    Note over {ids[record.source]}: {text(note)}")
            previous = record
        lines.append("```")
        return "\n".join(lines) + "\n"


def build(_config: OutputConfig, _context: OutputContext) -> MermaidFormatter:
    """Build the `mermaid` formatter (the registry's factory)."""
    return MermaidFormatter()
