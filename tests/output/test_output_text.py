"""tracerun/output/text.py: a record's stack trace prints like continuation lines."""

from __future__ import annotations

from tracerun.output.text import TextFormatter
from tracerun.record import Record


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
