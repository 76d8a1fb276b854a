"""Summary: the waterfall, drawn exactly, with and without colour."""

from __future__ import annotations

from helpers.records import rec

from tracerun.output.base import RunInfo
from tracerun.output.summary import render_summary

INFO = RunInfo(terms=("req-1",))
RECORDS = [
    rec(0, "edge"),
    rec(1000, "orders"),
    rec(3000, "orders", "charge failed", level="error", line=9),
    rec(4000, "edge"),
]


def test_waterfall_rows_bars_gaps_and_first_error_without_colour() -> None:
    text = render_summary(RECORDS, INFO, 50)

    assert text == (
        "req-1: 4 records from 2 sources in 4.000 s "
        "(2026-03-20T14:10:00.000Z → 2026-03-20T14:10:04.000Z)\n"
        "\n"
        "source │0 s          4.000 s│ records errors      span\n"
        "edge   │████████████████████│       2      0   4.000 s\n"
        "orders │     ██████████     │       2      1   2.000 s\n"
        "\n"
        "Largest gaps:\n"
        "  orders → orders: 2.000 s  (14:10:01.000 → 14:10:03.000)\n"
        "  edge → orders: 1.000 s  (14:10:00.000 → 14:10:01.000)\n"
        "  orders → edge: 1.000 s  (14:10:03.000 → 14:10:04.000)\n"
        "\n"
        "First error: 2026-03-20T14:10:03.000Z orders ERROR charge failed\n"
        "  at orders.log:9\n"
    )


def test_bar_ends_are_placed_to_an_eighth_of_a_cell() -> None:
    records = [rec(0, "a"), rec(1000, "a"), rec(333, "b"), rec(1000, "c")]

    rows = render_summary(records, INFO, 50).splitlines()[3:6]

    assert [row.split("│")[1] for row in rows] == [
        "████████████████████",
        "      ▏             ",  # 0.333 s: one eighth, inside the 7th cell
        "                   ▕",  # 1.000 s: the last eighth of the last cell
    ]


def test_colour_paints_source_names_bars_and_errors() -> None:
    text = render_summary(RECORDS, INFO, 60, color=True)

    assert "\x1b[1;31mFirst error: " in text
    assert "\x1b[0m" in text
    plain = render_summary(RECORDS, INFO, 50)
    assert "\x1b" not in plain


def test_log_text_cannot_drive_the_terminal() -> None:
    records = [rec(0, "a", "boom \x1b[2J", level="error")]

    text = render_summary(records, INFO, 60)

    assert "\x1b" not in text
    assert "boom \\x1b[2J" in text


def test_no_records_is_one_line() -> None:
    assert render_summary([], INFO, 60) == "req-1: no records\n"


def test_a_bar_starting_mid_cell_and_ending_mid_cell_keeps_both_eighths() -> None:
    records = [rec(0, "a"), rec(1000, "a"), rec(130, "b"), rec(690, "b")]

    row = render_summary(records, INFO, 50).splitlines()[4]

    assert row.split("│")[1] == "  ▐" + "█" * 10 + "▉" + " " * 6
