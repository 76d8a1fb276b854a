"""HTML output: the whole timeline → one self-contained page to attach to an incident.

No network: the CSS and the script are inline, and a Content-Security-Policy
allows exactly those two (by hash) and nothing else, so the page opens offline
and a log line can neither load nor run anything. Every log-derived string is
HTML-escaped; the data lives in the markup, never inside the script. The page
has the query, profile, window and version in its header, the waterfall as
SVG, and the records colour-coded per source, filterable by source and level,
searchable, with stack traces folded (`<details>`).
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Iterator

from tracerun.config.spec import OutputConfig
from tracerun.output.base import (
    OutputContext,
    RunInfo,
    TimelineFormatter,
    visible,
)
from tracerun.output.timeline import (
    Timeline,
    message_of,
    seconds,
    trailing_lines,
    value_text,
)
from tracerun.record import NO_TIME, Record
from tracerun.timeparse import format_utc_ms

PALETTE = 8
"""Source colours (classes s0…s7), by order of first appearance."""
_ROW, _LABEL, _WIDTH = 26, 150, 1000

STYLE = """
:root{--fg:#1f2328;--dim:#656d76;--bg:#fff;--line:#d0d7de;--err:#cf222e;--warn:#9a6700}
body{font:14px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg);margin:1.5rem}
h1{font-size:1.3rem;margin:0 0 .4rem}
code,pre,td.t,td.w{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:.5rem 0}
dl.facts dt{color:var(--dim)}dl.facts dd{margin:0}
svg{width:100%;max-width:1100px;height:auto;border:1px solid var(--line);border-radius:6px}
svg text{font:12px system-ui,sans-serif;fill:var(--fg)}svg text.axis{fill:var(--dim)}
svg line.grid{stroke:var(--line)}svg line.tick{stroke:#fff;stroke-width:1.5}
svg line.tick.error{stroke:var(--err);stroke-width:3}
table{border-collapse:collapse;width:100%;margin-top:.5rem}
th,td{text-align:left;vertical-align:top;padding:.2rem .5rem;border-bottom:1px solid var(--line)}
td.t,td.w{white-space:nowrap;color:var(--dim)}
td.l{font-weight:600}tr.error td.l,tr.fatal td.l{color:var(--err)}tr.warn td.l{color:var(--warn)}
tr.error,tr.fatal{background:#ffebe9}
span.src{display:inline-block;padding:0 .4rem;border-radius:4px;color:#fff}
div.f{color:var(--dim);font-size:12px;word-break:break-all}
pre{margin:.2rem 0;white-space:pre-wrap}summary{cursor:pointer;color:var(--dim)}
form{display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;align-items:center}
fieldset{border:1px solid var(--line);border-radius:6px;padding:.2rem .6rem}
input[type=search]{min-width:16rem;padding:.2rem .4rem}
[hidden]{display:none !important}
.s0{background:#0969da;fill:#0969da}.s1{background:#8250df;fill:#8250df}
.s2{background:#1a7f37;fill:#1a7f37}.s3{background:#bc4c00;fill:#bc4c00}
.s4{background:#bf3989;fill:#bf3989}.s5{background:#0a7b83;fill:#0a7b83}
.s6{background:#6e7781;fill:#6e7781}.s7{background:#953800;fill:#953800}
"""

SCRIPT = """
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var search = document.getElementById("search");
  var shown = document.getElementById("shown");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#timeline tbody tr"));
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[type=checkbox]"));
  function apply() {
    var allowed = {source: {}, level: {}};
    boxes.forEach(function (box) { if (box.checked) allowed[box.name][box.value] = true; });
    var needle = search.value.trim().toLowerCase();
    var count = 0;
    rows.forEach(function (row) {
      var keep = allowed.source[row.dataset.source] === true &&
        allowed.level[row.dataset.level] === true &&
        (needle === "" || row.textContent.toLowerCase().indexOf(needle) !== -1);
      row.hidden = !keep;
      if (keep) { count += 1; }
    });
    shown.textContent = count + " of " + rows.length + " records shown";
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  apply();
})();
"""


def escape(text: str) -> str:
    """Escape log text for HTML text and attribute values (control characters shown)."""
    return html.escape(visible(text), quote=True)


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode()).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


CSP = (
    f"default-src 'none'; style-src {_csp_hash(STYLE)}; "
    f"script-src {_csp_hash(SCRIPT)}; img-src 'none'; form-action 'none'; "
    "base-uri 'none'"
)
"""Only this page's own style and script may apply; nothing may be fetched."""


class HtmlFormatter(TimelineFormatter):
    """The trace as one HTML page, written after the last record."""

    def __init__(self, info: RunInfo) -> None:
        super().__init__()
        self._info = info

    def render(self, records: list[Record]) -> str:
        """Render the page of the records kept."""
        timeline = Timeline.of(records)
        terms = escape(" ".join(self._info.terms) or "trace")
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>tracerun: {terms}</title>",
            f"<style>{STYLE}</style></head><body>",
            f"<header><h1>Trace <code>{terms}</code></h1>",
            _facts(timeline, self._info),
            "</header>",
            '<section id="waterfall"><h2>Where the time went</h2>',
            *_svg(timeline),
            *_story(timeline),
            "</section>",
            '<section id="records"><h2>Records</h2>',
            *_filters(timeline),
            *_table(timeline),
            "</section>",
            f"<script>{SCRIPT}</script>",
            "</body></html>",
        ]
        return "\n".join(parts) + "\n"


def _facts(timeline: Timeline, info: RunInfo) -> str:
    facts = []
    if info.profile:
        facts.append(("profile", escape(info.profile)))
    if info.since is not None or info.until is not None:
        since = format_utc_ms(info.since) if info.since is not None else "…"
        until = format_utc_ms(info.until) if info.until is not None else "now"
        facts.append(("window", f"{since} → {until}"))
    count, sources = len(timeline.records), len(timeline.spans)
    span = ""
    if timeline.start != NO_TIME:
        span = (
            f" over {seconds(timeline.duration)}, {format_utc_ms(timeline.start)}"
            f" → {format_utc_ms(timeline.end)}"
        )
    facts.append(("records", f"{count} from {sources} source(s){span}"))
    if info.command:
        facts.append(("command", f"<code>{escape(info.command)}</code>"))
    if info.version:
        facts.append(("tracerun", escape(info.version)))
    items = "".join(f"<dt>{key}</dt><dd>{value}</dd>" for key, value in facts)
    return f'<dl class="facts">{items}</dl>'


def _svg(timeline: Timeline) -> Iterator[str]:
    height = _ROW * (len(timeline.spans) + 1) + 8
    yield (
        f'<svg id="bars" viewBox="0 0 {_WIDTH} {height}" role="img" '
        'aria-label="waterfall: one bar per source from its first to its last record">'
    )
    plot = _WIDTH - _LABEL - 20
    total = timeline.duration

    def x(us: int) -> float:
        return _LABEL + (plot * (us - timeline.start) / total if total else 0)

    if timeline.start != NO_TIME:
        yield from _axis(total, plot, height)
    for row, span in enumerate(timeline.spans):
        y = _ROW * (row + 1)
        name = escape(span.name)
        yield f'<text x="8" y="{y + 16}">{name}</text>'
        if span.first == NO_TIME:
            continue
        left, right = x(span.first), x(span.last)
        width = max(right - left, 3.0)
        tip = f"{name}: {span.records} records, {span.errors} errors, {seconds(span.duration)}"
        yield (
            f'<rect class="bar s{span.index % PALETTE}" data-source="{name}" '
            f'x="{left:.1f}" y="{y + 4}" width="{width:.1f}" height="16" rx="3">'
            f"<title>{tip}</title></rect>"
        )
        for record in timeline.records:
            if record.source == span.name and record.time != NO_TIME:
                kind = "tick error" if record.level in ("error", "fatal") else "tick"
                at = x(record.time)
                yield (
                    f'<line class="{kind}" x1="{at:.1f}" x2="{at:.1f}" '
                    f'y1="{y + 6}" y2="{y + 18}"/>'
                )
    yield "</svg>"


def _axis(total: int, plot: int, height: int) -> Iterator[str]:
    step = _nice_step(total)
    at = 0
    while at <= total:
        x = _LABEL + (plot * at / total if total else 0)
        yield f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="20" y2="{height}"/>'
        yield f'<text class="axis" x="{x:.1f}" y="14">{at / 1_000_000:g} s</text>'
        at += step
        if not total:
            break


def _nice_step(total: int) -> int:
    """Pick an axis step of 1, 2 or 5 times 10^k µs giving at most ten ticks."""
    step = 1
    while total / step > 10:
        for factor in (2, 5, 10):
            if total / (step * factor) <= 10:
                return step * factor
        step *= 10
    return step


def _story(timeline: Timeline) -> Iterator[str]:
    gaps = timeline.gaps()
    if gaps:
        yield "<h3>Largest gaps</h3><ol>"
        for gap in gaps:
            between = (
                f"{format_utc_ms(gap.before.time)[11:23]} → "
                f"{format_utc_ms(gap.after.time)[11:23]}"
            )
            yield f"<li>{escape(gap.name())} <small>({between})</small></li>"
        yield "</ol>"
    error = timeline.first_error()
    if error is not None:
        at = "-" if error.time == NO_TIME else format_utc_ms(error.time)
        text = escape(message_of(error))
        where = escape(_where(error))
        yield (
            f'<p id="first-error"><strong>First error</strong> {at} '
            f"{escape(error.source)}: {text} <small>({where})</small></p>"
        )


def _filters(timeline: Timeline) -> Iterator[str]:
    yield '<form id="filters"><fieldset><legend>sources</legend>'
    for span in timeline.spans:
        name = escape(span.name)
        yield (
            f'<label><input type="checkbox" name="source" value="{name}" checked> '
            f'<span class="src s{span.index % PALETTE}">{name}</span></label>'
        )
    yield "</fieldset><fieldset><legend>levels</legend>"
    levels = dict.fromkeys(_level(r) for r in timeline.records)
    for level in levels:
        value = escape(level)
        yield (
            f'<label><input type="checkbox" name="level" value="{value}" checked> '
            f"{value}</label>"
        )
    yield (
        '</fieldset><label>search <input type="search" id="search" '
        'placeholder="text in any column"></label></form>'
        f'<p id="shown">{len(timeline.records)} records</p>'
    )


def _table(timeline: Timeline) -> Iterator[str]:
    yield (
        '<table id="timeline"><thead><tr><th>time (UTC)</th><th>source</th>'
        "<th>level</th><th>message</th><th>where</th></tr></thead><tbody>"
    )
    colors = {span.name: span.index % PALETTE for span in timeline.spans}
    for record in timeline.records:
        yield _row(record, colors[record.source])
    yield "</tbody></table>"


def _row(record: Record, color: int) -> str:
    time = "-" if record.time == NO_TIME else format_utc_ms(record.time)
    source, level = escape(record.source), escape(_level(record))
    shown = "-" if level == "none" else level.upper()
    message = f"<div>{escape(message_of(record))}</div>"
    if following := trailing_lines(record):
        lines = escape("\n".join(following))
        count = len(following)
        message += (
            f"<details><summary>{count} more line{'s' * (count != 1)}</summary>"
            f"<pre>{lines}</pre></details>"
        )
    fields = " ".join(
        f"{key}={value_text(value)}"
        for key, value in record.fields.items()
        if key not in record.hidden
    )
    if fields:
        message += f'<div class="f">{escape(fields)}</div>'
    return (
        f'<tr class="{level}" data-source="{source}" data-level="{level}">'
        f'<td class="t">{time}</td><td><span class="src s{color}">{source}</span></td>'
        f'<td class="l">{shown}</td><td class="m">{message}</td>'
        f'<td class="w">{escape(_where(record))}</td></tr>'
    )


def _level(record: Record) -> str:
    return record.level or "none"


def _where(record: Record) -> str:
    return f"{record.origin}:{record.line}" if record.line else record.origin


def build(_config: OutputConfig, context: OutputContext) -> HtmlFormatter:
    """Build the `html` formatter (the registry's factory)."""
    return HtmlFormatter(context.info)
