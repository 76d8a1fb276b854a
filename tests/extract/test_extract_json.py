import json
import math
import random

import pytest

from tracerun.config.spec import JsonParserConfig
from tracerun.extract.json import MAX_DEPTH, JsonExtractor, from_config, loads_object

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


def test_an_integer_over_4300_digits_is_kept_as_its_digits():
    digits = "1" * 5000
    assert extract('{"request_id": "R1", "n": ' + digits + "}") == {
        "request_id": "R1",
        "n": digits,
    }
    assert extract('{"n": -' + digits + "}") == {"n": "-" + digits}


def test_a_lone_surrogate_escape_is_read_as_the_standard_library_reads_it():
    assert extract('{"request_id": "R1", "x": "\\ud800"}') == {
        "request_id": "R1",
        "x": "\ud800",
    }


@pytest.mark.parametrize("kind", ["list", "dict"])
@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 300, 1500, 100_000])
def test_nesting_deeper_than_the_limit_is_kept_as_text_below_it(kind, depth):
    deep = (
        "[" * depth + "]" * depth
        if kind == "list"
        else '{"a":' * depth + "1" + "}" * depth
    )
    fields = extract('{"request_id": "R1", "x": ' + deep + "}")

    assert fields is not None
    assert fields["request_id"] == "R1"
    node = fields["x"]
    for _ in range(MAX_DEPTH - 1):  # the top-level object is level 1
        node = node[0] if kind == "list" else node["a"]
    expected = depth - (MAX_DEPTH - 1)
    inner = (
        "[" * expected + "]" * expected
        if kind == "list"
        else '{"a":' * expected + "1" + "}" * expected
    )
    assert node == inner


def test_nesting_at_the_limit_stays_structured():
    deep = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    fields = extract('{"x": ' + deep + "}")
    assert fields == {"x": json.loads(deep)}


@pytest.mark.parametrize(
    "line",
    [
        '{"a": [1, 2}',
        '{"a": ' + "[" * 300 + "]" * 299 + "}",
        '{"a": ' + "[" * 300 + "}" * 300 + "}",
        '{"a": 1,}',
        '{"a" 1}',
        '{"a": tru}',
        '{"a": "\x01"}',
        '{"a": 01}',
    ],
)
def test_the_careful_parser_refuses_what_is_not_json(line):
    assert loads_object(line) is None


def _random_value(rng: random.Random, depth: int = 0) -> object:
    roll = rng.random()
    if depth > 4 or roll < 0.4:
        return rng.choice(
            [
                None,
                True,
                False,
                0,
                -7,
                10**25,
                -(10**19),
                0.5,
                -1e-7,
                1e300,
                "",
                'a"\\/\n\t',
                "ü✓𝄞",
                "\u2028\x7f",
            ]
        )
    if roll < 0.7:
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    keys = ["", "a", "ключ", 'k"', "id"]
    return {
        rng.choice(keys): _random_value(rng, depth + 1)
        for _ in range(rng.randint(0, 3))
    }


@pytest.mark.parametrize("seed", range(20))
def test_the_careful_parser_reads_what_the_standard_library_reads(seed):
    rng = random.Random(seed)
    for _ in range(50):
        obj = {"k": _random_value(rng)}
        text = json.dumps(
            obj, indent=rng.choice([None, 1]), ensure_ascii=rng.random() < 0.5
        )
        assert loads_object(text) == json.loads(text), text
