"""Formatter protocol: Records → the text written to stdout, per record and after the last.

Streaming formats (text, ndjson) render each record as it comes; formats that
need the whole timeline (summary, markdown's summary, html, jaeger, otlp,
mermaid) keep the records and render in `finish()`, called once after the last.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol, TextIO

from tracerun.plain import field, plain

if TYPE_CHECKING:
    from tracerun.record import Record


@plain(frozen=True)
class RunInfo:
    """What a trace was asked, for the formats that show it (headers, notes).

    Attributes:
        terms: the search terms as typed (`req-7f3a9c2e`, `request_id=abc`).
        profile: the profile's name or path as given to `-p`; "" when ad hoc.
        since: start of the time window (µs since the epoch), None when open.
        until: end of the time window (µs), None when open.
        command: the command line that produced the output, shell-quoted.
        version: tracerun's version.
        expanded: ids are followed (`--expand`): ndjson records carry `via`.
    """

    terms: tuple[str, ...] = ()
    profile: str = ""
    since: int | None = None
    until: int | None = None
    command: str = ""
    version: str = ""
    expanded: bool = False


_CONTROL = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
"""Control characters, and lone surrogates (JSON's "\\ud800": no UTF-8 for them)."""
_control: re.Pattern[str] | None = None


def visible(text: str) -> str:
    """Show control characters as `\\x1b` (and lone surrogates as `\\ud800`): inert, printable."""
    if text.isascii() and text.isprintable():  # none of them: the common case
        return text
    global _control  # noqa: PLW0603 - compiled on first use (~0.8 ms, issue #18)
    if _control is None:
        _control = re.compile(_CONTROL)
    return _control.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_JSON_UNSAFE = "[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
"""What JSON writers leave raw in a string but a terminal acts on: DEL, the C1
controls (U+009B is CSI: `\u009b2J` clears the screen), separators, bidi."""
_json_unsafe: re.Pattern[str] | None = None


def inert_json(text: str) -> str:
    """Write DEL, C1 and bidi controls in JSON text as `\\u009b` escapes (lossless).

    Why: orjson and `json` escape C0 controls only, so `-o ndjson` on a
    terminal would send a log's U+009B (a one-character CSI) as is. These
    characters can only stand inside a JSON string, where the escape is the
    same value.
    """
    if text.isascii():  # the common case
        return text
    global _json_unsafe  # noqa: PLW0603 - compiled on first use (issue #18)
    if _json_unsafe is None:
        _json_unsafe = re.compile(_JSON_UNSAFE)
    return _json_unsafe.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


_NON_ASCII: re.Pattern[str] | None = None


def ascii_json(text: str) -> str:
    """Write every non-ASCII character of JSON text as its `\\u` escape (pairs past U+FFFF).

    For a stream that cannot encode more (PYTHONIOENCODING=ascii): its
    `backslashreplace` would write `\\xe9`, which is not JSON.
    """
    if text.isascii():
        return text
    global _NON_ASCII  # noqa: PLW0603 - compiled on first use (issue #18)
    if _NON_ASCII is None:
        _NON_ASCII = re.compile("[^\x00-\x7f]")
    return _NON_ASCII.sub(_u_escape, text)


def _u_escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def ascii_only(stream: TextIO | None) -> bool:
    """Tell whether a stream's encoding stops at ASCII (LC_ALL=C without UTF-8 mode)."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        return not codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        return False


DEFAULT_WIDTH = 100
"""Columns when the width cannot be known (not a terminal, no COLUMNS)."""


@plain(frozen=True)
class OutputContext:
    """What a formatter is built with besides its configuration.

    Why not slotted (nor RunInfo): one of each per run, and a slotted dataclass
    is built twice at import (start-up cost, see config/spec.py).

    Attributes:
        sources: the source names, in profile order.
        color: whether to write ANSI colour.
        info: what the trace was asked.
        width: the columns of the stream written to (for drawings).
        ascii: the stream encodes ASCII only: JSON is written with `\\u` escapes.
    """

    sources: Sequence[str] = ()
    color: bool = False
    info: RunInfo = field(default_factory=RunInfo)
    width: int = DEFAULT_WIDTH
    ascii: bool = False


def terminal_width(stream: TextIO | None, env: Mapping[str, str] = os.environ) -> int:
    """Columns to draw in: `COLUMNS`, else the terminal's width, else 100."""
    columns = env.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        if stream is not None and stream.isatty():
            return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        pass
    return DEFAULT_WIDTH


class Formatter(Protocol):
    """Renders records; both methods return complete lines, newline included."""

    def format(self, record: Record) -> str:
        """Render one record ("" when the format renders at the end)."""
        ...

    def finish(self) -> str:
        """Render what comes after the last record ("" for a streaming format)."""
        ...


class StreamingFormatter:
    """The default `finish`: nothing after the last record (text, ndjson)."""

    def finish(self) -> str:
        """Return "": every record was rendered as it came."""
        return ""


class TimelineFormatter:
    """A format that needs the whole timeline: keeps records, renders in `finish`.

    Subclasses implement `render(records)`.
    """

    def __init__(self) -> None:
        self.records: list[Record] = []

    def format(self, record: Record) -> str:
        """Keep the record for `finish`; print nothing yet."""
        self.records.append(record)
        return ""

    def finish(self) -> str:
        """Render the whole timeline."""
        return self.render(self.records)

    def render(self, records: list[Record]) -> str:
        """Render every record kept, in order; overridden by each format."""
        raise NotImplementedError
