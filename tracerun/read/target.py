"""Target: an Origin plus what reading it needs (parser, record-start rule, zone).

Why not in origin.py: a Target holds the origin's Parser (extract/), and the
shared nouns import nothing of ours; the plan builds Targets once, every reader
takes one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import tzinfo

from tracerun.extract import Parser
from tracerun.origin import Origin


@dataclass(frozen=True, slots=True)
class Target:
    """An origin with everything needed to read it: parser, record-start rule, zone."""

    origin: Origin
    parser: Parser
    tz: tzinfo
    start: re.Pattern[bytes] | None = None

    def is_start(self, line: bytes) -> bool:
        """Tell whether `line` begins a new record (vs. continuing a multi-line one)."""
        if self.start is not None:
            return self.start.search(line) is not None
        return self.parser.is_record_start(line)
