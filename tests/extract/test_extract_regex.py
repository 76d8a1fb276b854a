import re

from tracerun.config.spec import RegexParserConfig
from tracerun.extract.regex import RegexExtractor, from_config

PYLOG = (
    r"(?P<time>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}) (?P<level>[A-Z]+) +"
    r"\[(?P<request_id>[^\]]*)\] (?P<logger>[\w.]+): (?P<msg>.*)$"
)


def test_named_groups_become_fields():
    line = "2026-03-20 14:10:02,193 ERROR [req-7f3a9c2e] payments.charge: charge failed"
    assert RegexExtractor(PYLOG).extract(line) == {
        "time": "2026-03-20 14:10:02,193",
        "level": "ERROR",
        "request_id": "req-7f3a9c2e",
        "logger": "payments.charge",
        "msg": "charge failed",
    }


def test_search_finds_the_pattern_anywhere():
    assert RegexExtractor(r"rid=(?P<rid>\S+)").extract("GET / 200 rid=abc x") == {
        "rid": "abc"
    }


def test_groups_that_did_not_take_part_are_left_out():
    extractor = RegexExtractor(r"(?P<a>a)?(?P<b>b)(?P<empty>x*)")
    assert extractor.extract("b") == {"b": "b", "empty": ""}


def test_no_match_gives_none():
    assert RegexExtractor(PYLOG).extract("something else") is None


def test_compiled_pattern_is_accepted():
    assert RegexExtractor(re.compile(r"(?P<x>\d+)")).extract("n 42") == {"x": "42"}


def test_from_config():
    extractor = from_config(RegexParserConfig(type="regex", pattern=r"(?P<x>\d+)"))
    assert extractor.extract("7") == {"x": "7"}
