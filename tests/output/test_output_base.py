"""Contract test: every registered output format renders the same records sanely."""

from __future__ import annotations

import json
import typing

import pytest

from tracerun.config import spec
from tracerun.config.format import BUILTIN_OUTPUTS
from tracerun.config.spec import (
    NdjsonOutputConfig,
    TemplateOutputConfig,
    TextOutputConfig,
)
from tracerun.output import BUILTIN, FORMATTERS, build_formatter
from tracerun.output.base import RunInfo
from tracerun.record import NO_TIME, Record

RECORD = Record(
    time=1_774_015_800_123_456,
    source="orders",
    source_index=0,
    origin="/var/log/orders.log",
    line=7,
    level="error",
    message='payment "failed"',
    fields={"msg": 'payment "failed"', "request_id": "abc", "n": 3, "ok": False},
    raw="...",
    continuation=("Traceback:", "  boom"),
    hidden=("msg",),
)


TEMPLATE = TemplateOutputConfig(line="{time} {source} {message} {request_id}")
CONFIGS = {**BUILTIN, "template": TEMPLATE}
INFO = RunInfo(terms=("abc",), profile="demo", command="tracerun abc", version="0")


@pytest.mark.parametrize("kind", sorted(FORMATTERS))
def test_every_format_writes_complete_lines_about_the_records(kind: str) -> None:
    formatter = build_formatter(
        CONFIGS[kind], ["orders", "payments"], color=False, info=INFO
    )

    text = formatter.format(RECORD) + formatter.finish()

    assert text.endswith("\n")
    assert "payment" in text


@pytest.mark.parametrize("kind", ["text", "ndjson", "template"])
def test_streaming_formats_print_each_record_at_once_and_nothing_after(
    kind: str,
) -> None:
    formatter = build_formatter(CONFIGS[kind], ["orders"], color=False)

    assert "abc" in formatter.format(RECORD)
    assert formatter.finish() == ""


@pytest.mark.parametrize("kind", ["summary", "html", "jaeger", "otlp", "mermaid"])
def test_whole_timeline_formats_print_only_after_the_last_record(kind: str) -> None:
    formatter = build_formatter(CONFIGS[kind], ["orders"], color=False, info=INFO)

    assert formatter.format(RECORD) == ""
    assert formatter.finish() != ""


def test_every_output_type_of_the_profile_format_is_registered() -> None:
    types = {cls.type for cls in typing.get_args(spec.OutputConfig)}

    assert set(FORMATTERS) == types
    assert set(FORMATTERS) == set(BUILTIN) | {"template"}  # a template needs a line
    assert set(BUILTIN_OUTPUTS) == set(BUILTIN)


def test_text_line_layout() -> None:
    formatter = build_formatter(BUILTIN["text"], ["orders", "payments"], color=False)

    assert formatter.format(RECORD) == (
        '2026-03-20T14:10:00.123Z orders   ERROR payment "failed" '
        "request_id=abc n=3 ok=false\n"
        "    Traceback:\n"
        "      boom\n"
    )


def test_text_quotes_values_with_spaces_and_can_hide_fields() -> None:
    record = Record(
        time=NO_TIME,
        source="orders",
        source_index=0,
        origin="x",
        line=1,
        level="",
        message="",
        fields={"note": 'a "b" c', "empty": "", "nested": {"k": [1]}},
        raw="raw text",
    )
    shown = build_formatter(BUILTIN["text"], ["orders"], color=False)
    bare = build_formatter(
        TextOutputConfig(type="text", fields=False), ["orders"], color=False
    )

    assert shown.format(record) == (
        '-                        orders -     note="a \\"b\\" c" empty="" nested={"k":[1]}\n'
    )
    assert bare.format(record) == "-                        orders -\n"


def test_ndjson_keys_and_values() -> None:
    formatter = build_formatter(NdjsonOutputConfig(type="ndjson"), [], color=False)

    assert json.loads(formatter.format(RECORD)) == {
        "time": "2026-03-20T14:10:00.123456Z",
        "source": "orders",
        "origin": "/var/log/orders.log",
        "line": 7,
        "level": "error",
        "message": 'payment "failed"\nTraceback:\n  boom',
        "fields": {"msg": 'payment "failed"', "request_id": "abc", "n": 3, "ok": False},
    }


def test_ndjson_keeps_integers_wider_than_64_bits() -> None:
    record = Record(1, "s", 0, "o", 1, "", "m", {"big": 2**70}, "m")
    formatter = build_formatter(BUILTIN["ndjson"], [], color=False)

    assert json.loads(formatter.format(record))["fields"] == {"big": 2**70}


# text and ndjson are issue 12's (one bad line must not abort the run).
@pytest.mark.parametrize("kind", sorted(set(FORMATTERS) - {"text", "ndjson"}))
def test_every_new_format_writes_utf8_for_lone_surrogates_and_wide_integers(
    kind: str,
) -> None:
    odd = Record(
        1,
        "s",
        0,
        "o",
        1,
        "error",
        "bad \ud800 x",
        {"n": {"big": 2**70}, "s": "\udfff"},
        "r",
    )
    formatter = build_formatter(CONFIGS[kind], ["s"], color=False, info=INFO)

    text = formatter.format(odd) + formatter.finish()

    assert text.encode("utf-8")  # would raise on a lone surrogate
    shown = ("\\ud800", "\\\\ud800", "#92;ud800")  # JSON/text, Markdown, Mermaid
    assert any(form in text for form in shown)
