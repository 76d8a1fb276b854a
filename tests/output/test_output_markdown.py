"""Markdown: table rows stream, cells are escaped, the summary and command follow."""

from __future__ import annotations

from pathlib import Path

from helpers.records import rec
from markdown_it import MarkdownIt

from tracerun.output import BUILTIN, build_formatter
from tracerun.output.base import RunInfo
from tracerun.output.markdown import cell, fenced

ROOT = Path(__file__).resolve().parents[2]
GFM = MarkdownIt("gfm-like").disable("linkify")
"""Tables and fences as GitHub and GitLab parse them (CommonMark + GFM tables)."""
INFO = RunInfo(terms=("req-1",), profile="demo", command="tracerun -p demo req-1")


def test_cell_escapes_pipes_newlines_html_and_inline_markup() -> None:
    assert cell("a|b") == "a\\|b"
    assert cell("line 1\n  line 2") == "line 1<br>&nbsp;&nbsp;line 2"
    assert cell("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert cell("*bold* _it_ `code` [l](x) ~s~ $x$ \\") == (
        "\\*bold\\* \\_it\\_ \\`code\\` \\[l\\](x) \\~s\\~ \\$x\\$ \\\\"
    )
    assert cell("a &amp; b\r") == "a &amp;amp; b"


def test_fence_is_longer_than_any_backtick_run_inside() -> None:
    assert fenced("plain") == "```text\nplain\n```\n"
    assert fenced("has ```` four") == "`````text\nhas ```` four\n`````\n"


def test_rows_stream_after_a_heading_and_the_summary_comes_last() -> None:
    formatter = build_formatter(BUILTIN["markdown"], ["a"], color=False, info=INFO)

    first = formatter.format(rec(0, "a", "got | it", level="error"))
    second = formatter.format(rec(5, "a", "done"))
    last = formatter.finish()

    assert first == (
        "## Trace req-1\n\nprofile demo\n\n"
        "| time (UTC) | source | level | message |\n"
        "| --- | --- | --- | --- |\n"
        "| 2026-03-20T14:10:00.000Z | a | ERROR | got \\| it |\n"
    )
    assert second == "| 2026-03-20T14:10:00.005Z | a | INFO | done |\n"
    assert last.startswith("\n### Summary\n\n```text\nreq-1: 2 records from 1 source")
    assert last.endswith("\nProduced by:\n\n```sh\ntracerun -p demo req-1\n```\n")


def test_no_records_still_has_the_heading_and_summary() -> None:
    formatter = build_formatter(BUILTIN["markdown"], [], color=False, info=INFO)

    assert formatter.finish().startswith(
        "## Trace req-1\n\nprofile demo\n\n\n### Summary\n\n```text\nreq-1: no records\n"
    )


def test_demo_page_renders_as_one_table_with_a_row_per_record() -> None:
    text = (ROOT / "tests" / "testdata" / "demo.md").read_text(encoding="utf-8")

    tokens = GFM.parse(text)
    kinds = [t.type for t in tokens]
    assert kinds.count("table_open") == 1
    assert kinds.count("tr_open") == 17  # the header and 16 records
    assert kinds.count("fence") == 2  # the summary and the command


def test_hostile_cells_render_as_their_literal_text() -> None:
    formatter = build_formatter(BUILTIN["markdown"], ["a"], color=False, info=INFO)
    nasty = "a | b <script>x</script> `c` *d* [e](f) ```g"
    page = formatter.format(rec(0, "a", nasty)) + formatter.finish()

    html = GFM.render(page)
    row = html.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert "<td>a | b &lt;script&gt;x&lt;/script&gt; `c` *d* [e](f) ```g</td>" in row
