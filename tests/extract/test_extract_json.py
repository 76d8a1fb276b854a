import math

import pytest

from tracerun.config.spec import JsonParserConfig
from tracerun.extract.json import JsonExtractor, from_config

extract = JsonExtractor().extract


def test_object_keys_become_fields_with_nested_values_kept():
    line = '{"ts":"2026-03-20T14:10:00Z","level":"info","ctx":{"request":{"id":"r-1"}},"n":3,"ok":true,"x":null,"l":[1,2]}'
    assert extract(line) == {
        "ts": "2026-03-20T14:10:00Z",
        "level": "info",
        "ctx": {"request": {"id": "r-1"}},
        "n": 3,
        "ok": True,
        "x": None,
        "l": [1, 2],
    }


def test_unicode_is_kept():
    assert extract('{"msg":"Grüße \\u2713 ✓"}') == {"msg": "Grüße ✓ ✓"}


@pytest.mark.parametrize(
    "line",
    [
        "",
        "not json",
        '{"a": 1',
        '{"a": 1} trailing',
        "[1, 2]",
        '"text"',
        "42",
        "null",
        "{'a': 1}",
    ],
)
def test_invalid_or_non_object_lines_give_none(line):
    assert extract(line) is None


def test_nan_and_infinity_fall_back_to_the_standard_library():
    fields = extract('{"a": NaN, "b": Infinity, "c": -Infinity, "d": 1}')
    assert fields is not None
    assert math.isnan(fields["a"])
    assert fields["b"] == math.inf
    assert fields["c"] == -math.inf
    assert fields["d"] == 1


def test_integers_beyond_64_bits_keep_every_digit():
    assert extract('{"id": 123456789012345678901234567890}') == {
        "id": 123456789012345678901234567890
    }
    assert extract('{"a": {"b": [1, {"id": -99999999999999999999}]}}') == {
        "a": {"b": [1, {"id": -99999999999999999999}]}
    }


def test_64_bit_integers_and_ordinary_floats_stay_as_orjson_reads_them():
    assert extract(
        '{"a": 18446744073709551615, "b": -9223372036854775808, "c": 0.25}'
    ) == {
        "a": 18446744073709551615,
        "b": -9223372036854775808,
        "c": 0.25,
    }


def test_byte_order_mark_is_skipped():
    assert extract('\ufeff{"a": 1}') == {"a": 1}


def test_from_config():
    assert isinstance(from_config(JsonParserConfig(type="json")), JsonExtractor)
