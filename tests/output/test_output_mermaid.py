"""Mermaid: participants, an arrow per hand-off with elapsed time, a note on the first error."""

from __future__ import annotations

import json
from pathlib import Path

from helpers.browser import Browser, mermaid_js
from helpers.records import rec

from tracerun.output import BUILTIN, build_formatter
from tracerun.output.mermaid import text

ROOT = Path(__file__).resolve().parents[2]


def render(records):
    formatter = build_formatter(BUILTIN["mermaid"], [], color=False)
    for record in records:
        assert formatter.format(record) == ""
    return formatter.finish()


def test_diagram_has_participants_hops_and_the_first_error() -> None:
    diagram = render(
        [
            rec(0, "edge", "POST /api/orders"),
            rec(141, "orders", "received"),
            rec(150, "orders", "validated"),
            rec(190, "payments", "charge failed", level="error"),
            rec(2197, "orders", "retrying"),
        ]
    )

    assert diagram == (
        "```mermaid\n"
        "sequenceDiagram\n"
        "    participant S0 as edge\n"
        "    participant S1 as orders\n"
        "    participant S2 as payments\n"
        "    S0->>S1: +0.141 s received\n"
        "    S1->>S2: +0.040 s charge failed\n"
        "    Note over S2: ERROR charge failed\n"
        "    S2->>S1: +2.007 s retrying\n"
        "```\n"
    )


def test_label_text_cannot_break_the_diagram() -> None:
    assert text("a;b#c<d>\n%%e\x1b") == "a#59;b#35;c#60;d#62; #37;#37;e#92;x1b"
    assert text("x" * 70) == "x" * 59 + "…"


def test_source_names_are_aliases_not_syntax() -> None:
    diagram = render([rec(0, "a->>b"), rec(1, "c")])

    assert "    participant S0 as a-#62;#62;b\n" in diagram
    assert "    S0->>S1: +0.001 s m\n" in diagram


def test_mermaid_itself_renders_the_demo_diagram_with_the_text_as_written(
    browser: Browser, tmp_path: Path
) -> None:
    # Mermaid's own bundle (from npm) in a real Chromium, as GitHub renders it.
    demo = (ROOT / "tests" / "testdata" / "demo.mermaid.md").read_text("utf-8")
    hostile = render(
        [
            rec(0, "a->>b; <b>x</b>"),
            rec(5, "c", "<script>window.pwned=1</script> #1; %%"),
        ]
    )
    page = tmp_path / "mermaid.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
        f'<script src="{mermaid_js().as_uri()}"></script></body></html>',
        encoding="utf-8",
    )
    tab = browser.open(page)

    def drawn(fenced: str) -> dict[str, list[str]]:
        source = fenced.removeprefix("```mermaid\n").removesuffix("```\n")
        return tab.evaluate(
            "mermaid.initialize({startOnLoad: false});"
            f"mermaid.render('d' + Date.now(), {json.dumps(source)}).then(r => {{"
            " const svg = new DOMParser().parseFromString(r.svg, 'image/svg+xml');"
            " const texts = s => [...svg.querySelectorAll(s)].map(t => t.textContent);"
            " return {actors: texts('text.actor'), messages: texts('text.messageText'),"
            " notes: texts('text.noteText')}; })"
        )

    demo_drawn = drawn(demo)
    assert sorted(set(demo_drawn["actors"])) == [
        "gateway",
        "inventory",
        "orders",
        "payments",
    ]
    assert demo_drawn["messages"][2] == "+0.007 s stock reserved; charging card"
    assert demo_drawn["notes"] == [
        "ERROR charge failed: provider did not answer within 2.0s or…"
    ]
    hostile_drawn = drawn(hostile)
    assert sorted(set(hostile_drawn["actors"])) == ["a->>b; <b>x</b>", "c"]
    assert hostile_drawn["messages"] == [
        "+0.005 s <script>window.pwned=1</script> #1; %%"
    ]
    assert tab.evaluate("typeof window.pwned") == "undefined"
