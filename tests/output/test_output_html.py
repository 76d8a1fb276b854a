"""HTML report: escaped, self-contained, and working in a real headless Chromium.

The browser tests share one Chromium (the session's `browser`) and open the demo trace's
page and a page built from hostile log lines; a screenshot of the demo page is
saved under pytest's temporary directory (its path is printed).
"""

from __future__ import annotations

import base64
import hashlib
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.browser import Browser, Page
from helpers.records import rec

from tracerun.cli import cli
from tracerun.output import BUILTIN, build_formatter
from tracerun.output.base import RunInfo
from tracerun.output.html import CSP, SCRIPT, STYLE, escape

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = [
    '{"ts":"2026-03-20T14:10:00Z","request_id":"abc","msg":"<script>window.pwned=1</script>"}',
    (
        '{"ts":"2026-03-20T14:10:01Z","request_id":"abc","msg":"<img src=x onerror=\\"window.pwned=2\\">",'
        '"level":"error","note":"\\" onmouseover=\\"window.pwned=3"}'
    ),
    '{"ts":"2026-03-20T14:10:02Z","request_id":"abc","msg":"</td></tr></table><iframe src=https://example.com/>"}',
]


def render(records, info: RunInfo | None = None) -> str:
    info = info or RunInfo(terms=("abc",))
    formatter = build_formatter(BUILTIN["html"], [], color=False, info=info)
    for record in records:
        formatter.format(record)
    return formatter.finish()


def test_escape_covers_markup_quotes_and_control_characters() -> None:
    assert (
        escape('<a href="x">\'&\x1b') == "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;\\x1b"
    )


def test_log_markup_never_reaches_the_page_as_markup() -> None:
    page = render(
        [
            rec(
                0, "a<b>", "<script>alert(1)</script>", fields={"x": '"><svg onload=1>'}
            ),
            rec(5, "c", "ok", continuation=("</pre><script>2</script>",)),
        ],
        RunInfo(terms=("<i>id</i>",), profile="<p>", command="tracerun '<x>'"),
    )

    assert "<script>alert" not in page
    assert "<script>2" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<svg onload" not in page
    assert "<i>id" not in page
    assert "<p>" not in page
    assert page.count("<script>") == 1  # the page's own


def test_policy_allows_exactly_the_inline_style_and_script() -> None:
    def digest(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    assert f"style-src 'sha256-{digest(STYLE)}'" in CSP
    assert f"script-src 'sha256-{digest(SCRIPT)}'" in CSP
    assert CSP.startswith("default-src 'none';")
    page = render([rec(0, "a")])
    assert f"<style>{STYLE}</style>" in page
    assert f"<script>{SCRIPT}</script>" in page


def test_page_names_no_external_resource() -> None:
    page = (ROOT / "tests" / "testdata" / "demo.html").read_text(encoding="utf-8")

    assert re.findall(r"(?:src|href)=", page) == []
    assert "http://" not in page
    assert "https://" not in page.replace("https://shop.example/checkout", "")


@pytest.fixture(scope="module")
def demo_page(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Page:
    page = tmp_path_factory.mktemp("html") / "demo.html"
    result = CliRunner().invoke(
        cli, ["-p", str(ROOT / "profiles" / "demo.yaml"), "req-7f3a9c2e", "-o", "html"]
    )
    assert result.exit_code == 0, result.stderr
    page.write_text(result.stdout, encoding="utf-8")
    return browser.open(page)


@pytest.fixture(scope="module")
def hostile_page(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Page:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "app.log").write_text("\n".join(HOSTILE) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--path", str(folder), "abc", "-o", "html"])
    assert result.exit_code == 0, result.stderr
    page = folder / "trace.html"
    page.write_text(result.stdout, encoding="utf-8")
    return browser.open(page)


VISIBLE_ROWS = (
    "[...document.querySelectorAll('#timeline tbody tr')]"
    ".filter(r => r.offsetParent !== null)"
)


def test_browser_renders_every_record_and_one_bar_per_source(demo_page: Page) -> None:
    rows = demo_page.evaluate(
        f"{VISIBLE_ROWS}.map(r => [r.dataset.source, r.cells[2].innerText])"
    )
    bars = demo_page.evaluate(
        "[...document.querySelectorAll('#bars rect.bar')].map(b => "
        "[b.dataset.source, Math.round(b.getBoundingClientRect().width)])"
    )

    assert len(rows) == 16
    assert rows[0] == ["gateway", "-"]
    assert rows[7] == ["payments", "ERROR"]
    assert [name for name, _ in bars] == ["gateway", "orders", "inventory", "payments"]
    widths = dict(bars)
    assert widths["gateway"] > widths["orders"] > widths["payments"] > 100
    assert demo_page.evaluate("document.getElementById('shown').textContent") == (
        "16 of 16 records shown"
    )


def test_browser_filters_by_source_and_level_and_searches(demo_page: Page) -> None:
    def visible() -> list[str]:
        return demo_page.evaluate(f"{VISIBLE_ROWS}.map(r => r.dataset.source)")

    demo_page.click("#filters input[name=source][value=payments]")
    assert "payments" not in visible()
    assert len(visible()) == 12
    demo_page.click("#filters input[name=level][value=info]")
    assert visible() == ["gateway", "orders", "gateway"]  # none, warn, none
    demo_page.click("#filters input[name=source][value=payments]")
    demo_page.click("#filters input[name=level][value=info]")
    demo_page.type("#search", "captured")
    assert visible() == ["payments", "orders"]
    assert demo_page.evaluate("document.getElementById('shown').textContent") == (
        "2 of 16 records shown"
    )


def test_browser_folds_stack_traces_until_clicked(demo_page: Page) -> None:
    demo_page.evaluate(
        "document.getElementById('search').value = '';"
        " document.getElementById('filters').dispatchEvent(new Event('input'))"
    )
    shown = "document.querySelector('#timeline details pre').checkVisibility()"

    assert demo_page.evaluate(shown) is False
    assert (
        demo_page.evaluate("document.querySelector('#timeline details').open") is False
    )
    demo_page.click("#timeline details summary")
    assert demo_page.evaluate(shown) is True
    assert "ReadTimeout" in demo_page.evaluate(
        "document.querySelector('#timeline details pre').innerText"
    )


def test_browser_page_made_no_request_and_a_screenshot_is_kept(
    demo_page: Page, tmp_path_factory: pytest.TempPathFactory
) -> None:
    shot = demo_page.screenshot(tmp_path_factory.mktemp("screenshots") / "demo.png")
    sys.stdout.write(f"screenshot of the demo trace's HTML page: {shot}\n")

    assert demo_page.requests == [demo_page.url]
    assert demo_page.evaluate("performance.getEntriesByType('resource').length") == 0
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_browser_runs_no_script_from_a_log_line(hostile_page: Page) -> None:
    messages = hostile_page.evaluate(
        "[...document.querySelectorAll('#timeline td.m > div:first-child')]"
        ".map(d => d.textContent)"
    )

    assert hostile_page.evaluate("typeof window.pwned") == "undefined"
    assert messages == [
        "<script>window.pwned=1</script>",
        '<img src=x onerror="window.pwned=2">',
        "</td></tr></table><iframe src=https://example.com/>",
    ]
    assert hostile_page.evaluate("document.querySelectorAll('iframe, img').length") == 0
    assert hostile_page.requests == [hostile_page.url]


def test_a_stack_trace_held_in_a_field_is_folded_like_continuation_lines() -> None:
    record = rec(0, "a", "failed", level="error")
    record.stack = ("Traceback (most recent call last):", "ValueError: <bad>")

    page = render([record])

    assert (
        "<details><summary>2 more lines</summary><pre>Traceback (most recent call "
        "last):\nValueError: &lt;bad&gt;</pre></details>"
    ) in page
