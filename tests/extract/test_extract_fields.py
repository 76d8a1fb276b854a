import pickle

import pytest

from tracerun.config.format import DEFAULT_LEVEL_FIELDS
from tracerun.errors import EvaluationError
from tracerun.extract.fields import (
    FirstGetter,
    JmesPathGetter,
    KeyGetter,
    LevelGetter,
    PathGetter,
    TimeGetter,
    expression_getter,
    field_getter,
    normalise_level,
)

NESTED = {"ctx": {"request": {"id": "r-1"}, "user": None}, "request_id": "top", "n": 0}


def test_path_getter_walks_nested_objects():
    assert PathGetter("ctx.request.id").get(NESTED) == "r-1"


def test_path_getter_missing_or_null_gives_none():
    assert PathGetter("ctx.request.nope").get(NESTED) is None
    assert PathGetter("ctx.user.id").get(NESTED) is None
    assert PathGetter("request_id.x").get(NESTED) is None


def test_path_getter_falls_back_to_a_flat_dotted_key():
    assert PathGetter("http.status").get({"http.status": "200"}) == "200"
    assert PathGetter("a.b").get({"a": "text", "a.b": "flat"}) == "flat"
    assert PathGetter("a.b").get({"a": {"b": "nested"}, "a.b": "flat"}) == "nested"


def test_falsy_values_are_values():
    assert KeyGetter("n").get(NESTED) == 0
    assert PathGetter("a.b").get({"a": {"b": False}}) is False


def test_first_getter_skips_absent_and_null():
    getter = FirstGetter(("time", "ts", "t"))
    assert getter.get({"time": None, "ts": "x", "t": "y"}) == "x"
    assert getter.get({}) is None


def test_jmespath_getter():
    getter = JmesPathGetter("ctx.request.id || request_id")
    assert getter.get(NESTED) == "r-1"
    assert getter.get({"request_id": "top"}) == "top"
    assert getter.get({}) is None


def test_jmespath_getter_raises_only_an_evaluation_error_on_a_bad_record():
    getter = JmesPathGetter("abs(msg)")
    with pytest.raises(EvaluationError, match=r"abs\(\) needs a number, got a string"):
        getter.get({"msg": "boom"})


def test_jmespath_getter_pickles_as_its_expression():
    getter = pickle.loads(pickle.dumps(JmesPathGetter("a || b")))
    assert getter.expression == "a || b"
    assert getter.get({"b": 2}) == 2


@pytest.mark.parametrize(
    ("expression", "kind"),
    [
        ("id", KeyGetter),
        ("ctx.request.id", PathGetter),
        ("a || b", JmesPathGetter),
        ("items[0]", JmesPathGetter),
    ],
)
def test_expression_getter_kinds(expression, kind):
    assert type(expression_getter(expression)) is kind


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        (None, FirstGetter),
        ("severity", KeyGetter),
        ("log.level", PathGetter),
        ("@timestamp", KeyGetter),
    ],
)
def test_field_getter_kinds(name, kind):
    assert type(field_getter(name, ("level",))) is kind


def test_field_getter_reads_at_timestamp_literally():
    assert field_getter("@timestamp", ()).get({"@timestamp": "x"}) == "x"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ERROR", "error"),
        ("error", "error"),
        ("Error", "error"),
        ("err", "error"),
        ("WARNING", "warn"),
        ("warn", "warn"),
        ("Warning", "warn"),
        ("INFO", "info"),
        ("notice", "info"),
        ("DEBUG", "debug"),
        ("TRACE", "trace"),
        ("FATAL", "fatal"),
        ("CRIT", "fatal"),
        ("critical", "fatal"),
        ("panic", "fatal"),
        (" Warning ", "warn"),
        ("wArNiNg", "warn"),
        ("Audit", "audit"),
        ("", ""),
        (None, ""),
        (10, "trace"),
        (20, "debug"),
        (30, "info"),
        (35, "info"),
        (40, "warn"),
        (50, "error"),
        (60, "fatal"),
        (70, "fatal"),
        (5, "info"),  # syslog notice
        (8, "8"),
        ("30", "info"),
        ("50", "error"),
        (True, "true"),
        (1.5, "1.5"),
    ],
)
def test_normalise_level(value, expected):
    assert normalise_level(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # PostgreSQL 15 (tests/testdata/real/postgres-*)
        ("LOG", "info"),
        ("NOTICE", "info"),
        ("WARNING", "warn"),
        ("ERROR", "error"),
        ("FATAL", "fatal"),
        ("PANIC", "fatal"),
        ("DETAIL", "info"),  # alone; after a message it takes that one's level
        ("STATEMENT", "info"),
        # syslog severities: names and numbers 0-7
        ("emerg", "fatal"),
        ("crit", "fatal"),
        ("err", "error"),
        ("notice", "info"),
        (0, "fatal"),
        (3, "error"),
        (4, "warn"),
        ("6", "info"),
        (7, "debug"),
        # Go log/slog between named levels; Serilog; java.util.logging
        ("ERROR+4", "error"),
        ("INFO+2", "info"),
        ("DEBUG-4", "debug"),
        ("Information", "info"),
        ("Verbose", "trace"),
        ("SEVERE", "error"),
        ("FINEST", "trace"),
        # .NET's console logger
        ("trce", "trace"),
        ("dbug", "debug"),
        ("fail", "error"),
        # Monolog's JsonFormatter `level` (PHP: Laravel, Symfony), 100-600
        (100, "debug"),
        (200, "info"),
        (250, "info"),  # NOTICE
        (300, "warn"),
        (400, "error"),
        (500, "fatal"),  # CRITICAL
        (550, "fatal"),
        (600, "fatal"),
        ("400", "error"),
    ],
)
def test_real_programs_levels_are_normalised(value, expected):
    assert normalise_level(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("²", "²"), ("1" * 5000, "1" * 5000), (" 50 ", "error"), ("٣٠", "٣٠")],
)
def test_a_level_of_odd_digits_is_kept_as_text(value, expected):
    assert normalise_level(value) == expected


def test_mongodb_severity_is_read_only_in_its_shape():
    getter = LevelGetter(DEFAULT_LEVEL_FIELDS)
    mongo = {"t": {"$date": "2020-05-01T15:16:17Z"}, "c": "NETWORK"}
    assert [getter.get({**mongo, "s": s}) for s in ("F", "E", "W", "I", "D1")] == [
        *("fatal", "error", "warn", "info", "debug"),
    ]
    assert getter.source_key({**mongo, "s": "I"}) == "s"
    assert getter.get({"s": "I", "c": "x"}) is None  # no `t`: not MongoDB's
    assert getter.get({**mongo, "s": "yes"}) is None
    assert getter.get({**mongo, "s": "I", "level": "error"}) == "error"


def test_gcp_timestamp_seconds_and_nanos_are_one_time():
    getter = TimeGetter(("time", "timestamp"))
    fields = {"timestampSeconds": 1700000001, "timestampNanos": 5000000}
    assert getter.get(fields) == {"seconds": 1700000001, "nanos": 5000000}
    assert getter.source_key(fields) == "timestampSeconds"
    assert getter.get({"time": 1, **fields}) == 1
