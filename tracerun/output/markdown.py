"""Markdown output: Records → a GitHub/GitLab table, then the summary and the command.

For runbooks, tickets and post-mortems. Rows stream as records come; the
summary (a fenced waterfall) follows the last one. Every log-derived string is
escaped for a table cell: pipes, newlines, HTML, and Markdown's inline syntax.
"""

from __future__ import annotations

import re

from tracerun.config.spec import OutputConfig
from tracerun.output.base import OutputContext, visible
from tracerun.output.summary import render_summary
from tracerun.output.timeline import message_of, trailing_lines
from tracerun.record import NO_TIME, Record
from tracerun.timeparse import format_utc_ms

_INLINE = re.compile(r"([\\`*_\[\]|~$])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_BACKTICKS = re.compile(r"`+")
_LEADING = re.compile(r"^ +")


def cell(text: str) -> str:
    """Escape text for one Markdown table cell (it renders as the literal text)."""
    text = "".join(_HTML.get(c, c) for c in visible(text.replace("\r", "")))
    text = _INLINE.sub(r"\\\1", text)
    return "<br>".join(_LEADING.sub(_spaces, line) for line in text.split("\n"))


def _spaces(match: re.Match[str]) -> str:
    """Keep a stack trace's indentation: HTML collapses leading spaces."""
    return "&nbsp;" * len(match[0])


def fenced(text: str, info: str = "text") -> str:
    """Wrap text in a code fence longer than any run of backticks inside it."""
    longest = max((len(m) for m in _BACKTICKS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text.rstrip()}\n{fence}\n"


class MarkdownFormatter:
    """A table row per record; the heading before the first, the summary after the last."""

    def __init__(self, context: OutputContext) -> None:
        self._context = context
        self._records: list[Record] = []

    def format(self, record: Record) -> str:
        """Render one table row (after the heading, for the first record)."""
        head = "" if self._records else self._heading()
        self._records.append(record)
        time = "-" if record.time == NO_TIME else format_utc_ms(record.time)
        message = "\n".join((message_of(record), *trailing_lines(record)))
        row = (time, cell(record.source), cell(record.level.upper()), cell(message))
        return head + "| " + " | ".join(row) + " |\n"

    def finish(self) -> str:
        """Render the summary and the command that produced the page."""
        info = self._context.info
        head = "" if self._records else self._heading(table=False)
        summary = render_summary(self._records, info, 80)
        parts = [head, "\n### Summary\n\n", fenced(summary)]
        if info.command:
            parts += ["\nProduced by:\n\n", fenced(info.command, "sh")]
        return "".join(parts)

    def _heading(self, *, table: bool = True) -> str:
        info = self._context.info
        terms = " ".join(info.terms) or "trace"
        lines = [f"## Trace {cell(terms)}", ""]
        facts = []
        if info.profile:
            facts.append(f"profile {cell(info.profile)}")
        if info.since is not None or info.until is not None:
            since = format_utc_ms(info.since) if info.since is not None else "…"
            until = format_utc_ms(info.until) if info.until is not None else "now"
            facts.append(f"window {since} → {until}")
        if info.version:
            facts.append(f"tracerun {info.version}")
        if facts:
            lines += [", ".join(facts), ""]
        if table:
            lines += [
                "| time (UTC) | source | level | message |",
                "| --- | --- | --- | --- |",
            ]
        return "\n".join(lines) + "\n"


def build(_config: OutputConfig, context: OutputContext) -> MarkdownFormatter:
    """Build the `markdown` formatter (the registry's factory)."""
    return MarkdownFormatter(context)
