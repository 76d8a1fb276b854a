"""NDJSON output: every line is valid, UTF-8-encodable JSON whatever a record holds."""

from __future__ import annotations

import json

from tracerun.output.ndjson import NdjsonFormatter
from tracerun.record import Record


def _line(fields: dict) -> str:
    return NdjsonFormatter().format(Record(0, "s", 0, "o", 1, "", "m", fields, "m"))


def test_a_lone_surrogate_is_written_as_its_json_escape():
    line = _line({"x": "\ud800", "y": "é"})

    assert line.encode() == (
        b'{"time":"1970-01-01T00:00:00.000000Z","source":"s","origin":"o","line":1,'
        b'"level":"","message":"m","fields":{"x":"\\ud800","y":"\\u00e9"}}\n'
    )


def test_nan_beside_a_wide_integer_is_null_as_orjson_writes_it():
    line = _line({"big": 2**70, "nan": float("nan"), "l": [float("inf")]})

    assert json.loads(line)["fields"] == {"big": 2**70, "nan": None, "l": [None]}
    assert "NaN" not in line
    assert "Infinity" not in line


def test_a_value_deeper_than_orjson_writes_is_written_by_json():
    deep: list = []
    for _ in range(300):
        deep = [deep]

    assert json.loads(_line({"x": deep}))["fields"] == {"x": deep}


def test_del_c1_and_bidi_controls_are_written_as_json_escapes():
    # U+009B is a one-character CSI: a terminal showing `-o ndjson` would clear
    # its screen on "\x9b2J"; orjson escapes only the C0 range.
    line = _line({"k\x9bey": "\x9b2J \x7f \x85 \u2028 \u202e é"})

    assert line.encode() == (
        b'{"time":"1970-01-01T00:00:00.000000Z","source":"s","origin":"o","line":1,'
        b'"level":"","message":"m","fields":{"k\\u009bey":'
        b'"\\u009b2J \\u007f \\u0085 \\u2028 \\u202e \xc3\xa9"}}\n'
    )
    assert json.loads(line)["fields"] == {"k\x9bey": "\x9b2J \x7f \x85 \u2028 \u202e é"}


def test_c1_controls_beside_a_wide_integer_are_escaped_too():
    line = _line({"big": 2**70, "m": "\x9b2J"})

    assert line.endswith('"fields":{"big":1180591620717411303424,"m":"\\u009b2J"}}\n')
