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
