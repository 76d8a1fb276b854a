"""Template output: placeholders by name, specs, indexing into fields, colour helpers."""

from __future__ import annotations

from helpers.records import rec

from tracerun.config.spec import TemplateOutputConfig
from tracerun.output import build_formatter

RECORD = rec(
    12.5,
    "orders",
    "charge failed",
    level="error",
    fields={"order_id": "ord-1", "ctx": {"user": "u-1"}, "a.b": 1, "n": [1, 2]},
    continuation=("Traceback", "  boom"),
    line=42,
)


def render(line: str, record=RECORD, *, color: bool = False) -> str:
    config = TemplateOutputConfig(line=line)
    return build_formatter(config, ["orders"], color=color).format(record)


def test_fields_by_name_with_time_and_alignment_specs() -> None:
    assert render("{time:%H:%M:%S.%f} {source:>8}|{level:<6}|{message}") == (
        "14:10:00.012500   orders|error |charge failed\n    Traceback\n      boom\n"
    )


def test_indexing_into_fields_nested_dotted_and_bare_names() -> None:
    assert (
        render(
            "{fields[order_id]} {fields[ctx][user]} {fields[a.b]} {order_id} {n}",
            rec(0, "a", fields=RECORD.fields),
        )
        == "ord-1 u-1 1 ord-1 [1,2]\n"
    )


def test_a_missing_field_is_empty_and_keeps_its_width() -> None:
    assert render("[{fields[nope]:>4}] [{origin}:{line}] {time}", rec(0, "a")) == (
        "[    ] [a.log:1] 2026-03-20T14:10:00.000Z\n"
    )


def test_colour_helpers_paint_only_when_colour_is_on() -> None:
    line = "{level:color} {source:>7:color} {message:dim} {time:%S:bold}"

    assert render(line, rec(0, "orders", level="error"), color=True) == (
        "\x1b[1;31merror\x1b[0m \x1b[32m orders\x1b[0m \x1b[2mm\x1b[0m \x1b[1m00\x1b[0m\n"
    )
    assert render(line, rec(0, "orders", level="error")) == "error  orders m 00\n"


def test_log_text_is_shown_with_control_characters_escaped() -> None:
    assert render("{message}", rec(0, "a", "x\x1b]52;c;AAAA\x07")) == (
        "x\\x1b]52;c;AAAA\\x07\n"
    )


def test_braces_are_doubled_for_literal_text() -> None:
    assert render("{{{source}}}", rec(0, "a")) == "{a}\n"
