import pickle
import subprocess
import sys
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest

from tracerun.config.spec import (
    AutoParserConfig,
    JsonParserConfig,
    LogfmtParserConfig,
    RegexParserConfig,
    SampleConfig,
    TimeConfig,
)
from tracerun.errors import TracerunError
from tracerun.extract import (
    EXTRACTORS,
    Parsed,
    Parser,
    build_parser,
)
from tracerun.extract.samples import check_samples

T0 = 1_774_015_800_000_000  # 2026-03-20T14:10:00Z
BERLIN = ZoneInfo("Europe/Berlin")
NGINX = (
    r'^(?P<client>\S+) \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<method>[A-Z]+) (?P<path>\S+) [^"]*" '
    r"(?P<status>\d{3}) .* rid=(?P<request_id>\S+)$"
)
NGINX_LINE = '203.0.113.24 - - [20/Mar/2026:15:10:00 +0100] "POST /api/orders HTTP/1.1" 201 418 "-" "ua" rid=req-1'

# One good line per registered parser type: the contract every extractor meets.
CONTRACT = {
    "auto": (
        AutoParserConfig(type="auto"),
        "2026-03-20T14:10:00Z INFO hi request_id=r",
    ),
    "json": (
        JsonParserConfig(type="json"),
        '{"time": "2026-03-20T14:10:00Z", "request_id": "r"}',
    ),
    "logfmt": (
        LogfmtParserConfig(type="logfmt"),
        "time=2026-03-20T14:10:00Z request_id=r",
    ),
    "regex": (
        RegexParserConfig(
            type="regex", pattern=r"^(?P<time>\S+) request_id=(?P<request_id>\S+)"
        ),
        "2026-03-20T14:10:00Z request_id=r",
    ),
}


def test_every_registered_extractor_has_a_contract_case():
    assert set(CONTRACT) == set(EXTRACTORS)


@pytest.mark.parametrize("kind", sorted(CONTRACT))
def test_extractor_contract(kind):
    config, line = CONTRACT[kind]
    assert config.type == kind
    extractor = EXTRACTORS[kind](config)
    assert extractor.extract("") is None
    fields = extractor.extract(line)
    assert fields is not None
    assert fields["request_id"] == "r"
    parsed = build_parser(config, {}).parse(line, UTC)
    assert parsed == Parsed(T0, parsed.level, parsed.message, fields)
    assert (
        pickle.loads(pickle.dumps(build_parser(config, {}))).parse(line, UTC) == parsed
    )


def test_builtin_names_and_named_parsers():
    assert build_parser("json", {}).name == "json"
    assert build_parser("logfmt", {}).name == "logfmt"
    assert build_parser("auto", {}).name == "auto"
    custom = {"json": LogfmtParserConfig(type="logfmt")}
    assert (
        build_parser("json", custom).parse("a=1", UTC) is not None
    )  # profile's own wins
    assert build_parser(JsonParserConfig(type="json"), {}).name == "inline json"


def test_unknown_parser_name_lists_the_known_ones():
    with pytest.raises(TracerunError) as caught:
        build_parser("ap", {"app": JsonParserConfig(type="json")})
    assert caught.value.message == "unknown parser 'ap'"
    assert caught.value.hint == "parsers defined here: app, auto, json, logfmt"


def test_json_parser_full_record():
    parser = build_parser(
        JsonParserConfig(
            type="json",
            fields={"request_id": "ctx.request.id"},
            time=TimeConfig(field="ts"),
        ),
        {},
    )
    line = '{"ts":"2026-03-20T15:10:00.141+01:00","level":"info","msg":"order received","ctx":{"request":{"id":"req-7"}}}'
    assert parser.parse(line, UTC) == Parsed(
        time=T0 + 141_000,
        level="info",
        message="order received",
        fields={
            "ts": "2026-03-20T15:10:00.141+01:00",
            "level": "info",
            "msg": "order received",
            "ctx": {"request": {"id": "req-7"}},
            "request_id": "req-7",
        },
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"time": "2026-03-20T14:10:00Z", "ts": 1}', T0),
        ('{"ts": "2026-03-20T14:10:00Z", "timestamp": 1}', T0),
        ('{"timestamp": 1774015800000}', T0),
        ('{"@timestamp": "2026-03-20T14:10:00Z"}', T0),
        ('{"t": 1774015800}', T0),
        ('{"time": null, "t": 1774015800}', T0),
        ('{"time": "not a time"}', None),
        ('{"when": "2026-03-20T14:10:00Z"}', None),
    ],
)
def test_default_time_fields_in_order(line, expected):
    assert build_parser("json", {}).parse(line, UTC).time == expected


def test_configured_time_field_and_format():
    config = LogfmtParserConfig(
        type="logfmt", time=TimeConfig(field="when", format="%d.%m.%Y %H:%M:%S")
    )
    parsed = build_parser(config, {}).parse('when="20.03.2026 15:10:00" time=x', BERLIN)
    assert parsed.time == T0
    assert parsed.fields["when"] == "20.03.2026 15:10:00"


def test_naive_timestamps_use_the_zone():
    parsed = build_parser("logfmt", {}).parse("time=2026-03-20T15:10:00 a=1", BERLIN)
    assert parsed.time == T0


def test_configured_level_and_message_fields():
    config = JsonParserConfig(type="json", level="severity", message="event.text")
    parsed = build_parser(config, {}).parse(
        '{"severity": "WARNING", "level": "x", "event": {"text": "hi"}}', UTC
    )
    assert (parsed.level, parsed.message) == ("warn", "hi")


@pytest.mark.parametrize(
    ("line", "level", "message"),
    [
        ('{"level": 30, "msg": "pino"}', "info", "pino"),
        ('{"level": 50, "message": "bunyan"}', "error", "bunyan"),
        ('{"severity": "CRITICAL", "msg": 42}', "fatal", "42"),
        ('{"lvl": "err"}', "error", ""),
        ('{"loglevel": "Warning", "msg": "a", "message": "b"}', "warn", "a"),
        ('{"x": 1}', "", ""),
    ],
)
def test_default_level_and_message_fields(line, level, message):
    parsed = build_parser("json", {}).parse(line, UTC)
    assert (parsed.level, parsed.message) == (level, message)


def test_field_expressions_override_and_null_adds_nothing():
    config = JsonParserConfig(
        type="json",
        fields={
            "request_id": "ctx.request.id || request_id",
            "user": "ctx.user",
            "first": "items[0].id",
            "missing": "nope.nothing",
        },
    )
    parser = build_parser(config, {})
    parsed = parser.parse(
        '{"request_id": "top", "ctx": {"request": {"id": "inner"}}, "items": [{"id": 7}]}',
        UTC,
    )
    assert parsed.fields == {
        "request_id": "inner",
        "ctx": {"request": {"id": "inner"}},
        "items": [{"id": 7}],
        "first": 7,
    }
    fallback = parser.parse('{"request_id": "top", "user": "u"}', UTC)
    assert fallback.fields == {"request_id": "top", "user": "u"}


def test_expressions_see_the_extracted_fields_not_each_other():
    config = JsonParserConfig(type="json", fields={"a": "b", "c": "a"})
    assert build_parser(config, {}).parse('{"a": 1, "b": 2}', UTC).fields == {
        "a": 2,
        "b": 2,
        "c": 1,
    }


def test_dotted_expression_reads_flat_logfmt_keys():
    config = LogfmtParserConfig(type="logfmt", fields={"status": "http.status"})
    assert (
        build_parser(config, {}).parse("http.status=200", UTC).fields["status"] == "200"
    )


def test_regex_parser_with_time_format():
    config = RegexParserConfig(
        type="regex",
        pattern=NGINX,
        time=TimeConfig(field="time", format="%d/%b/%Y:%H:%M:%S %z"),
    )
    parsed = build_parser(config, {}).parse(NGINX_LINE, UTC)
    assert parsed.time == T0
    assert parsed.fields["request_id"] == "req-1"
    assert parsed.fields["status"] == "201"


def test_line_that_is_not_the_format_gives_none():
    assert build_parser("json", {}).parse("plain text", UTC) is None
    assert build_parser("logfmt", {}).parse("plain text", UTC) is None


def test_trailing_carriage_return_is_stripped():
    parsed = build_parser("logfmt", {}).parse("a=1 b=2\r", UTC)
    assert parsed.fields == {"a": "1", "b": "2"}
    assert build_parser("json", {}).parse('{"a": 1}\r', UTC).fields == {"a": 1}


def test_record_start_rule():
    parser = build_parser("auto", {})
    assert parser.is_record_start(b"2026-03-20T14:10:00Z x")
    assert not parser.is_record_start(b"    at x")
    regex = build_parser(RegexParserConfig(type="regex", pattern=NGINX), {})
    assert regex.is_record_start(NGINX_LINE.encode())
    assert not regex.is_record_start(b"  continuation")
    assert regex.is_record_start(b'{"json": 1}')


def test_regex_record_start_decodes_invalid_utf8():
    parser = build_parser(RegexParserConfig(type="regex", pattern=r"^(?P<w>\w+):"), {})
    assert parser.is_record_start("größe:".encode())
    assert not parser.is_record_start(b"\xff\xfe:")


def test_parser_is_frozen():
    parser = build_parser("auto", {})
    assert isinstance(parser, Parser)
    with pytest.raises(AttributeError):
        parser.name = "x"


def test_a_field_expression_that_fails_leaves_only_that_field_out():
    config = JsonParserConfig(type="json", fields={"x": "abs(msg)", "y": "abs(n)"})
    parsed = build_parser(config, {}).parse('{"msg": "hi", "n": -3}', UTC)

    assert parsed is not None
    assert parsed.fields == {"msg": "hi", "n": -3, "y": 3}
    [(name, expression, error)] = parsed.failed
    assert (name, expression, error.reason) == (
        "x",
        "abs(msg)",
        "abs() needs a number, got a string",
    )


def test_jmespath_is_imported_only_for_real_expressions():
    code = (
        "import sys\n"
        "from tracerun.config.spec import JsonParserConfig as C\n"
        "from tracerun.extract import build_parser\n"
        "build_parser(C(type='json', fields={'id': 'ctx.request.id'}), {})\n"
        "print('jmespath' in sys.modules)\n"
        "build_parser(C(type='json', fields={'id': 'a || b'}), {})\n"
        "print('jmespath' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "True"]


def sample(line, **expect):
    return SampleConfig(line=line, expect=expect)


def test_check_samples_passes_matching_samples():
    config = RegexParserConfig(
        type="regex",
        pattern=NGINX,
        time=TimeConfig(field="time", format="%d/%b/%Y:%H:%M:%S %z"),
    )
    samples = [
        sample(
            NGINX_LINE,
            request_id="req-1",
            status=201,
            time="2026-03-20T14:10:00Z",
            absent=None,
        ),
    ]
    assert check_samples(build_parser(config, {}), samples, UTC) == []


def test_check_samples_describes_each_mismatch():
    parser = build_parser("logfmt", {})
    samples = [
        sample(
            "request_id=abd level=ERROR time=2026-03-20T14:10:00Z",
            request_id="abc",
            level="error",
            time="2026-03-20T14:10:01Z",
        ),
        sample("no pairs here", request_id="abc"),
        sample("a=1", b="2", a=None, time="2026-03-20T14:10:00Z"),
        sample("time=garbage", time="also garbage", level="info"),
    ]
    assert check_samples(parser, samples, UTC) == [
        "sample 1: field request_id: expected 'abc', got 'abd'",
        "sample 1: time: expected 2026-03-20T14:10:01.000000Z, got 2026-03-20T14:10:00.000000Z",
        "sample 2: line did not parse",
        "sample 3: field b: expected '2', got nothing",
        "sample 3: field a: expected no value, got '1'",
        "sample 3: time: expected 2026-03-20T14:10:00.000000Z, got no timestamp",
        "sample 4: time: expected value 'also garbage' is not a readable timestamp",
        "sample 4: field level: expected 'info', got nothing",
    ]


def test_check_samples_time_is_an_instant_in_the_zone():
    parser = build_parser("logfmt", {})
    samples = [sample("time=2026-03-20T14:10:00Z", time="2026-03-20 15:10:00")]
    assert check_samples(parser, samples, BERLIN) == []


def test_check_samples_compares_level_and_message_after_defaults():
    parser = build_parser("json", {})
    samples = [
        sample('{"severity": "WARNING", "message": "hi"}', level="warn", message="hi")
    ]
    assert check_samples(parser, samples, UTC) == []


def _real_line(name: str, number: int) -> str:
    from helpers.real import REAL

    text = (REAL / name).read_text(encoding="utf-8")
    return text.split("\n")[number - 1]


def _shown(parsed: Parsed | None) -> tuple[str | None, str, str]:
    from tracerun.timeparse import format_utc_ms

    assert parsed is not None
    time = None if parsed.time is None else format_utc_ms(parsed.time)
    return time, parsed.level, parsed.message


# One real line per logging library, read by the json parser's default keys.
@pytest.mark.parametrize(
    ("library", "name", "line", "expected"),
    [
        ("python-json-logger 4.2.0 (asctime, levelname)", "python-json-logger/default.log", 2, ("2026-12-02T02:22:05.870Z", "warn", "payment slow")),
        ("python-json-logger 4.2.0 (timestamp=True)", "python-json-logger/timestamp.log", 3, ("2026-12-02T02:22:05.922Z", "error", "charge failed")),
        ("structlog 26.1.0 JSONRenderer (event)", "structlog/json.log", 2, ("2026-12-02T02:22:21.639Z", "warn", "provider slow")),
        ("pino 10.4.0 (numeric level, epoch ms)", "pino/pino.log", 3, ("2026-12-02T02:23:48.527Z", "error", "charge failed")),
        ("bunyan 2.0.5", "bunyan/bunyan.log", 8, ("2026-12-02T02:23:48.911Z", "fatal", "giving up")),
        ("zap NewProduction (ts, msg)", "documented/zap.log", 1, ("2026-12-02T02:30:00.123Z", "info", "order received")),
        ("zerolog (time, message)", "documented/zerolog.log", 2, ("2026-12-02T02:30:01.000Z", "warn", "payment slow")),
        ("logrus JSONFormatter (warning)", "documented/logrus.log", 2, ("2026-12-02T02:30:01.000Z", "warn", "payment slow: 1840ms > 1000ms")),
        ("slog JSONHandler (ERROR+4)", "documented/slog.log", 7, ("2026-12-02T02:30:05.125Z", "error", "giving up")),
        ("logstash-logback-encoder 7 (@timestamp)", "documented/logstash-logback-encoder.log", 3, ("2026-12-02T02:30:02.000Z", "error", "charge failed")),
        ("log4j2 EcsLayout (log.level)", "documented/log4j2-ecs.log", 7, ("2026-12-02T02:30:05.125Z", "fatal", "giving up")),
        ("log4j2 JsonLayout (instant)", "documented/log4j2-jsonlayout.log", 1, ("2026-12-02T02:30:00.123Z", "info", "order received")),
        ("Serilog CLEF (@t, no @l, @mt)", "documented/serilog-clef.log", 1, ("2026-12-02T02:30:00.123Z", "info", "Order 1 received")),
        ("Serilog CLEF (@l, @r)", "documented/serilog-clef.log", 8, ("2026-12-02T02:30:05.126Z", "info", "Charged 61.00")),
    ],
)  # fmt: skip
def test_default_keys_read_each_librarys_default_json(library, name, line, expected):
    parser = build_parser("json", {})
    assert _shown(parser.parse(_real_line(name, line), UTC)) == expected, library


def test_postgresql_annotation_lines_say_they_inherit_a_level():
    parser = build_parser("auto", {})
    line = _real_line("postgres-berlin/postgresql.log", 13)
    parsed = parser.parse(line, UTC)
    assert parsed is not None
    assert (parsed.level, parsed.inherits, parsed.fields["pid"]) == (
        "info",
        True,
        "11011",
    )
    assert not parser.parse(
        _real_line("postgres-berlin/postgresql.log", 11), UTC
    ).inherits


def test_continuation_pairs_come_from_the_lines_after_the_first():
    # PostgreSQL 15.18: a statement continued by TAB-indented lines (14-17)
    lines = [_real_line("postgres-berlin/postgresql.log", n) for n in range(14, 18)]
    assert build_parser("auto", {}).continued_fields(lines[1:]) == {
        "request_id": "req-a1b2c3d4"
    }
    assert build_parser("json", {}).continued_fields(lines[1:]) == {}


def test_a_key_written_twice_on_continuation_lines_holds_both_values():
    lines = [
        "  retry 1 request_id=abc0",
        "  retry 2 request_id=abc0",
        "caused by: request_id=abc user=u1",
    ]
    assert build_parser("auto", {}).continued_fields(lines) == {
        "request_id": ["abc0", "abc"],
        "user": "u1",
    }


def test_nul_padding_before_a_line_is_dropped():
    # logrotate 3.21.0 copytruncate with a writer that lacks O_APPEND
    path = "logrotate/copytruncate-noappend/app.log"
    from helpers.real import REAL

    line = (REAL / path).read_bytes().split(b"\n")[0].decode()
    assert line.startswith("\0")
    parsed = build_parser("logfmt", {}).parse(line, UTC)
    assert _shown(parsed) == ("2026-12-02T02:24:08.420Z", "error", "charge failed")


def test_zone_abbreviations_reach_the_parser():
    from tracerun.timeparse import zone_table

    parser = build_parser("auto", {}, zone_table({"CET": "+02:00"}))
    line = "2026-12-02 03:21:44.463 CET [11011] LOG:  statement: SELECT 1"
    assert _shown(parser.parse(line, UTC)) == (
        "2026-12-02T01:21:44.463Z",
        "info",
        "statement: SELECT 1",
    )
