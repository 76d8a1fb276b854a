import pytest

from tracerun.config.spec import AutoParserConfig
from tracerun.extract.auto import AutoExtractor, from_config

extract = AutoExtractor().extract


def test_timestamp_level_message_and_pairs():
    line = "2026-03-20T14:10:00.120Z ERROR payments: charge failed request_id=req-1 amount=12.50"
    assert extract(line) == {
        "time": "2026-03-20T14:10:00.120Z",
        "level": "ERROR",
        "msg": "payments: charge failed",
        "request_id": "req-1",
        "amount": "12.50",
    }


def test_pure_logfmt_line_gives_its_pairs():
    line = 'time=2026-03-20T14:10:00Z level=info msg="reserved stock" request_id=req-1'
    assert extract(line) == {
        "time": "2026-03-20T14:10:00Z",
        "level": "info",
        "msg": "reserved stock",
        "request_id": "req-1",
    }


def test_json_object_line_is_read_as_json():
    assert extract('{"ts": 1, "ctx": {"id": "a"}}') == {"ts": 1, "ctx": {"id": "a"}}


def test_broken_json_falls_through_to_text():
    assert extract('{"a": 1 request_id=r') == {"msg": '{"a": 1', "request_id": "r"}


def test_python_logging_line():
    line = "2026-03-20 14:09:31,264 INFO  [req-976134f7] payments.charge: charge requested order=ord-1 amount=30.70"
    assert extract(line) == {
        "time": "2026-03-20 14:09:31,264",
        "level": "INFO",
        "msg": "[req-976134f7] payments.charge: charge requested",
        "order": "ord-1",
        "amount": "30.70",
    }


def test_pairs_in_the_middle_stay_in_the_message_as_written():
    assert extract('WARN retrying order=o-1 after="2 s" now') == {
        "level": "WARN",
        "order": "o-1",
        "after": "2 s",
        "msg": 'retrying order=o-1 after="2 s" now',
    }


def test_pairs_that_open_or_end_the_text_leave_the_message():
    assert extract("WARN a=1 retrying now b=2 c=3") == {
        "level": "WARN",
        "a": "1",
        "b": "2",
        "c": "3",
        "msg": "retrying now",
    }


@pytest.mark.parametrize(
    ("line", "level", "msg"),
    [
        ("[ERROR] disk full", "ERROR", "disk full"),
        ("error: disk full", "error", "disk full"),
        ("Warning disk almost full", "Warning", "disk almost full"),
        ("[2026-03-20 14:10:00] [warn] slow", "warn", "slow"),
        ("2026-03-20T14:10:00Z CRITICAL", "CRITICAL", None),
    ],
)
def test_level_words(line, level, msg):
    fields = extract(line)
    assert fields["level"] == level
    assert fields.get("msg") == msg


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Information about x", {"msg": "Information about x"}),
        ("info=1 x", {"info": "1", "msg": "x"}),
        ("[INFO x", {"msg": "[INFO x"}),
        ("ERRORS happened", {"msg": "ERRORS happened"}),
    ],
)
def test_words_that_only_start_like_a_level_are_not_levels(line, expected):
    assert extract(line) == expected


def test_msg_pair_wins_over_the_text():
    assert extract('2026-03-20T14:10:00Z starting msg="hello" a=1') == {
        "time": "2026-03-20T14:10:00Z",
        "msg": "hello",
        "a": "1",
    }


def test_message_pair_also_wins():
    assert extract("text here message=hi") == {"message": "hi"}


def test_syslog_and_nginx_and_epoch_timestamps():
    assert extract("Mar 20 14:10:00 host app[12]: started") == {
        "time": "Mar 20 14:10:00",
        "msg": "host app[12]: started",
    }
    assert extract("[20/Mar/2026:14:10:00 +0000] GET / rid=r") == {
        "time": "20/Mar/2026:14:10:00 +0000",
        "msg": "GET /",
        "rid": "r",
    }
    assert extract("1774015800.5 DEBUG tick") == {
        "time": "1774015800.5",
        "level": "DEBUG",
        "msg": "tick",
    }


def test_pairs_must_start_a_word():
    assert extract("url=http://x/?a=b (rid=r)") == {
        "url": "http://x/?a=b",
        "a": "b",  # a query parameter of the URL
        "msg": "(rid=r)",
    }


def test_plain_text_and_stack_frames_become_the_message():
    assert extract("    at com.shop.Pay.charge(Pay.java:42)") == {
        "msg": "at com.shop.Pay.charge(Pay.java:42)"
    }


@pytest.mark.parametrize("line", ["", "   ", "\t"])
def test_empty_line_gives_none(line):
    assert extract(line) is None


def test_from_config():
    assert isinstance(from_config(AutoParserConfig(type="auto")), AutoExtractor)
