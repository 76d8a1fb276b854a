"""Record: one matched log record on the hot path (a slotted plain class, never a model)."""

from __future__ import annotations

from typing import Any

from tracerun.plain import field, plain

SortKey = tuple[int, int, str, int, int]

NO_TIME = -(2**62)
"""Sort key for a record with no timestamp and none before it: first, shown as `-`."""


def field_text(value: Any) -> str:
    """Render a field value the way it is compared and printed (JSON-ish scalars)."""
    if isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    return str(value)


@plain(frozen=True, slots=True)
class ContextLine:
    """A line near a record, from the same origin (`-A/-B/-C`), shown as it was read.

    Attributes:
        offset: bytes from the record's first byte to the line's (negative before it).
        delta: lines from the record's first line (negative before it).
        text: the line, decoded.
    """

    offset: int
    delta: int
    text: str


@plain(slots=True)
class Context:
    """The lines around one record: before its first line, after its last.

    `extent` is the record's own length in bytes (newline included), so that
    a neighbour's context can leave out what the record itself prints.
    """

    before: tuple[ContextLine, ...] = ()
    after: tuple[ContextLine, ...] = ()
    extent: int = 0


@plain(slots=True)
class Record:
    """A log record that matched the query, ready to be merged and printed.

    Attributes:
        time: instant in microseconds since the Unix epoch (UTC).
        source: the profile's source name.
        source_index: position of the source in the profile (tie-break order).
        origin: where it was read: a file path, a container name, host:path.
        line: 1-based line number (or sequence number) of its first line; 0 when
            unknown (a file entered mid-way by time bisection).
        level: normalised level ("" when the record has none).
        message: the message text ("" when the record has none).
        fields: every extracted field, as parsed (strings, numbers, nested values).
        raw: the record's first line, decoded.
        continuation: the following lines of a multi-line record.
        hidden: keys of `fields` that hold the time, level and message (text
            output shows those in their own columns).
        offset: byte offset of the record in its origin (orders records whose
            line is unknown).
        stack: a stack trace held in a field (JSON `exc_info`, `stack_trace`,
            ...), as lines; text output prints them as it prints continuation
            lines, and leaves the field (named in `hidden`) out.
        context: the lines around it when `-A/-B/-C` asked for them, else None.
        via: with `--expand`, the chain of ids that led to it
            (`order_id=ord-8841 ← request_id=req-7f3a`); "" for the query's own.
    """

    time: int
    source: str
    source_index: int
    origin: str
    line: int
    level: str
    message: str
    fields: dict[str, Any]
    raw: str
    continuation: tuple[str, ...] = field(default=())
    hidden: tuple[str, ...] = field(default=())
    offset: int = 0
    stack: tuple[str, ...] = field(default=())
    context: Context | None = None
    via: str = ""

    def sort_key(self) -> SortKey:
        """Total order: instant, then source order, then origin, line, byte offset."""
        return (self.time, self.source_index, self.origin, self.line, self.offset)
