"""Target: an Origin plus what reading it needs (parser, record-start rule, zone).

Why not in origin.py: a Target holds the origin's Parser (extract/), and the
shared nouns import nothing of ours; the plan builds Targets once, every reader
takes one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import tzinfo

from tracerun.extract import Parser
from tracerun.origin import Origin
from tracerun.plain import plain


@plain(frozen=True, slots=True)
class Target:
    """An origin with everything needed to read it: parser, record-start rule, zone."""

    origin: Origin
    parser: Parser
    tz: tzinfo
    start: re.Pattern[bytes] | None = None

    def is_start(self, line: bytes) -> bool:
        """Tell whether `line` begins a new record (vs. continuing a multi-line one).

        NULs before it are not part of it: the hole a copytruncate leaves when
        the writer goes on at its old offset (no O_APPEND) ends where the next
        record starts, without a line feed.
        """
        if line[:1] == b"\0":
            line = line.lstrip(b"\0")
        if self.start is not None:
            return self.start.search(line) is not None
        return self.parser.is_record_start(line)


# Lines that continue a record in a container's log: indented stack frames,
# blank lines, and the head and tail lines of Python and Java traces.
_CONTINUATION = re.compile(
    rb"\s|$|Traceback \(|Caused by:|During handling of|The above exception"
    rb"|[\w.$]+(?:Error|Exception|Exit|Interrupt)(?::|$)"
)


def stdout_start_rule(target: Target) -> Callable[[bytes], bool]:
    """Tell which lines of a container's output start a record (docker, kubernetes).

    `multiline.start` when the source sets it; otherwise every line does except
    the ones that look like the rest of a stack trace (indented frames, blank
    lines, `Traceback (...)`, `Caused by:`, `ValueError: ...`).

    Why not the file rule: a container's plain `print()` lines carry no timestamp
    of their own (the engine adds one), so "no leading timestamp" would glue them
    all into one record.
    """
    start = target.start
    if start is not None:
        return lambda line: start.search(line) is not None
    is_start = target.parser.is_record_start
    return lambda line: is_start(line) or _CONTINUATION.match(line) is None
