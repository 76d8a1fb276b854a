"""Text output: a stack trace as continuation lines, nested values orjson cannot write,
and control characters shown escaped."""

from __future__ import annotations

import pytest

from tracerun.extract.json import MAX_DEPTH, JsonExtractor
from tracerun.output.text import TextFormatter, visible
from tracerun.record import NO_TIME, Record


def test_a_stack_field_prints_as_indented_lines_and_not_as_a_field():
    # structlog 26.1.0 JSONRenderer + format_exc_info: `exception` holds the text
    record = Record(
        time=1_796_178_141_639_262,
        source="json",
        source_index=0,
        origin="json.log",
        line=3,
        level="error",
        message="charge failed",
        fields={
            "request_id": "req-1f2e3d4c",
            "event": "charge failed",
            "level": "error",
            "exception": "Traceback (most recent call last):\nTimeoutError: slow",
        },
        raw="{...}",
        hidden=("level", "event", "exception"),
        stack=("Traceback (most recent call last):", "TimeoutError: slow"),
    )

    assert TextFormatter(["json"], color=False).format(record) == (
        "2026-12-02T02:22:21.639Z json ERROR charge failed request_id=req-1f2e3d4c\n"
        "    Traceback (most recent call last):\n"
        "    TimeoutError: slow\n"
    )


T = 1_774_015_800_123_000  # 2026-03-20T14:10:00.123Z
HEAD = "2026-03-20T14:10:00.123Z app INFO  "


def _record(message: str = "m", fields: dict | None = None, **extra) -> Record:
    fields = {"msg": message, **(fields or {})}
    return Record(
        T,
        "app",
        0,
        "a.log",
        1,
        "info",
        message,
        fields,
        "raw",
        hidden=("msg",),
        **extra,
    )


def _text(record: Record) -> bytes:
    return TextFormatter(["app"], color=False).format(record).encode()


def test_a_nested_integer_wider_than_64_bits_keeps_every_digit():
    record = _record(fields={"x": {"n": 123456789012345678901234567890}})

    assert (
        _text(record) == (HEAD + 'm x={"n":123456789012345678901234567890}\n').encode()
    )


def test_a_value_nested_to_the_parser_limit_is_written():
    depth = 300
    fields = JsonExtractor().extract('{"x": ' + "[" * depth + "]" * depth + "}")
    assert fields is not None

    cut = depth - (MAX_DEPTH - 1)
    inner = "[" * cut + "]" * cut
    expected = "[" * (MAX_DEPTH - 1) + '"' + inner + '"' + "]" * (MAX_DEPTH - 1)
    assert _text(_record(fields=fields)) == (HEAD + f"m x={expected}\n").encode()


def test_terminal_escapes_in_the_message_are_shown_not_sent():
    message = "title \x1b]0;pwned\x07 clip \x1b]52;c;cHduZWQ=\x07 clear \x1b[2J end"

    assert (
        _text(_record(message))
        == (
            HEAD
            + "title \\x1b]0;pwned\\x07 clip \\x1b]52;c;cHduZWQ=\\x07 clear \\x1b[2J end\n"
        ).encode()
    )


def test_escapes_in_fields_levels_and_continuation_lines_are_shown_not_sent():
    record = Record(
        T,
        "app",
        0,
        "a.log",
        1,
        "in\x1bfo",
        "m",
        {"user\x1b": "\x1b]0;x\x07", "nested": {"k": "\x9b2J"}},
        "raw",
        continuation=("    at \x1b[2J frame\r",),
    )

    assert _text(record) == (
        b"2026-03-20T14:10:00.123Z app IN\\x1bFO m "
        b'user\\x1b=\\x1b]0;x\\x07 nested={"k":"\\x9b2J"}\n'
        b"        at \\x1b[2J frame\\r\n"
    )


def test_a_raw_line_without_fields_is_escaped_too():
    record = Record(NO_TIME, "app", 0, "a.log", 1, "", "", {}, "a\x00b\x7fc")

    assert _text(record) == b"-                        app -     a\\x00b\\x7fc\n"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain ünïcødé ✓", "plain ünïcødé ✓"),
        ("tab\tkept", "tab\tkept"),
        ("cr\rlf\nnul\x00", "cr\\rlf\\nnul\\x00"),
        ("c1 \u009b2J \u009d0;x\u009c", "c1 \\x9b2J \\x9d0;x\\x9c"),
        ("del\x7f", "del\\x7f"),
        ("lone \ud800 surrogate", "lone \\ud800 surrogate"),
        ("\u2028 stays", "\u2028 stays"),
        # Bidi embeddings, overrides and isolates reorder what the terminal
        # shows ("Trojan Source", CVE-2021-42574): `id=abc\u202e321cba` reads
        # as another id. The marks (U+200E/U+200F) are ordinary RTL text.
        ("id=abc\u202e321cba", "id=abc\\u202e321cba"),
        (
            "\u202a\u202b\u202c\u202d \u2066\u2067\u2068\u2069",
            "\\u202a\\u202b\\u202c\\u202d \\u2066\\u2067\\u2068\\u2069",
        ),
        ("mark \u200f kept", "mark \u200f kept"),
    ],
)
def test_visible_escapes_every_control_but_tab(text, shown):
    assert visible(text) == shown
