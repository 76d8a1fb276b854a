"""Log lines that once aborted a whole run (issue #12), each with the id R1 on it."""

from __future__ import annotations

from pathlib import Path

_HEAD = '{"ts":"2026-03-20T14:10:00Z","request_id":"R1",'
LINES = (
    _HEAD + '"msg":"first"}',
    _HEAD + '"msg":"deep","x":' + "[" * 1500 + "]" * 1500 + "}",
    _HEAD + '"msg":"big","x":{"n":123456789012345678901234567890}}',
    _HEAD + '"msg":"surrogate","x":"\\ud800"}',
    '{"ts":-99999999999,"request_id":"R1","msg":"far"}',
    _HEAD + '"msg":"digits","n":' + "1" * 5000 + "}",
    '{"ts":"9999-12-31T23:59:59-01:00","request_id":"R1","msg":"esc \\u001b]0;x\\u0007"}',
)
MESSAGES = ["first", "deep", "big", "surrogate", "far", "digits", "esc \x1b]0;x\x07"]


def write_hostile(path: Path) -> Path:
    """Write the lines to `path` (one record each) and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(LINES) + "\n")
    return path
