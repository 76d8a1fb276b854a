"""Mermaid: participants, an arrow per hand-off with elapsed time, a note on the first error."""

from __future__ import annotations

from helpers.records import rec

from tracerun.output import BUILTIN, build_formatter
from tracerun.output.mermaid import text


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
